r"""Piecewise values for the second opinion: ``Piecewise``, ``Max``, ``Min``, conditions.

A condition compares two values; where it is decided by a value that depends on a
variable being differentiated (a jet) and sits exactly on its boundary (``x = 0`` in
``\max(0, x)`` under ``d/dx``), the derivative is undefined: a kink never decides a
claim about derivatives; nor does a tie for the largest term of ``\max_k z_k``. Away
from derivatives the condition is decided as written.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp

from derive.evaluating.jets import Jet, Undefined, add, real, scale
from derive.evaluating.points import NotEvaluable
from derive.symbols import Extremum

if TYPE_CHECKING:
    from derive.evaluating.interpreter import Interpreter

ORDERS = {
    sp.StrictGreaterThan: lambda d: d > 0,
    sp.GreaterThan: lambda d: d >= 0,
    sp.StrictLessThan: lambda d: d < 0,
    sp.LessThan: lambda d: d <= 0,
    sp.Eq: lambda d: d == 0,
    sp.Ne: lambda d: d != 0,
}


def holds(it: Interpreter, condition: sp.Basic, env: Mapping[sp.Basic, Any]) -> bool:
    """Whether ``condition`` holds at the point; Undefined on a kink under a derivative."""
    if condition is sp.true or condition is sp.false:
        return bool(condition)
    if isinstance(condition, sp.And):
        return all(holds(it, c, env) for c in condition.args)
    if isinstance(condition, sp.Or):
        return any(holds(it, c, env) for c in condition.args)
    if isinstance(condition, sp.Not):
        return not holds(it, condition.args[0], env)
    if isinstance(condition, sp.ITE):
        first, then, otherwise = condition.args
        return holds(it, then, env) if holds(it, first, env) else holds(it, otherwise, env)
    decide = ORDERS.get(type(condition))
    if decide is None:
        raise NotEvaluable(f"cannot evaluate the condition {condition}")
    difference = add(it.value(condition.lhs, env), scale(it.value(condition.rhs, env), -1))
    return bool(decide(_settled(difference)))


def _settled(difference: Any) -> Any:
    """The real value of a difference, refused on a boundary that a derivative crosses."""
    value = real(difference)
    if value == 0 and isinstance(difference, Jet):
        raise Undefined("a derivative at a kink (where a condition changes) is undefined")
    return value


def piecewise(it: Interpreter, node: sp.Piecewise, env: Mapping[sp.Basic, Any]) -> Any:
    """The value of the first branch whose condition holds."""
    for value, condition in node.args:
        if holds(it, condition, env):
            return it.value(value, env)
    raise Undefined("no branch of a piecewise value holds here")


def extreme(it: Interpreter, node: sp.Max | sp.Min, env: Mapping[sp.Basic, Any]) -> Any:
    """``Max`` or ``Min`` of its arguments; a tie under a derivative is a kink."""
    values = [it.value(arg, env) for arg in node.args]
    sign = 1 if isinstance(node, sp.Max) else -1
    best = values[0]
    for value in values[1:]:
        difference = _settled(add(value, scale(best, -1)))
        if sign * difference > 0:
            best = value
    return best


def over_index(it: Interpreter, node: Extremum, env: Mapping[sp.Basic, Any]) -> Any:
    r"""``\max_k f_k`` (``\min_k``): the winning term; a tie for it under a derivative is a kink."""
    var, lo, hi = node.limits[0]
    values = [
        it.value(node.function, {**env, var: n})
        for n in range(it.integer(lo, env), it.integer(hi, env) + 1)
    ]
    if not values:
        raise Undefined("a maximum over no entries is undefined")
    sign = 1 if node.largest else -1
    best = values[0]
    for value in values[1:]:
        if sign * _settled(add(value, scale(best, -1))) > 0:
            best = value
    for value in values:
        if value is not best:
            _settled(add(value, scale(best, -1)))  # a tie for the largest: a kink
    return best


def heaviside(it: Interpreter, node: sp.Heaviside, env: Mapping[sp.Basic, Any]) -> Any:
    """The step of a derivative: 1 above 0, 0 below, undefined at 0 (a kink)."""
    value = real(it.value(node.args[0], env))
    if value == 0:
        raise Undefined("the step at 0 (a kink) is undefined")
    return it.one if value > 0 else it.zero


def sign(it: Interpreter, node: sp.sign, env: Mapping[sp.Basic, Any]) -> Any:
    """The sign of a derivative of ``|x|``: undefined at 0 (a kink)."""
    value = real(it.value(node.args[0], env))
    if value == 0:
        raise Undefined("the slope of |x| at 0 (a kink) is undefined")
    return it.one if value > 0 else scale(it.one, -1)
