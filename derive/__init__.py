"""derive: prove or refute hand-derived gradient identities written in LaTeX.

>>> import derive
>>> report = derive.check("softmax-ce")
>>> report
<Report softmax-ce: 12 of 12 claims as expected; no steps>
>>> report.ok, len(report.results)
(True, 12)
>>> derive.differentiate(report.document, "E", "z_j", ["targets"]).statement
'∂E/∂z_j = y_j − t_j'

In a notebook, a report shows as the HTML report, and ``%load_ext derive`` gives the
cell magic ``%%derive`` (:mod:`derive.commands.magic`): the cell is a document, checked.

The names below are imported when first used, so that ``import derive`` (and the
pytest plugin, loaded in every project that installs derive) stays cheap.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from derive.defaults import VERSION as __version__

if TYPE_CHECKING:
    from derive.api import ClaimResult, Report, assert_identity, check, load, load_text, prove
    from derive.errors import DeriveError
    from derive.proving.gradient import Gradient, differentiate
    from derive.verdict import Counterexample, Verdict

WHERE = {
    "ClaimResult": "derive.api",
    "Report": "derive.api",
    "check": "derive.api",
    "load": "derive.api",
    "load_text": "derive.api",
    "DeriveError": "derive.errors",
    "Gradient": "derive.proving.gradient",
    "differentiate": "derive.proving.gradient",
    "assert_identity": "derive.api",
    "prove": "derive.api",
    "Counterexample": "derive.verdict",
    "Verdict": "derive.verdict",
}

__all__ = [
    "ClaimResult",
    "Counterexample",
    "DeriveError",
    "Gradient",
    "Report",
    "Verdict",
    "__version__",
    "assert_identity",
    "check",
    "differentiate",
    "load",
    "load_ipython_extension",
    "load_text",
    "prove",
]


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext derive``: give IPython the cell magic ``%%derive``."""
    from derive.commands import magic

    magic.register(ipython)


def __getattr__(name: str) -> Any:
    """Import a public name from its module on first use."""
    module = WHERE.get(name)
    if module is None:
        raise AttributeError(f"module 'derive' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)
