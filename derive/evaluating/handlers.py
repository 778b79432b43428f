"""How the second opinion evaluates each kind of node: one handler per SymPy class."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp

from derive import symbols
from derive.evaluating import branches
from derive.evaluating import functions as fn
from derive.evaluating.determinants import determinant
from derive.evaluating.jets import Undefined, Value, add, integer_power, mul, real, root_power
from derive.evaluating.matrices import entry_at
from derive.evaluating.points import NotEvaluable, NotReal, Vec

if TYPE_CHECKING:
    from derive.evaluating.interpreter import Interpreter


def _add(it: Interpreter, node: sp.Add, env: Mapping[sp.Basic, Any]) -> Any:
    total: Any = it.zero
    for arg in node.args:
        total = add(total, it.value(arg, env))
    return total


def _mul(it: Interpreter, node: sp.Mul, env: Mapping[sp.Basic, Any]) -> Any:
    total: Any = it.one
    for arg in node.args:
        total = mul(total, it.value(arg, env))
    return total


def _pow(it: Interpreter, node: sp.Pow, env: Mapping[sp.Basic, Any]) -> Any:
    base, exponent = node.args
    if exponent.is_Integer or (
        exponent.free_symbols
        and all(s.is_integer for s in exponent.free_symbols)
        and exponent.is_integer
    ):
        return integer_power(it.value(base, env), it.integer(exponent, env))
    if exponent.is_Rational or isinstance(exponent, sp.Float):
        r = it.value(exponent, env)
        b = it.value(base, env)
        if real(b) < 0:
            raise NotReal(f"({base})^{exponent} of a negative number")
        return root_power(b, r)
    b = it.value(base, env)
    if real(b) <= 0:
        raise NotReal(f"({base})^{exponent} needs a positive base")
    return fn.power(it.ctx, b, it.value(exponent, env))


def _unary(f: Callable[[Any, Value], Value]) -> Callable[[Interpreter, sp.Basic, Any], Any]:
    def handler(it: Interpreter, node: sp.Basic, env: Mapping[sp.Basic, Any]) -> Any:
        return f(it.ctx, it.value(node.args[0], env))

    return handler


def _log(it: Interpreter, node: sp.log, env: Mapping[sp.Basic, Any]) -> Any:
    if len(node.args) != 1:
        raise NotEvaluable("a logarithm with a base")
    return fn.log(it.ctx, it.value(node.args[0], env))


def _delta(it: Interpreter, node: sp.KroneckerDelta, env: Mapping[sp.Basic, Any]) -> Any:
    a, b = (it.integer(x, env) for x in node.args[:2])
    return it.one if a == b else it.zero


def _loop(it: Interpreter, node: sp.Sum | sp.Product, env: Mapping[sp.Basic, Any]) -> Any:
    product = isinstance(node, sp.Product)
    return loop(it, node.function, list(node.limits), env, product)


def loop(
    it: Interpreter,
    body: sp.Basic,
    limits: list[tuple[sp.Basic, ...]],
    env: Mapping[sp.Basic, Any],
    product: bool,
) -> Any:
    """Sum (or multiply) ``body`` over ``limits``; the last limit is the outermost loop."""
    if not limits:
        return it.value(body, env)
    var, lo, hi = limits[-1]
    start, stop = it.integer(lo, env), it.integer(hi, env)
    skip = skipped(it, body, var, env)
    total: Any = it.one if product else it.zero
    for n in range(start, stop + 1):
        if n in skip:
            continue
        inner = {**env, var: n}
        v = loop(it, body, limits[:-1], inner, product)
        total = mul(total, v) if product else add(total, v)
    return total


def skipped(
    it: Interpreter, body: sp.Basic, var: sp.Basic, env: Mapping[sp.Basic, Any]
) -> frozenset[int]:
    r"""Components a sum over a vector argument's components leaves out (``\mathbf{z}_{≠t}``)."""
    if not any(isinstance(v, Vec) and v.exclude for v in env.values()):
        return frozenset()
    out: frozenset[int] = frozenset()
    for element in body.atoms(sp.Indexed):
        bound = env.get(element.base.label)
        if isinstance(bound, Vec) and bound.exclude and element.indices == (var,):
            out |= bound.exclude
    return out


def _derivative(it: Interpreter, node: sp.Derivative, env: Mapping[sp.Basic, Any]) -> Any:
    return it.derivative(node, env)


def _entry(it: Interpreter, node: symbols.Entry, env: Mapping[sp.Basic, Any]) -> Any:
    matrix, row, col = node.args
    m = it.value(matrix, env)
    return entry_at(m, (it.integer(row, env), it.integer(col, env)), str(matrix))


def _det(it: Interpreter, node: symbols.Det, env: Mapping[sp.Basic, Any]) -> Any:
    return determinant(it.value(node.args[0], env), it.zero)


def _symbol(it: Interpreter, node: sp.Symbol, env: Mapping[sp.Basic, Any]) -> Any:
    return it.symbol(node, env)


def _indexed(it: Interpreter, node: sp.Indexed, env: Mapping[sp.Basic, Any]) -> Any:
    return it.indexed(node, env)


def _sigmoid(it: Interpreter, node: sp.Basic, env: Mapping[sp.Basic, Any]) -> Any:
    return fn.sigmoid(it.ctx, it.value(node.args[0], env))


def _exp(ctx: Any, x: Value) -> Value:
    """``e^x``; a value past ``10^{digits}`` would drown the terms beside it, so no point."""
    value = fn.exp(ctx, x)
    if abs(real(value)) > ctx.mpf(10) ** ctx.dps:
        raise Undefined(f"e^x is too large to compare at {ctx.dps} digits here")
    return value


UNARY: dict[Any, Callable[[Any, Value], Value]] = {
    sp.exp: _exp,
    sp.sin: fn.sin,
    sp.cos: fn.cos,
    sp.tan: fn.tan,
    sp.sinh: fn.sinh,
    sp.cosh: fn.cosh,
    sp.tanh: fn.tanh,
    sp.atan: fn.atan,
    sp.Abs: fn.absolute,
    sp.log: fn.log,
}

HANDLERS: dict[type, Callable[[Interpreter, Any, Mapping[sp.Basic, Any]], Any]] = {
    sp.Symbol: _symbol,
    sp.Indexed: _indexed,
    sp.Add: _add,
    sp.Mul: _mul,
    sp.Pow: _pow,
    sp.log: _log,
    sp.KroneckerDelta: _delta,
    sp.Sum: _loop,
    sp.Product: _loop,
    sp.Derivative: _derivative,
    symbols.Entry: _entry,
    symbols.Det: _det,
    symbols.sigmoid: _sigmoid,
    sp.Piecewise: branches.piecewise,
    sp.Max: branches.extreme,
    sp.Min: branches.extreme,
    sp.Heaviside: branches.heaviside,
    symbols.Extremum: branches.over_index,
    sp.sign: branches.sign,
    **{f: _unary(g) for f, g in UNARY.items() if f is not sp.log},
}
