"""An arithmetic of dual numbers over another: one more derivative, exactly.

:mod:`~derive.proving.evaluate` takes a first derivative with dual numbers ``(value,
derivative)`` in an arithmetic of :mod:`~derive.proving.arithmetic`. A derivative of
order two, ``∂²f/∂x∂y``, is the first derivative by ``x`` of ``∂f/∂y`` computed in
:class:`Lifted`, whose numbers are themselves pairs ``(value, ∂/∂x)`` over the arithmetic
below; order n lifts n − 1 times. Every rule is the rule of the evaluator's own first
derivative, so that the random stand-ins modulo p (``e^a``, ``ln a``, ``act(a)``) keep
the derivatives they are given there.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sympy as sp

from derive.proving.arithmetic import Key

Pair = tuple[Any, Any]


def slope(arith: Any, name: str, x: Any, value: Any) -> Any:
    """The derivative of ``sin``, ``cos``, ``tan``, ``atan`` or ``|x|`` at ``x`` (of ``value``)."""
    one = arith.number(sp.S.One)
    if name == "sin":
        return arith.elementary("cos", x)
    if name == "cos":
        return arith.mul(arith.number(sp.S.NegativeOne), arith.elementary("sin", x))
    if name == "tan":
        return arith.add(one, arith.mul(value, value))
    if name == "atan":
        return arith.inv(arith.add(one, arith.mul(x, x)))
    return arith.mul(value, arith.inv(x))  # |x|: its sign, none at 0


@dataclass
class Lifted:
    """Pairs ``(value, derivative by the input seed)`` over the arithmetic ``base``."""

    base: Any
    seed: Key

    def _zero(self) -> Any:
        return self.base.number(sp.S.Zero)

    def number(self, r: sp.Rational) -> Pair:
        """A constant."""
        return self.base.number(r), self._zero()

    def constant(self, c: sp.Basic) -> Pair:
        """A transcendental constant."""
        return self.base.constant(c), self._zero()

    def leaf(self, key: Key) -> Pair:
        """An input: its derivative is one for the seed, zero for any other."""
        one = self.base.number(sp.S.One if key == self.seed else sp.S.Zero)
        return self.base.leaf(key), one

    def exp_leaf(self, key: Key) -> Pair:
        """``e^{leaf}``, whose derivative is itself times the leaf's."""
        u = self.base.exp_leaf(key)
        return u, (u if key == self.seed else self._zero())

    def add(self, a: Pair, b: Pair) -> Pair:
        """Sum rule."""
        return self.base.add(a[0], b[0]), self.base.add(a[1], b[1])

    def mul(self, a: Pair, b: Pair) -> Pair:
        """Product rule."""
        m = self.base.mul
        return m(a[0], b[0]), self.base.add(m(a[0], b[1]), m(a[1], b[0]))

    def power(self, a: Pair, n: int) -> Pair:
        """``a^n`` for an integer ``n ≥ 0``."""
        if n == 0:
            return self.number(sp.S.One)
        below = self.base.power(a[0], n - 1)
        scaled = self.base.mul(self.base.number(sp.Integer(n)), below)
        return self.base.mul(below, a[0]), self.base.mul(scaled, a[1])

    def inv(self, a: Pair) -> Pair:
        """``1/a``, with derivative ``−a'/a²``."""
        inverse = self.base.inv(a[0])
        minus = self.base.number(sp.S.NegativeOne)
        return inverse, self.base.mul(minus, self.base.mul(a[1], self.base.mul(inverse, inverse)))

    def root(self, a: Pair, r: sp.Rational) -> Pair:
        """``a^r``, with derivative ``r a^r / a · a'``."""
        value = self.base.root(a[0], r)
        scaled = self.base.mul(self.base.number(r), value)
        return value, self.base.mul(scaled, self.base.mul(self.base.inv(a[0]), a[1]))

    def elementary(self, name: str, a: Pair) -> Pair:
        """``sin``, ``cos``, ``tan``, ``atan``, ``|x|``."""
        value = self.base.elementary(name, a[0])
        return value, self.base.mul(slope(self.base, name, a[0], value), a[1])

    def real_only(self, what: str) -> None:
        """Refuse ``what`` where the arithmetic below refuses it."""
        self.base.real_only(what)

    def exp(self, a: Pair) -> Pair:
        """``e^a``, its own derivative."""
        value = self.base.exp(a[0])
        return value, self.base.mul(value, a[1])

    def log(self, a: Pair) -> Pair:
        """``ln a``, with derivative ``a'/a``."""
        return self.base.log(a[0]), self.base.mul(a[1], self.base.inv(a[0]))

    def function(self, name: str, a: Pair) -> Pair:
        """An unspecified function, with the stand-in ``name'`` as its derivative."""
        slope_at = self.base.function(name + "'", a[0])
        return self.base.function(name, a[0]), self.base.mul(slope_at, a[1])

    def equal(self, a: Pair, b: Pair) -> bool:
        """Equal values and equal derivatives."""
        return bool(self.base.equal(a[0], b[0]) and self.base.equal(a[1], b[1]))
