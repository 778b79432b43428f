r"""Piecewise values: ``\max``, ``\min``, ``|x|``, indicators and comparisons of scalars.

``\max(a, b)`` is SymPy's ``Max``, ``|x|`` its ``Abs``, and an indicator of a comparison
``1\{x > 0\}`` (``\mathbb{1}[x > 0]``, ``\mathbb{1}_{x > 0}``) the ``Piecewise`` that is
1 where the comparison holds and 0 elsewhere. ``\max_k z_k`` (``\min_k``) over an index
is :class:`~derive.symbols.IndexMax` (``IndexMin``). Comparisons are between real scalars:
one between indices (``j < k``) is refused, as the index calculus has no order.
"""

from __future__ import annotations

import itertools

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError
from derive.reading.latex.bounds import Limits
from derive.reading.latex.nodes import position
from derive.symbols import IndexMax, IndexMin

ORDERS = {
    "<": sp.StrictLessThan,
    r"\lt": sp.StrictLessThan,
    ">": sp.StrictGreaterThan,
    r"\gt": sp.StrictGreaterThan,
    r"\le": sp.LessThan,
    r"\leq": sp.LessThan,
    r"\leqslant": sp.LessThan,
    r"\ge": sp.GreaterThan,
    r"\geq": sp.GreaterThan,
    r"\geqslant": sp.GreaterThan,
}
EQUALITY = {"=": sp.Eq, r"\ne": sp.Ne, r"\neq": sp.Ne}


def is_order(relation: Token) -> bool:
    r"""True for ``<``, ``>``, ``\le``, ``\geq`` and their spellings."""
    return str(relation.value) in ORDERS


def comparison(relation: Token, a: sp.Expr, b: sp.Expr, what: str) -> sp.Basic:
    r"""Return the SymPy relational ``a op b`` between real scalars.

    Args:
        relation: The ``REL`` token.
        a: The left side.
        b: The right side.
        what: Where the comparison is written (``"an indicator"``), for messages.

    Raises:
        LatexError: An order between indices or integers, or a relation not read.
    """
    op = str(relation.value)
    if op.startswith(r"\not"):
        op = r"\ne"
    maker = ORDERS.get(op) or EQUALITY.get(op)
    if maker is None:
        raise LatexError(f"unsupported relation `{op}` in {what}", position(relation))
    if op in ORDERS and a.is_integer and b.is_integer and not (a.is_number and b.is_number):
        raise LatexError(
            f"{what} compares indices with `{op}`: derive reads `=` and `\\neq` between "
            "indices, and orders between real scalars only",
            position(relation),
        )
    result: sp.Basic = maker(a, b)
    return result


def indicator(condition: sp.Basic) -> sp.Expr:
    """Return 1 where ``condition`` holds and 0 elsewhere."""
    value: sp.Expr = sp.Piecewise((sp.S.One, condition), (sp.S.Zero, True))
    return value


def extreme(kind: str, values: list[sp.Expr]) -> sp.Expr:
    r"""``\max`` or ``\min`` of real scalars."""
    result: sp.Expr = (sp.Max if kind == r"\max" else sp.Min)(*values)
    return result


def over_index(node: Tree[Token], limits: Limits, body: sp.Expr, written: str) -> sp.Expr:
    r"""``\max_k f_k`` or ``\min_k f_k`` over one index, with no index left out.

    Its body is one factor: ``\max_k z_k w`` could be ``\max_k (z_k w)`` or
    ``(\max_k z_k) w``, which differ where ``w < 0``, so it is refused.

    Raises:
        LatexError: Several indices, one left out (``\max_{k \neq y}``), or a body of
            several factors.
    """
    head = node.children[0]
    assert isinstance(head, Token)
    term = node.children[-1]
    if isinstance(term, Tree) and term.data == "product" and len(term.children) > 1:
        raise LatexError(
            f"`{head}_… {written.strip()}` could take the maximum of the product or of its "
            f"first factor: write `{head}_k ({written.strip()})` or put the others before",
            position(head),
        )
    if len(limits.ranges) != 1 or limits.excluded:
        raise LatexError(
            f"`{head}` over an index reads one index and its whole range (`{head}_k z_k`, "
            f"`{head}_{{1 \\le k \\le K}} z_k`): write one with a condition as a `cases`",
            position(head),
        )
    kind = IndexMax if str(head) == r"\max" else IndexMin
    result: sp.Expr = kind(body, limits.ranges[0])
    return result


def coverage_problem(pieces: list[tuple[sp.Expr, sp.Basic]]) -> str:
    r"""Say where rows of ``cases`` leave a value out or overlap with different values.

    The conditions must compare one quantity ``u`` (``x > 0``, ``x \le 0``; ``|x| \le δ``
    and otherwise), so that each is a set of real numbers: their union must be all of
    them (unless the last row says ``\text{otherwise}``), and where two overlap their
    values must agree. Conditions on several quantities are read only as one row and
    ``\text{otherwise}``. Empty when the rows are fine.
    """
    conditions = [c for _, c in pieces if c is not sp.true]
    otherwise = len(conditions) < len(pieces)
    if otherwise and len(conditions) <= 1:
        return ""
    quantity = _one_quantity(conditions)
    if quantity is None:
        return (
            "its conditions compare different quantities: write one condition and "
            r"`\text{otherwise}`, or nest a `cases` in a row"
        )
    u = sp.Dummy("u", real=True)
    sets = [_as_set(c, quantity, u) for c in conditions]
    if not otherwise and sp.Union(*sets) != sp.S.Reals:
        left_out = sp.Complement(sp.S.Reals, sp.Union(*sets))
        return f"no condition holds where {quantity} is in {left_out}: add a row"
    for i, j in itertools.combinations(range(len(sets)), 2):
        both = sp.Intersection(sets[i], sets[j])
        if both is sp.S.EmptySet:
            continue
        if not _agree(pieces[i][0], pieces[j][0], quantity, both):
            return (
                f"two rows hold where {quantity} is in {both} with different values: "
                r"make the conditions exclusive (`x > 0`, then `x \le 0`)"
            )
    return ""


def _one_quantity(conditions: list[sp.Basic]) -> sp.Expr | None:
    """The one quantity every condition compares with 0 (up to its sign), or None."""
    found: sp.Expr | None = None
    for condition in conditions:
        difference = sp.expand(condition.lhs - condition.rhs)
        if found is None or sp.expand(difference - found) == 0:
            found = found if found is not None else difference
            continue
        if sp.expand(difference + found) != 0:
            return None
    return found


def _as_set(condition: sp.Basic, quantity: sp.Expr, u: sp.Dummy) -> sp.Set:
    """The set of values of ``quantity`` where ``condition`` holds."""
    difference = sp.expand(condition.lhs - condition.rhs)
    side = u if sp.expand(difference - quantity) == 0 else -u
    rel = type(condition)(side, 0)
    found: sp.Set = rel.as_set() if rel not in (sp.true, sp.false) else sp.S.Reals
    return found if rel is not sp.false else sp.S.EmptySet


def _agree(a: sp.Expr, b: sp.Expr, quantity: sp.Expr, where: sp.Set) -> bool:
    """True when two values are equal wherever ``quantity`` lies in ``where``."""
    if sp.expand(a - b) == 0:
        return True
    if not isinstance(where, sp.FiniteSet):
        return False
    for symbol in sorted(quantity.free_symbols, key=str):
        coefficient = sp.diff(quantity, symbol)
        if coefficient.free_symbols or coefficient == 0:
            continue
        base = quantity.subs(symbol, 0)
        return all(
            sp.expand((a - b).subs(symbol, (point - base) / coefficient)) == 0 for point in where
        )
    return False
