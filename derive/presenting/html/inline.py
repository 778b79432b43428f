"""Results as a notebook shows them: the HTML report, or one claim's row, in a box.

Jupyter shows an object by calling its ``_repr_html_``; a
:class:`~derive.checking.results.Report` and a
:class:`~derive.checking.results.ClaimResult` call these. What they return is the
report of :mod:`derive.presenting.html.page`, embedded (:func:`~.page.fragment`): no
``<html>`` or script, and a style that reaches nothing outside its box.

>>> from derive import api
>>> report = api.check("softmax-ce")
>>> shown = report_html(report)
>>> shown.startswith('<div class="derive-report">'), "<script" in shown, "<html" in shown
(True, False, False)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from derive.presenting.html.page import claim_fragment, fragment
from derive.presenting.record import claim_record, document_record

if TYPE_CHECKING:
    from derive.checking.results import ClaimResult, Report

__all__ = ["claim_html", "report_html"]


def report_html(report: Report) -> str:
    """The report of a checked document, to embed in a notebook's output."""
    return fragment(report.document, document_record(report))


def claim_html(result: ClaimResult) -> str:
    """One claim and its verdict, to embed in a notebook's output."""
    return claim_fragment(claim_record(result))
