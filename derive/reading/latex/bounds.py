r"""The limits of ``\sum`` and ``\prod``: bound indices, ranges and exclusions.

``\sum_{k=1}^{K}`` ranges over ``k = 1..K``; ``\sum_k`` and ``\sum_{k}`` over
``1..size(k)``; ``\sum_{k \neq j}`` also excludes ``k = j`` (the caller multiplies the
body by ``1 - δ_kj``), and ``j`` must then range over ``k``'s size;
``\sum_{\substack{t=1 \\ t \neq j}}^{m}`` and ``\sum_{i=1, i \neq j}^{10}`` combine
both. ``\sum_{i,j}`` binds two indices.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError, UnknownNameError
from derive.model import Scope
from derive.reading.latex.nodes import Node, position, source

NEQ = frozenset({r"\ne", r"\neq"})
BOUND = "a bound of a sum or product must be a scalar"
UPTO = "upto"  # a range's end, from `1 \le k \le K`
STRICT = frozenset({"<", r"\lt"})
LOWER = STRICT | {r"\le", r"\leq", r"\leqslant"}


class Evaluator(Protocol):
    """What the limits need from the reader: the text, the scope and evaluation."""

    text: str
    scope: Scope

    def scalar(self, node: Node, context: str) -> sp.Expr:
        """Return the SymPy value of an expression tree, which must be a scalar."""


@dataclass(frozen=True)
class Limits:
    """Ranges ``(k, lower, upper)`` and excluded deltas ``δ(k, j)`` of a big operator."""

    ranges: tuple[tuple[sp.Expr, sp.Expr, sp.Expr], ...]
    excluded: tuple[sp.Expr, ...]


def read_limits(reader: Evaluator, node: Tree[Token]) -> Limits:
    r"""Read the limits of a ``sum`` or ``prod`` tree.

    Raises:
        LatexError: A condition other than ``=`` or ``\neq``, an upper bound shared
            by several indices, or an excluded index of another size.
        UnknownNameError: A bound index that is not declared.
    """
    head = node.children[0]
    parts = [c for c in node.children[1:-1] if isinstance(c, Tree)]
    lower = next(p for p in parts if p.data == "lower")
    upper = next((p for p in parts if p.data == "upper"), None)
    start = head.start_pos if isinstance(head, Token) and head.start_pos is not None else 0
    written = reader.text[start : lower.meta.end_pos]
    starts: dict[str, sp.Expr] = {}
    where: dict[str, Token] = {}
    excluded: list[tuple[str, sp.Expr]] = []
    ends: dict[str, sp.Expr] = {}
    for key, token, relation, bound, at in _conditions(reader, lower):
        where.setdefault(key, token)
        starts.setdefault(key, sp.Integer(1))
        if relation is not None and relation.startswith(UPTO):
            ends[key] = bound
        elif relation == "=":
            starts[key] = bound
        elif relation is not None and (relation in NEQ or relation.startswith(r"\not")):
            _same_range(reader.scope, key, bound, at)
            excluded.append((key, bound))
        elif relation is not None:
            raise LatexError(
                f"unsupported condition `{relation}` in `{written}`: use `k=1`, or `k \\neq j`",
                position(token),
            )
    if (upper is not None or ends) and len(starts) != 1:
        raise LatexError(
            f"one upper bound for several indices in `{written}`", position(upper or lower)
        )
    ranges = []
    for key, start in starts.items():
        var = _bound_index(reader.scope, key, where[key], written)
        end = _size(reader.scope, key) if upper is None else reader.scalar(upper.children[0], BOUND)
        end = ends.get(key, end)
        ranges.append((var, start, end))
    deltas = tuple(sp.KroneckerDelta(symbols.index(key), bound) for key, bound in excluded)
    return Limits(tuple(ranges), deltas)


def undeclared(reader: Evaluator, node: Tree[Token]) -> tuple[dict[str, str], list[str]]:
    r"""Indices a big operator binds without the front matter declaring them.

    ``\sum_{m=1}^{K}`` ranges over the size its upper limit names; ``\sum_m`` (no upper
    limit) over the document's size when it has exactly one, noted. Returns the new
    index -> size entries and the notes; an index whose range cannot be told is left out
    (and refused where it is read).
    """
    parts = [c for c in node.children[1:-1] if isinstance(c, Tree)]
    lower = next(p for p in parts if p.data == "lower")
    upper = next((p for p in parts if p.data == "upper"), None)
    scope = reader.scope
    taken = set(scope.indices) | set(scope.sizes) | set(scope.names) | set(scope.functions)
    keys = [_key(c) for c in lower.children]
    fresh = [k for k in keys if k is not None and k not in taken]
    if not fresh:
        return {}, []
    if upper is not None and len(keys) == 1:
        top = upper.children[0]
        name = str(top.value) if isinstance(top, Token) else source(reader.text, top).strip()
        if name in scope.sizes:
            return {fresh[0]: name}, []
        return {}, []
    if upper is None and len(scope.sizes) == 1:
        (size,) = scope.sizes
        notes = [f"read `{k}` as an index over 1..{size} (the document's one size)" for k in fresh]
        return dict.fromkeys(fresh, size), notes
    return {}, []


def _key(cond: Node) -> str | None:
    """The index a condition of a big operator's lower limit binds."""
    if isinstance(cond, Token):
        return str(cond.value)
    ivar = cond.children[2] if cond.data == "span" else cond.children[0]
    if not isinstance(ivar, Tree):
        return None
    letter = ivar.children[0]
    return str(letter) + "'" * (len(ivar.children) - 1)


Condition = tuple[str, Token, str | None, sp.Expr, Node]


def _conditions(reader: Evaluator, lower: Tree[Token]) -> list[Condition]:
    found: list[Condition] = []
    for cond in lower.children:
        if isinstance(cond, Token):
            found.append((str(cond.value), cond, None, sp.Integer(1), cond))
            continue
        if cond.data == "span":
            found += _span(reader, cond)
            continue
        ivar, *rest = cond.children
        assert isinstance(ivar, Tree)
        letter = ivar.children[0]
        assert isinstance(letter, Token)
        key = str(letter.value) + "'" * (len(ivar.children) - 1)
        if not rest:
            found.append((key, letter, None, sp.Integer(1), letter))
            continue
        relation, bound = rest
        found.append((key, letter, str(relation), reader.scalar(bound, BOUND), bound))
    return found


def _span(reader: Evaluator, cond: Tree[Token]) -> list[Condition]:
    r"""``1 \le k \le K`` (``<`` for a strict bound): a start and an end for ``k``.

    Raises:
        LatexError: A relation other than ``\le`` or ``<`` on either side.
    """
    low, first, ivar, second, high = cond.children
    assert isinstance(ivar, Tree) and isinstance(low, Token)
    letter = ivar.children[0]
    assert isinstance(letter, Token)
    key = str(letter.value) + "'" * (len(ivar.children) - 1)
    relations = [str(first), str(second)]
    if not all(r in LOWER for r in relations):
        raise LatexError(
            f"a range `{source(reader.text, cond)}` is read with `\\le` or `<` on both sides: "
            "write `1 \\le k \\le K`",
            position(cond),
        )
    start = sp.Integer(int(str(low))) + (1 if relations[0] in STRICT else 0)
    end = reader.scalar(high, BOUND) - (1 if relations[1] in STRICT else 0)
    return [(key, letter, "=", start, low), (key, letter, UPTO, end, high)]


def _same_range(scope: Scope, key: str, bound: sp.Expr, node: Node) -> None:
    r"""In ``k \neq j``, a declared index ``j`` must range over ``k``'s size."""
    if not isinstance(bound, sp.Symbol) or key not in scope.indices:
        return
    other = scope.indices.get(bound.name)
    if other is not None and other != scope.indices[key]:
        raise LatexError(
            f"excluded index `{bound.name}` ranges over {other}, not over "
            f"{scope.indices[key]} like `{key}`",
            position(node),
        )


def _bound_index(scope: Scope, key: str, token: Token, written: str) -> sp.Expr:
    if key not in scope.indices:
        raise UnknownNameError(
            f"undefined index `{key}` in `{written}`: declare it under [indices]",
            position(token),
        )
    return symbols.index(key)


def _size(scope: Scope, key: str) -> sp.Expr:
    return symbols.size(scope.indices[key])
