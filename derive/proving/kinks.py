r"""Piecewise values in the concrete check: ``Piecewise``, ``Max``, ``Min``, ``|x|``, steps.

They are evaluated in real arithmetic only (no order modulo a prime). A condition is
decided by the sign of ``left − right``. Under a derivative, a point on a condition's
boundary is a kink, where the derivative is undefined: such a point is passed over and
never refutes a claim (``\frac{d}{dx}\max(0, x)`` at ``x = 0``); so is a tie for the
largest term of ``\max_k z_k``. A difference that is
zero to the working precision but not exactly is passed over too: its side is unknown.
"""

from __future__ import annotations

from typing import Any

import sympy as sp

from derive.proving.arithmetic import NotExact, NotSupported, Real, Undefined
from derive.symbols import Extremum, base_name

Dual = tuple[Any, Any]

ORDERS = {
    sp.StrictGreaterThan: lambda d: d > 0,
    sp.GreaterThan: lambda d: d >= 0,
    sp.StrictLessThan: lambda d: d < 0,
    sp.LessThan: lambda d: d <= 0,
    sp.Eq: lambda d: d == 0,
    sp.Ne: lambda d: d != 0,
}


def sign_of(ev: Any, difference: sp.Expr) -> Any:
    """The value of ``difference``, refused where its side cannot be told or is a kink."""
    if not isinstance(ev.a, Real):
        if hasattr(ev.a, "p"):
            raise NotExact("a comparison (no order modulo a prime)")
        raise NotSupported("a comparison inside a higher derivative")
    return settled(ev, ev.dual(difference)[0], moves(ev, difference))


def moves(ev: Any, node: sp.Basic) -> bool:
    """True under a derivative whose variable ``node`` may hold (by name: ``z_k`` for ``z_2``).

    A condition on other inputs does not move with the derivative: on its boundary the
    derivative exists and the condition is decided as written (``∂/∂x (x·[y > 0])`` at y = 0).
    """
    if ev.seed is None:
        return False
    return any(base_name(a) == ev.seed[0] for a in node.atoms(sp.Symbol, sp.Indexed))


def settled(ev: Any, value: Any, moving: bool) -> Any:
    """A difference's value, refused on a kink under a derivative or too close to call."""
    if value == 0 and moving:
        raise Undefined("a derivative at a kink")
    if value != 0 and ev.a.equal(value, ev.zero):
        raise Undefined("a comparison too close to call")
    return value


def holds(ev: Any, condition: sp.Basic) -> bool:
    """Whether ``condition`` holds at the current point."""
    if condition is sp.true or condition is sp.false:
        return bool(condition)
    if isinstance(condition, sp.And):
        return all(holds(ev, c) for c in condition.args)
    if isinstance(condition, sp.Or):
        return any(holds(ev, c) for c in condition.args)
    if isinstance(condition, sp.Not):
        return not holds(ev, condition.args[0])
    if isinstance(condition, sp.ITE):
        first, then, otherwise = condition.args
        return holds(ev, then) if holds(ev, first) else holds(ev, otherwise)
    decide = ORDERS.get(type(condition))
    if decide is None:
        raise NotSupported(f"cannot evaluate the condition {condition}")
    return bool(decide(sign_of(ev, condition.lhs - condition.rhs)))


def piecewise(ev: Any, node: sp.Piecewise) -> Dual:
    """The first branch whose condition holds."""
    for value, condition in node.args:
        if holds(ev, condition):
            result: Dual = ev.dual(value)
            return result
    raise Undefined("no branch holds")


def extreme(ev: Any, node: sp.Max | sp.Min) -> Dual:
    """``Max`` or ``Min``: the argument that wins; a tie under a derivative is a kink."""
    best = node.args[0]
    up = isinstance(node, sp.Max)
    for arg in node.args[1:]:
        d = sign_of(ev, arg - best)
        if (d > 0) if up else (d < 0):
            best = arg
    result: Dual = ev.dual(best)
    return result


def over_index(ev: Any, node: Extremum) -> Dual:
    r"""``\max_k f_k`` (``\min_k``): the winning term; a tie for it under a derivative is a kink."""
    var, lo, hi = node.limits[0]
    terms = []
    saved = ev.env.get(var)
    try:
        for n in range(ev.integer(lo), ev.integer(hi) + 1):
            ev.env[var] = n
            terms.append(ev.dual(node.function))
    finally:
        if saved is None:
            ev.env.pop(var, None)
        else:
            ev.env[var] = saved
    if not terms:
        raise Undefined("a maximum over no entries")
    if not isinstance(ev.a, Real):
        sign_of(ev, sp.S.Zero)  # refused as any comparison is
    minus = ev.a.number(sp.S.NegativeOne)
    moving = moves(ev, node)
    best: Dual = terms[0]
    for term in terms[1:]:
        d = settled(ev, ev.a.add(term[0], ev.a.mul(minus, best[0])), moving)
        if (d > 0) if node.largest else (d < 0):
            best = term
    for term in terms:
        if term is not best:
            settled(ev, ev.a.add(term[0], ev.a.mul(minus, best[0])), moving)  # a tie: a kink
    return best


def absolute(ev: Any, node: sp.Abs) -> Dual:
    """``|x|``: ``x`` or ``−x`` by its sign; undefined slope at 0."""
    inner = node.args[0]
    result: Dual = ev.dual(inner if sign_of(ev, inner) >= 0 else -inner)
    return result


def step(ev: Any, node: sp.Heaviside | sp.sign) -> Dual:
    """A step or a sign from SymPy's derivative of a kink: undefined at 0."""
    value = sign_of(ev, node.args[0])
    if value == 0:
        raise Undefined("a step at its kink")
    low = ev.zero if isinstance(node, sp.Heaviside) else ev.a.number(sp.S.NegativeOne)
    return (ev.one if value > 0 else low), ev.zero
