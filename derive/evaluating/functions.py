"""The elementary functions on jets, in one mpmath context.

``exp``, ``ln``, ``sin``, ``cos`` and ``arctan`` have their derivatives of every order in
closed form; the hyperbolic functions, ``tan`` and the sigmoid are built from them, so
their derivatives are exact too.
"""

from __future__ import annotations

import math
from typing import Any

from derive.evaluating.jets import (
    Jet,
    Number,
    Undefined,
    Value,
    add,
    apply,
    inverse,
    mul,
    real,
    scale,
)

Context = Any  # an mpmath context (mpmath.mp.clone())


def exp(ctx: Context, x: Value) -> Value:
    """``e^x``."""
    return apply(lambda x0, n: [ctx.exp(x0)] * (n + 1), x)


def log(ctx: Context, x: Value) -> Value:
    """``ln x``, for ``x > 0``."""

    def derivatives(x0: Number, n: int) -> list[Number]:
        if x0 <= 0:
            raise Undefined("the logarithm of a number ≤ 0")
        out = [ctx.log(x0)]
        for m in range(1, n + 1):
            out.append((-1) ** (m - 1) * math.factorial(m - 1) / x0**m)
        return out

    return apply(derivatives, x)


def sin(ctx: Context, x: Value) -> Value:
    """``sin x``."""

    def derivatives(x0: Number, n: int) -> list[Number]:
        cycle = [ctx.sin(x0), ctx.cos(x0)]
        cycle += [-cycle[0], -cycle[1]]
        return [cycle[m % 4] for m in range(n + 1)]

    return apply(derivatives, x)


def cos(ctx: Context, x: Value) -> Value:
    """``cos x``."""

    def derivatives(x0: Number, n: int) -> list[Number]:
        cycle = [ctx.cos(x0), -ctx.sin(x0)]
        cycle += [-cycle[0], -cycle[1]]
        return [cycle[m % 4] for m in range(n + 1)]

    return apply(derivatives, x)


def atan(ctx: Context, x: Value) -> Value:
    """``arctan x``: its m-th derivative is ``Im((−1)^{m−1} (m−1)! iᵐ (1 + ix)^{−m})``."""

    def derivatives(x0: Number, n: int) -> list[Number]:
        out = [ctx.atan(x0)]
        w = ctx.mpc(1, x0)
        for m in range(1, n + 1):
            term = (-1) ** (m - 1) * math.factorial(m - 1) * ctx.mpc(0, 1) ** m / w**m
            out.append(term.imag)
        return out

    return apply(derivatives, x)


def tan(ctx: Context, x: Value) -> Value:
    """``tan x = sin x / cos x``."""
    return mul(sin(ctx, x), inverse(cos(ctx, x)))


def sinh(ctx: Context, x: Value) -> Value:
    """``(e^x − e^{−x}) / 2``."""
    return scale(add(exp(ctx, x), scale(exp(ctx, scale(x, -1)), -1)), ctx.mpf(1) / 2)


def cosh(ctx: Context, x: Value) -> Value:
    """``(e^x + e^{−x}) / 2``."""
    return scale(add(exp(ctx, x), exp(ctx, scale(x, -1))), ctx.mpf(1) / 2)


def tanh(ctx: Context, x: Value) -> Value:
    """``1 − 2 / (e^{2x} + 1)``."""
    return add(1, scale(inverse(add(exp(ctx, scale(x, 2)), 1)), -2))


def sigmoid(ctx: Context, x: Value) -> Value:
    """``σ(x) = 1 / (1 + e^{−x})``."""
    return inverse(add(1, exp(ctx, scale(x, -1))))


def absolute(ctx: Context, x: Value) -> Value:
    """``|x|``; not differentiable at 0."""
    x0 = real(x)
    if x0 == 0 and isinstance(x, Jet):
        raise Undefined("|x| has no derivative at 0")
    return scale(x, -1) if x0 < 0 else x


def power(ctx: Context, base: Value, exponent: Value) -> Value:
    """``b^x = e^{x ln b}`` for a base ``b > 0``."""
    return exp(ctx, mul(exponent, log(ctx, base)))
