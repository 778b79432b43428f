r"""Determinants and inverses at concrete sizes, for :mod:`~derive.proving.evaluate`.

A :class:`~derive.symbols.Determinant` or :class:`~derive.symbols.InverseEntry` has no
all-K normal form: the prover evaluates it at each concrete size, its matrix entry by
entry, by Gauss–Jordan elimination over dual numbers ``(value, derivative)`` in the
evaluator's arithmetic (exact modulo p, or mpmath reals), so that a derivative of a
determinant or inverse is exact too. A singular draw leaves an inverse undefined at that
point (another point is drawn); a singular matrix's determinant is summed over
permutations (its value is 0, its derivative need not be). Matrices larger than
:data:`MAX_ORDER` are not evaluated (nor tried): the second opinion sums ``n!``
products per determinant.
"""

from __future__ import annotations

import itertools
from typing import Any

import sympy as sp

from derive.proving.arithmetic import NotSupported, Undefined
from derive.symbols import Determinant, InverseEntry, SquareForm

Dual = tuple[Any, Any]
MAX_ORDER = 4  # the second opinion sums 4! = 24 products per determinant


def determinant(ev: Any, node: Determinant) -> Dual:
    """``det`` of the matrix at this size, with its derivative."""
    m = matrix_of(ev, node)
    found = solved(ev, m)
    return found[0] if found is not None else permutations(ev, m)


def inverse_entry(ev: Any, node: InverseEntry) -> Dual:
    """Entry ``(i, j)`` of the inverse at this size; undefined where it is singular."""
    m = matrix_of(ev, node)
    n = len(m)
    i, j = (ev.integer(x) for x in node.at)
    if not (1 <= i <= n and 1 <= j <= n):
        raise Undefined(f"entry ({i}, {j}) of an inverse of size {n}")
    found = solved(ev, m)
    if found is None:
        raise Undefined("the matrix inverted is singular at this point")
    return found[1][i - 1][j - 1]


def matrix_of(ev: Any, node: SquareForm) -> list[list[Dual]]:
    """The matrix's entries at this size, as duals (the bound indices restored after)."""
    n = ev.integer(node.size)
    if n > MAX_ORDER:
        raise NotSupported(
            f"a determinant or inverse is evaluated up to size {MAX_ORDER} (here {n})"
        )
    p, q = node.bound
    saved = {s: ev.env.get(s) for s in (p, q)}
    try:
        rows = []
        for a in range(1, n + 1):
            ev.env[p] = a
            row = []
            for b in range(1, n + 1):
                ev.env[q] = b
                row.append(ev.dual(node.entry))
            rows.append(row)
    finally:
        for s, old in saved.items():
            if old is None:
                ev.env.pop(s, None)
            else:
                ev.env[s] = old
    return rows


def solved(ev: Any, m: list[list[Dual]]) -> tuple[Dual, list[list[Dual]]] | None:
    """:func:`eliminate`, once per matrix of values (each entry of an inverse asks)."""
    try:
        key = ("square", tuple(tuple(row) for row in m))
        hash(key)
    except TypeError:  # values that do not hash: no memo
        return eliminate(ev, m)
    if key not in ev.memo:
        ev.memo[key] = eliminate(ev, m)
    found: tuple[Dual, list[list[Dual]]] | None = ev.memo[key]
    return found


def eliminate(ev: Any, m: list[list[Dual]]) -> tuple[Dual, list[list[Dual]]] | None:
    """Gauss–Jordan on ``[m | I]``: ``(det, inverse)``, or ``None`` when ``m`` is singular."""
    n = len(m)
    one, zero = (ev.one, ev.zero), (ev.zero, ev.zero)
    rows = [list(r) + [one if c == k else zero for c in range(n)] for k, r in enumerate(m)]
    det: Dual = one
    for k in range(n):
        pivot = next((r for r in range(k, n) if not ev.a.equal(rows[r][k][0], ev.zero)), None)
        if pivot is None:
            return None
        if pivot != k:
            rows[k], rows[pivot] = rows[pivot], rows[k]
            det = neg(ev, det)
        det = dmul(ev, det, rows[k][k])
        scale = dinv(ev, rows[k][k])
        rows[k] = [dmul(ev, scale, x) for x in rows[k]]
        for r in range(n):
            if r != k:
                factor, pivot_row = rows[r][k], rows[k]
                rows[r] = [
                    dsub(ev, x, dmul(ev, factor, y))
                    for x, y in zip(rows[r], pivot_row, strict=True)
                ]
    return det, [row[n:] for row in rows]


def permutations(ev: Any, m: list[list[Dual]]) -> Dual:
    """``det`` as the sum over permutations (for a singular matrix)."""
    total: Dual = (ev.zero, ev.zero)
    for perm in itertools.permutations(range(len(m))):
        term: Dual = (ev.one, ev.zero)
        for row, col in enumerate(perm):
            term = dmul(ev, term, m[row][col])
        total = dsub(ev, total, term) if odd(perm) else dadd(ev, total, term)
    return total


def odd(perm: tuple[int, ...]) -> bool:
    """True for an odd permutation (an odd number of inversions)."""
    return sum(a > b for a, b in itertools.combinations(perm, 2)) % 2 == 1


def dadd(ev: Any, x: Dual, y: Dual) -> Dual:
    """``x + y``."""
    return ev.a.add(x[0], y[0]), ev.a.add(x[1], y[1])


def neg(ev: Any, x: Dual) -> Dual:
    """``−x``."""
    minus = ev.a.number(sp.S.NegativeOne)
    return ev.a.mul(minus, x[0]), ev.a.mul(minus, x[1])


def dsub(ev: Any, x: Dual, y: Dual) -> Dual:
    """``x − y``."""
    return dadd(ev, x, neg(ev, y))


def dmul(ev: Any, x: Dual, y: Dual) -> Dual:
    """``x y``, by the product rule."""
    a = ev.a
    return a.mul(x[0], y[0]), a.add(a.mul(x[0], y[1]), a.mul(x[1], y[0]))


def dinv(ev: Any, x: Dual) -> Dual:
    """``1 / x`` and ``−x′ / x²``."""
    a = ev.a
    inverse = a.inv(x[0])
    return inverse, a.mul(a.number(sp.S.NegativeOne), a.mul(x[1], a.mul(inverse, inverse)))
