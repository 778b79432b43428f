r"""``\det M`` and ``M^{-1}`` for the second opinion, by formulas of their own.

The prover eliminates (Gauss–Jordan over dual numbers); here a determinant is the sum
over permutations (Leibniz: ``n!`` products, so sizes stay small) and an inverse is the
adjugate over the determinant (``(M^{-1})_{ij} = (−1)^{i+j} det M_{\hat{j}\hat{i}} / det M``).
Entries are numbers or jets, so derivatives come from :mod:`jets`, not from a formula
for the derivative of a determinant. A matrix singular at the point (its determinant
tiny against its entries) has no inverse there: :class:`Undefined`.
"""

from __future__ import annotations

import itertools
from typing import Any

from derive.evaluating.jets import Undefined, add, inverse, mul, real, scale
from derive.evaluating.points import Matrix, NotEvaluable

LARGEST = 5  # 5! = 120 products per determinant


def determinant(m: Matrix, zero: Any) -> Any:
    """``Σ_π sign(π) Π_i m[i][π(i)]``."""
    n = len(m)
    if any(len(row) != n for row in m):
        raise NotEvaluable("a determinant of a matrix that is not square")
    if n > LARGEST:
        raise NotEvaluable(f"a determinant larger than {LARGEST}×{LARGEST}")
    total = zero
    for perm in itertools.permutations(range(n)):
        term: Any = 1
        for row, col in enumerate(perm):
            term = mul(term, m[row][col])
        total = add(total, scale(term, -1) if parity(perm) else term)
    return total


def parity(perm: tuple[int, ...]) -> int:
    """1 for an odd permutation, 0 for an even one (by its cycles)."""
    seen, swaps = set(), 0
    for start in range(len(perm)):
        length, at = 0, start
        while at not in seen:
            seen.add(at)
            at = perm[at]
            length += 1
        swaps += max(length - 1, 0)
    return swaps % 2


def minor(m: Matrix, row: int, col: int) -> Matrix:
    """``m`` without row ``row`` and column ``col``."""
    return tuple(tuple(x for c, x in enumerate(r) if c != col) for i, r in enumerate(m) if i != row)


def matrix_inverse(m: Matrix, zero: Any, digits: int) -> Matrix:
    """The adjugate of ``m`` over its determinant; undefined where ``m`` is singular."""
    n = len(m)
    det = determinant(m, zero)
    size = max((abs(real(x)) for row in m for x in row), default=0)
    if abs(real(det)) <= (1 + size) ** n * 10 ** (-(digits // 2)):
        raise Undefined("the matrix inverted is singular here")
    over = inverse(det)

    def entry(i: int, j: int) -> Any:
        cofactor = determinant(minor(m, j, i), zero) if n > 1 else 1
        return mul(scale(cofactor, -1) if (i + j) % 2 else cofactor, over)

    return tuple(tuple(entry(i, j) for j in range(n)) for i in range(n))
