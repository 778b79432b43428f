r"""How far a subscript with arithmetic reaches: ``x_{i+k-1}`` within ``x``'s entries.

Each index in the subscript ranges over the limits of the sum that binds it, or else
over ``1..size`` of its declaration. The least and the greatest value of the subscript
follow from the signs of its coefficients; both must stay within ``1..`` the axis's
size for every size, or the use is refused, unless the document pads the name with
zeros (``[padding] x = "zero"``). The comparison is sound, not complete: it holds when
it is shown with every size and index at least 1, and otherwise the use is refused with
what to write.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import sympy as sp

from derive import symbols

if TYPE_CHECKING:
    from derive.errors import Position
    from derive.meaning.names import Mistake, Names


@dataclass(frozen=True)
class Pending:
    """An affine use met before its axis had a size, with the sums around it."""

    node: sp.Indexed
    axis: int
    index: sp.Expr
    spans: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]]
    source: tuple[str, Position] | None = None  # where it was written


def unsized(names: Names, node: sp.Indexed) -> list[Pending]:
    """The affine subscripts of a first use, to check once their axes are known."""
    return [
        Pending(node, n, index, dict(names.spans), names.source)
        for n, index in enumerate(node.indices)
        if names.size_of(index) is None and is_affine(index)
    ]


def is_affine(index: sp.Expr) -> bool:
    r"""True for a subscript with arithmetic (``i+k-1``, ``2i``), not a letter or a number.

    A letter a sum binds without a declaration (the ``p`` of ``z_1 + \dots + z_3``) keeps
    the rules of a plain index: its sum's limits are checked as a sum's.
    """
    return not (index.is_Integer or isinstance(index, sp.Symbol))


def settled(names: Names, name: str, axis: int, size: str) -> Iterator[Mistake]:
    """Check the earlier affine uses of ``name``'s axis now that it ranges over ``size``."""
    waiting = [p for p in names.pending if p.axis == axis and symbols.base_name(p.node) == name]
    names.pending = [p for p in names.pending if p not in waiting]
    current = names.spans
    try:
        for use in waiting:
            names.spans = use.spans
            found = check(names, use.node, use.index, size)
            if found is not None:
                yield replace(found, source=use.source)
    finally:
        names.spans = current


def unsized_padding(names: Names) -> Mistake | None:
    """A zero-padded name used only with arithmetic subscripts: its size is unknown.

    Which entries are 0 depends on the size, so the use is refused with what to write.
    """
    from derive.meaning.names import Mistake, shown

    for use in names.pending:
        name = symbols.base_name(use.node) or ""
        if name in names.doc.padded:
            return Mistake(
                f"`{shown(use.node)}`: `{name}` is zero-padded, but no use says how many "
                f'entries it has; declare its size (`[shapes] {name} = "N"`) or write '
                f"an entry with a plain index (`{name}_i`)",
                use.node,
                use.source,
            )
    return None


def check(names: Names, node: sp.Indexed, index: sp.Expr, axis: str | None) -> Mistake | None:
    """A use ``x_{i+k-1}`` that may leave ``x``'s range, or None when it cannot."""
    from derive.meaning.names import Mistake, shown

    name = symbols.base_name(node) or ""
    if axis is None or name in names.doc.padded:
        return None
    span = extremes(names, index)
    if span is None:
        return None
    low, high = span
    top: sp.Expr = (
        sp.Integer(names.doc.fixed[axis]) if axis in names.doc.fixed else symbols.size(axis)
    )
    fix = f'declare zero padding (`[padding] {name} = "zero"`) or narrow the range'
    if not at_most(1 - low):
        return Mistake(
            f"`{shown(node)}` reaches index {low}, below 1 (subscripts count from 1); {fix}",
            node,
        )
    if not at_most(high - top):
        return Mistake(
            f"`{shown(node)}` reaches index {high}, past {name}'s {top} entries; {fix}", node
        )
    return None


def extremes(names: Names, index: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """The least and greatest value of an affine subscript, or None if one is unknown.

    A limit that names another index (``Σ_{k=1}^{j-1}``, j over K) is bounded in turn by
    that index's own range, until only sizes and numbers are left.
    """
    span = one_step(names, index)
    for _ in range(DEPTH):
        if span is None:
            return None
        low, high = span
        if not _indices(names, low) and not _indices(names, high):
            return span
        below, above = one_step(names, low), one_step(names, high)
        if below is None or above is None:
            return None
        span = below[0], above[1]
    return None


DEPTH = 8  # sums nested deeper than this, each bounded by the next, are not followed


def _indices(names: Names, expr: sp.Expr) -> bool:
    """True when ``expr`` still holds an index (not only sizes and numbers)."""
    return any(s.name not in names.doc.sizes for s in expr.free_symbols if isinstance(s, sp.Symbol))


def one_step(names: Names, index: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """The least and greatest value of ``index`` over the ranges of its own indices."""
    low: sp.Expr = sp.S.Zero
    high: sp.Expr = sp.S.Zero
    for term in sp.Add.make_args(sp.expand(index)):
        coeff, rest = term.as_coeff_Mul()
        if rest == 1:
            low, high = low + coeff, high + coeff
            continue
        span = span_of(names, rest)
        if span is None:
            return None
        lo, hi = span
        low += coeff * (lo if coeff > 0 else hi)
        high += coeff * (hi if coeff > 0 else lo)
    return low, high


def span_of(names: Names, var: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """The range of one index: a sum's limits, its declaration, or a size (itself)."""
    if not isinstance(var, sp.Symbol):
        return None
    if var in names.spans:
        return names.spans[var]
    if var.name in names.doc.sizes:
        return var, var
    size = names.size_of(var)
    if size is None:
        return None
    top = sp.Integer(names.doc.fixed[size]) if size in names.doc.fixed else symbols.size(size)
    return sp.S.One, top


def at_most(expr: sp.Expr) -> bool:
    """True when ``expr ≤ 0`` for every value ≥ 1 of its (integer) symbols.

    With each symbol written as ``1 + s`` (``s ≥ 0``), a polynomial whose coefficients
    are all at most 0 is at most 0.
    """
    free = [s for s in expr.free_symbols if isinstance(s, sp.Symbol)]
    if any(not s.is_integer for s in free):
        return False
    shifted = sp.expand(expr.xreplace({s: s + 1 for s in free}))
    if not free:
        return bool(shifted <= 0)
    try:
        poly = sp.Poly(shifted, *free)
    except sp.PolynomialError:
        return False
    return all(c <= 0 for c in poly.coeffs())
