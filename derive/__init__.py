"""derive: prove or refute hand-derived gradient identities written in LaTeX."""

from __future__ import annotations

__version__ = "0.1.0"

from derive.api import ClaimResult, Report, check, load
from derive.errors import DeriveError
from derive.gradient import Gradient, differentiate
from derive.verdict import Counterexample, Verdict

__all__ = [
    "ClaimResult",
    "Counterexample",
    "DeriveError",
    "Gradient",
    "Report",
    "Verdict",
    "__version__",
    "check",
    "differentiate",
    "load",
]
