r"""A case split, ``\begin{cases} … \end{cases}``, read as one piecewise value.

Each row is a value and its condition on indices: ``y_i(1 - y_i) & i = j`` and
``-y_i y_j & i \neq j`` (``\text{if}``, ``\text{for}`` and ``\text{otherwise}`` are
words around it). The value of the split is ``Σ_rows [condition]·value``, with
``[i = j]`` the Kronecker delta ``δ_ij`` and ``[i ≠ j]`` its complement; an
``\text{otherwise}`` row holds where no earlier row does.

The conditions must hold exactly one at a time: they are evaluated for every pattern of
equalities among the indices they compare (each index takes a value among the integers
written in the conditions and as many more), and a split where none or two hold for some
pattern is refused at its position, with that pattern.
"""

from __future__ import annotations

import itertools
from typing import Protocol

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError
from derive.reading.latex.nodes import Node, position, source, subtrees
from derive.reading.latex.piecewise import comparison, coverage_problem, is_order

EQUAL = frozenset({"="})
UNEQUAL = frozenset({r"\ne", r"\neq"})
OTHERWISE = ("otherwise", "else")
CONTEXT = "a value of `cases` must be a scalar"
MAX_INDICES = 4


class Evaluator(Protocol):
    """What a case split needs from the reader: the text and scalar values."""

    text: str

    def scalar(self, node: Node, context: str) -> sp.Expr:
        """Return the SymPy value of an expression tree, which must be a scalar."""


def read_cases(reader: Evaluator, cases: Tree[Token]) -> sp.Expr:
    r"""Return ``Σ [condition]·value`` over the rows of a ``cases`` tree.

    Raises:
        LatexError: A row without a condition (other than a last ``\text{otherwise}``),
            a condition that is not ``=`` or ``\neq`` between indices or integers, or
            conditions that do not hold exactly one at a time.
    """
    rows = subtrees(cases)
    if any(_compares_reals(reader, row) for row in rows):
        return read_piecewise(reader, cases)
    indicators: list[sp.Expr] = []
    total = sp.S.Zero
    for number, row in enumerate(rows):
        value = reader.scalar(row.children[0], CONTEXT)
        indicator = _condition(reader, row)
        if indicator is None:
            if number != len(rows) - 1 or not indicators:
                raise LatexError(
                    "a row of `cases` needs a condition, e.g. `& i = j` or "
                    r"`& \text{if } i \neq j` (only the last may say `\text{otherwise}`)",
                    position(row),
                )
            # Where none of the earlier rows holds: their product, not ``1 − Σ``, which
            # would let two overlapping rows and an ``otherwise`` add up to one.
            indicator = sp.Mul(*(sp.S.One - earlier for earlier in indicators))
        indicators.append(indicator)
        total += indicator * value
    _exactly_one(indicators, cases)
    return total


def _relation(row: Tree[Token]) -> Token | None:
    """The relation of a row's condition, if it has one."""
    parts = row.children[1:]
    return next((c for c in parts if isinstance(c, Token) and c.type == "REL"), None)


def _compares_reals(reader: Evaluator, row: Tree[Token]) -> bool:
    """True when a row's condition is an order, or compares scalars that are not indices."""
    relation = _relation(row)
    if relation is None:
        return False
    if is_order(relation):
        return True
    left, right = (c for c in row.children[1:] if isinstance(c, Tree))
    context = "a condition of `cases` compares scalars"
    sides = (reader.scalar(left, context), reader.scalar(right, context))
    return not all(side.is_integer for side in sides)


def read_piecewise(reader: Evaluator, cases: Tree[Token]) -> sp.Expr:
    r"""Return the ``Piecewise`` of a ``cases`` whose conditions compare real scalars.

    Raises:
        LatexError: A row without a condition (other than the last, ``\text{otherwise}``),
            or conditions that leave a value out or overlap with different values.
    """
    rows = subtrees(cases)
    pieces: list[tuple[sp.Expr, sp.Basic]] = []
    for number, row in enumerate(rows):
        value = reader.scalar(row.children[0], CONTEXT)
        relation = _relation(row)
        if relation is None:
            _condition(reader, row)  # a word such as `\text{if}` without a condition
            if number != len(rows) - 1 or not pieces:
                raise LatexError(
                    "a row of `cases` needs a condition, e.g. `& x > 0` or "
                    r"`& \text{if } x \le 0` (only the last may say `\text{otherwise}`)",
                    position(row),
                )
            pieces.append((value, sp.true))
            continue
        left, right = (c for c in row.children[1:] if isinstance(c, Tree))
        context = "a condition of `cases` compares scalars"
        a, b = reader.scalar(left, context), reader.scalar(right, context)
        pieces.append((value, comparison(relation, a, b, "a condition of `cases`")))
    problem = coverage_problem(pieces)
    if problem:
        raise LatexError(f"`cases` must give one value everywhere, but {problem}", position(cases))
    value, _ = pieces[-1]  # the rows cover every case: the last holds where no other does
    result: sp.Expr = sp.Piecewise(*pieces[:-1], (value, sp.true))
    return result


def _condition(reader: Evaluator, row: Tree[Token]) -> sp.Expr | None:
    """The indicator of a row's condition; None for ``otherwise`` or no condition."""
    words = [c for c in row.children[1:] if isinstance(c, Token) and c.type == "CONDWORD"]
    parts = row.children[1:]
    relation = next((c for c in parts if isinstance(c, Token) and c.type == "REL"), None)
    if relation is None:
        if words and not any(w in str(words[0].value) for w in OTHERWISE):
            raise LatexError(
                f"`{words[0].value}` in `cases` needs a condition such as `i = j`",
                position(words[0]),
            )
        return None
    left, right = (c for c in parts if isinstance(c, Tree))
    context = "a condition of `cases` compares indices"
    a, b = reader.scalar(left, context), reader.scalar(right, context)
    for side, node in ((a, left), (b, right)):
        if not (side.is_integer and (side.is_Symbol or side.is_Integer)):
            raise LatexError(
                f"unsupported condition on `{source(reader.text, node)}` in `cases`: "
                r"derive reads conditions between indices, such as `i = j` or `k \neq j`",
                position(node),
            )
    op = str(relation.value)
    if op in EQUAL:
        return sp.KroneckerDelta(a, b)
    if op in UNEQUAL or op.startswith(r"\not"):
        return sp.S.One - sp.KroneckerDelta(a, b)
    raise LatexError(
        f"unsupported condition `{op}` in `cases`: use `=` or `\\neq` between indices",
        position(relation),
    )


def _exactly_one(indicators: list[sp.Expr], cases: Tree[Token]) -> None:
    """Refuse conditions that, for some pattern of index values, hold none or twice."""
    free = sorted(set().union(*(i.free_symbols for i in indicators)), key=str)
    if len(free) > MAX_INDICES:
        raise LatexError(
            f"`cases` compares more than {MAX_INDICES} indices; derive reads at most that many",
            position(cases),
        )
    written = {int(n) for i in indicators for n in i.atoms(sp.Integer)}
    values = sorted(written | set(range(1, len(free) + 1)) | {max(written, default=0) + 1})
    for point in itertools.product(values, repeat=len(free)):
        at = dict(zip(free, point, strict=True))
        held = sum(int(i.subs(at)) for i in indicators)
        if held != 1:
            pattern = ", ".join(f"{s} = {v}" for s, v in at.items())
            many = "none of its conditions holds" if held == 0 else "two conditions hold"
            raise LatexError(
                f"`cases` must give one value for each case, but at {pattern} {many}: "
                r"make the conditions exclusive (`i = j`, then `i \neq j`)",
                position(cases),
            )
