"""LaTeX (and PDF) reports of what was proved, refuted, and where a derivation breaks.

:mod:`.builder` is a small typed LaTeX builder (escaping user text), :mod:`.content`
turns checked documents into a report, and :mod:`.compile` writes the ``.tex`` whole or
not at all and runs a TeX engine for ``--pdf``.
"""

from derive.presenting.report.compile import write_report
from derive.presenting.report.content import render

__all__ = ["render", "write_report"]
