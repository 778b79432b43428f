r"""Written-out matrices of a fixed size (``pmatrix``, ``(a, \dots, c)``), entry by entry.

Two sides whose entries are all written are equal when each pair of entries is: every
entry is proved as a claim of its own, and the first that is not decides the verdict,
its entry named in the verdict's ``form``.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace

import sympy as sp

from derive.model import Claim, Document
from derive.verdict import Verdict

Prove = Callable[[Document, Claim, Sequence[int], float | None], Verdict]


def written_out(expr: sp.Basic) -> bool:
    """True for a matrix of a fixed size built from written entries, such as a ``pmatrix``."""
    if not isinstance(expr, sp.MatrixExpr):
        return False
    fixed = all(isinstance(d, int | sp.Integer) for d in expr.shape)
    return fixed and bool(isinstance(expr, sp.ImmutableMatrix) or expr.atoms(sp.ImmutableMatrix))


def entry_by_entry(
    doc: Document, claim: Claim, sizes: Sequence[int], timeout: float | None, prove: Prove
) -> Verdict:
    """Prove each entry of two written-out matrices; the first that fails is the verdict."""
    left, right = claim.lhs.as_explicit(), claim.rhs.as_explicit()
    rows, cols = left.shape
    share = None if timeout is None else timeout / (rows * cols)
    verdict = Verdict("undecided", message="an empty matrix")
    for r, c in itertools.product(range(rows), range(cols)):
        entry = replace(claim, lhs=left[r, c], rhs=right[r, c])
        verdict = prove(doc, entry, sizes, share)
        if verdict.status not in ("proved", "verified"):
            return replace(verdict, form=f"entry ({r + 1}, {c + 1}) of each side")
    return replace(verdict, form=f"each of the {rows * cols} entries")
