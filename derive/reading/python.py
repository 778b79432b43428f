r"""Identities built in Python, read: ``lhs = rhs`` as a claim of a document of its own.

For users who never write a document (:func:`derive.api.prove`). Indices and sizes are
SymPy symbols given in ``indices`` (``{j: K}``); vectors are ``IndexedBase`` objects;
sums are ``Sum``; a derivative is ``Derivative(expr, z[j])``. Assumptions are equations
(``Eq``). Nothing here is text, so nothing is parsed.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from derive import symbols
from derive.errors import Position, UsageError
from derive.model import Assumption, Claim, Condition, Document, Scope


def identity(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    assume: Sequence[sp.Eq] = (),
    indices: Mapping[sp.Symbol, sp.Symbol] | None = None,
    distinct: Sequence[tuple[sp.Symbol, sp.Symbol]] = (),
) -> tuple[Document, Claim]:
    """The document (sizes, indices, assumptions) and the claim ``lhs = rhs``.

    Raises:
        UsageError: an index's size is not a symbol, or an assumption is not an equation.
    """
    ranges = dict(indices or {})
    for index, size in ranges.items():
        if not isinstance(index, sp.Symbol) or not isinstance(size, sp.Symbol):
            raise UsageError(f"indices maps index symbols to size symbols, not {index}: {size}")
    size_of = {s: symbols.size(s.name) for s in ranges.values()}
    size_of |= bound_sizes(lhs, rhs, *(a.lhs - a.rhs for a in assume if isinstance(a, sp.Eq)))
    rename = {s: symbols.index(s.name) for s in ranges} | size_of
    size_names = {s.name for s in size_of.values()} - {i.name for i in ranges}
    doc = document(ranges, assume, rename, size_names)
    where = tuple(
        Condition(rename.get(a, a), "!=", rename.get(b, b), f"{a} \\neq {b}") for a, b in distinct
    )
    claim = Claim(
        "identity",
        expression(lhs).xreplace(rename),
        expression(rhs).xreplace(rename),
        f"{lhs} = {rhs}",
        Position(),
        tuple(doc.assumptions),
        where,
    )
    return doc, claim


def expression(value: object) -> sp.Expr:
    """A SymPy expression, or a Python number as one; never text, which is not parsed."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"expected a SymPy expression, not {type(value).__name__}")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def bound_sizes(*exprs: sp.Expr) -> dict[sp.Symbol, sp.Symbol]:
    """Sizes that appear only as sums' upper limits, as derive's size symbols."""
    found = {}
    for expr in exprs:
        for total in expression(expr).atoms(sp.Sum):
            for _, _, hi in total.limits:
                if isinstance(hi, sp.Symbol):
                    found[hi] = symbols.size(hi.name)
    return found


def document(
    ranges: Mapping[sp.Symbol, sp.Symbol],
    assume: Sequence[sp.Eq],
    rename: Mapping[sp.Symbol, sp.Symbol],
    size_names: set[str],
) -> Document:
    """A document holding only sizes, indices and the assumptions."""
    assumptions = {}
    for n, equation in enumerate(assume, 1):
        if not isinstance(equation, sp.Eq):
            raise UsageError(f"an assumption is an equation, Eq(a, b), not {equation}")
        name = f"assumption {n}"
        assumptions[name] = Assumption(
            name,
            equation.lhs.xreplace(rename),
            equation.rhs.xreplace(rename),
            str(equation),
            Position(),
        )
    sizes = dict.fromkeys(sorted(size_names), "")
    indices = {i.name: s.name for i, s in ranges.items()}
    return Document(
        name="python",
        title="identities built in Python",
        path="",
        sizes=sizes,
        indices=indices,
        definitions={},
        assumptions=assumptions,
        claims=(),
        scope=Scope(indices=indices, sizes=frozenset(sizes)),
    )
