r"""Ellipses: ``e^{z_1} + \dots + e^{z_K}`` and ``(y_1 - t_1, \dots, y_K - t_K)``.

An ellipsis abbreviates a pattern, and derive reads it only where the pattern is clear:
the terms written around ``\dots`` (``\cdots``, ``\ldots``) must be the same LaTeX except
in subscripts, where the first term writes one integer ``lo`` and the last one ``hi``
(an integer or a size) everywhere they differ. The pattern is then the first term with
a fresh index ``n`` in place of ``lo``, read as ``Σ_{n=lo}^{hi}`` in a sum and as the row
``(T(lo), …, T(hi))`` in parentheses.
A second term written before the ellipsis must be the pattern at ``lo + 1``. Every
reading is noted, so the verdict shows what was read.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError
from derive.model import Scope
from derive.reading.latex.decorations import blank_labels
from derive.reading.latex.nodes import Node, offsets, position

FRESH = ("n", "m", "p", "q", "r", "s", "l", "u", "v", "a", "b", "c")
MAX_ENTRIES = 1000
TERM = "the terms of an ellipsis are scalars"
UNCLEAR = (
    r"the terms around `{dots}` must differ only in their subscripts, where the first "
    r"writes one number and the last another number or a size (`x_1 + \dots + x_K`, "
    r"`(y_1 - t_1, \dots, y_K - t_K)`); write the sum as `\sum_{{n=1}}^{{K}}` instead"
)

# (template text, scope) -> its value; the reader supplies it.
Read = Callable[[str, Scope], sp.Expr]
Value = Callable[[Node], sp.Expr]


@dataclass(frozen=True)
class Pattern:
    """``T(n)`` for ``n = lo..hi``: the template's value with its fresh index."""

    value: sp.Expr
    index: sp.Symbol
    lo: sp.Expr
    hi: sp.Expr
    template: str  # the pattern as LaTeX, for the note
    key: str

    def note(self, what: str, row: bool = False, vector: bool = False) -> str:
        """How the ellipsis was read, for the step's message."""
        if vector:
            span = f"{self.key} = {self.lo}..{self.hi}"
            return f"read `{what}` as the vector of `{self.template}` for {span}"
        if row:
            span = f"{self.key} = {self.lo}..{self.hi}"
            return f"read `{what}` as the row of `{self.template}` for {span}"
        return f"read `{what}` as `\\sum_{{{self.key}={self.lo}}}^{{{self.hi}}} {self.template}`"


def is_dots(node: Node) -> bool:
    """Tell whether ``node`` is an ellipsis."""
    return isinstance(node, Tree) and node.data == "dots"


def find(text: str, scope: Scope, first: Node, last: Node, value: Value, read: Read) -> Pattern:
    """The pattern whose first term is ``first`` and whose last is ``last``.

    Raises:
        LatexError: The terms differ elsewhere than in subscripts, or not by one shift.
    """
    pairs = _differences(first, last, inside=False)
    where = position(first)
    if not pairs:
        raise LatexError(UNCLEAR.format(dots=r"\dots"), where)
    lows = [value(a) for a, _ in pairs]
    highs = [value(b) for _, b in pairs]
    lo = lows[0]
    shift = sp.expand(highs[0] - lo)
    if not lo.is_Integer or any(
        low != lo or sp.expand(high - low - shift) != 0
        for low, high in zip(lows, highs, strict=True)
    ):
        raise LatexError(UNCLEAR.format(dots=r"\dots"), where)
    hi = highs[0]
    if not (hi.is_Integer or (hi.is_Symbol and hi.is_integer)) or (hi.is_Integer and hi < lo):
        raise LatexError(
            f"the last term before the end of `\\dots` must count up from {lo} to an integer "
            "or a size",
            position(last),
        )
    key = _fresh(text, scope)
    size = _size_of(hi, scope, last)
    template = _template(blank_labels(text), first, [a for a, _ in pairs], key)
    wider = replace(scope, indices={**scope.indices, key: size})
    index = symbols.index(key)
    return Pattern(read(template, wider), index, lo, hi, template, key)


def at(pattern: Pattern, n: sp.Expr) -> sp.Expr:
    """The pattern's term at ``n``."""
    return pattern.value.xreplace({pattern.index: n})


def check_ends(pattern: Pattern, ends: Sequence[tuple[sp.Expr, Node, sp.Expr]]) -> None:
    """Refuse a pattern that is not its first and last terms at its ends.

    ``h_1``, ``h_2``, ``h_3`` defined one by one are names of their own: the pattern
    ``h_n`` would be the entries of another, unrelated vector.

    Raises:
        LatexError: A written term, read as written, is not the pattern at its end.
    """
    for written, node, n in ends:
        if sp.expand(at(pattern, n) - written) != 0:
            raise LatexError(
                f"`{pattern.template}` at {n} is not this term as written (is it a name of its "
                "own, defined one by one?): derive reads an ellipsis only over the entries of "
                "one vector; write the terms out",
                position(node),
            )


def check_second(pattern: Pattern, second: sp.Expr, node: Node) -> None:
    """Refuse a second term that is not the pattern at ``lo + 1``."""
    if sp.expand(at(pattern, pattern.lo + 1) - second) != 0:
        raise LatexError(
            f"this term is not the pattern of `\\dots` at {pattern.lo + 1}; "
            "derive reads an ellipsis only where its terms follow one pattern",
            position(node),
        )


def as_sum(pattern: Pattern) -> sp.Expr:
    """``Σ_{n=lo}^{hi} T(n)``."""
    return sp.Sum(pattern.value, (pattern.index, pattern.lo, pattern.hi))


def as_row(pattern: Pattern, node: Node) -> sp.Expr:
    """The row vector ``(T(lo), …, T(hi))``; its length must be a number."""
    count = pattern.hi - pattern.lo + 1
    if pattern.lo == 1 and isinstance(pattern.hi, sp.Symbol) and not count.is_Integer:
        return symbols.Vector(pattern.value, pattern.index, pattern.hi)  # `(y_1, …, y_K)`
    if not count.is_Integer:
        raise LatexError(
            f"a vector written with `\\dots` from {pattern.lo} up to `{pattern.hi}`: derive "
            "reads written-out vectors from 1 to a number or a size, such as "
            "`(y_1, \\dots, y_K)`, or their entries, such as `y_k - t_k`",
            position(node),
        )
    if count > MAX_ENTRIES:
        raise LatexError(f"a written-out vector of more than {MAX_ENTRIES} entries", position(node))
    entries = [at(pattern, pattern.lo + n) for n in range(int(count))]
    return sp.ImmutableMatrix(1, int(count), entries)


def _differences(a: Node, b: Node, inside: bool) -> list[tuple[Node, Node]] | None:
    """The pairs of subscript parts where ``a`` and ``b`` differ; None if they differ elsewhere.

    Inside a subscript the parts compared are its one-character script (``_1``) or the
    items of its expression (``1`` and ``j`` of ``_{1j}``).
    """
    if a == b:
        return []
    if inside and (isinstance(a, Token) or isinstance(b, Token) or _is_item(a) or _is_item(b)):
        return [(a, b)]
    if (
        isinstance(a, Tree)
        and isinstance(b, Tree)
        and a.data == b.data
        and len(a.children) == len(b.children)
    ):
        found: list[tuple[Node, Node]] = []
        for x, y in zip(a.children, b.children, strict=True):
            pairs = _differences(x, y, inside or a.data == "sub")
            if pairs is None:
                return None
            found += pairs
        return found
    return [(a, b)] if inside else None


def _is_item(node: Node) -> bool:
    return isinstance(node, Tree) and node.data == "item"


def _template(text: str, first: Node, holes: Sequence[Node], key: str) -> str:
    r"""The first term's text with each differing subscript part replaced by the fresh index.

    ``text`` has its brace labels blanked (a term's offsets start after a blanked
    ``\underbrace``, so its label would otherwise be read as a subscript).
    """
    start, end = offsets(first)
    out, cursor = [], start
    for node in sorted(holes, key=lambda h: offsets(h)[0]):
        a, b = offsets(node)
        out += [text[cursor:a], key]
        cursor = b
    out.append(text[cursor:end])
    return " ".join("".join(out).split())  # a blanked brace label leaves a run of spaces


def _fresh(text: str, scope: Scope) -> str:
    """A letter for the pattern's index that the text and the scope do not use."""
    taken = set(scope.indices) | set(scope.sizes) | set(scope.names) | set(scope.functions)
    for key in FRESH:
        if key not in taken and not re.search(rf"(?<![\\a-zA-Z]){key}(?![a-zA-Z])", text):
            return key
    return next(f"{key}'" for key in FRESH if f"{key}'" not in taken)


def _size_of(hi: sp.Expr, scope: Scope, last: Node) -> str:
    """The size the fresh index is declared over: the last term's size, or any size."""
    if isinstance(hi, sp.Symbol) and hi.name in scope.sizes:
        return hi.name
    if scope.sizes:
        return sorted(scope.sizes)[0]
    raise LatexError(r"an ellipsis needs a size declared under [sizes]", position(last))
