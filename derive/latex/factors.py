r"""Fold a product's factors into one SymPy expression.

The grammar leaves a product as a flat list because what juxtaposition means depends
on names it cannot see:

- a declared function (``Scope.functions``, or ``\sigma``) followed by ``( ... )`` is an
  application; any other name followed by ``( ... )`` is a product: ``y_i(1 - y_i)``;
- ``1\{k = i\}`` is an indicator (a Kronecker delta);
- a prefix function (``\ln``, ``\log_a``, ``\exp``) takes the next factor, or the big
  operator that ends the product: ``\ln \sum_s e^{z_s}`` is the log of the whole sum;
- ``\frac{d}{dx}`` takes the rest of the product, as ``\sum`` does.

The fold runs in three passes: applications left to right, prefix operators right to
left (so ``\ln \ln x`` nests), then multiplication and division left to right.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import sympy as sp

from derive.errors import LatexError
from derive.latex.nodes import Node, position


@dataclass(frozen=True)
class Value:
    """A finished factor."""

    expr: sp.Expr
    node: Node


@dataclass(frozen=True)
class Op:
    r"""An explicit ``\cdot``, ``\times``, ``*`` (symbol ``*``) or ``/``."""

    symbol: str
    node: Node


@dataclass(frozen=True)
class Prefix:
    r"""A function written before its argument: ``\ln``, ``\log_a``, ``\exp``."""

    label: str
    apply: Callable[[sp.Expr], sp.Expr]
    node: Node


@dataclass(frozen=True)
class Callee:
    """A function name that expects ``( ... )``; ``alone`` is its value without them."""

    label: str
    arity: int
    apply: Callable[..., sp.Expr]
    alone: sp.Expr | None
    power: sp.Expr | None
    node: Node


@dataclass(frozen=True)
class Args:
    """A parenthesised group ``( a )`` or argument list ``( a, b )``, with any power."""

    values: tuple[sp.Expr, ...]
    power: sp.Expr | None
    node: Node


@dataclass(frozen=True)
class One:
    r"""A ``1`` or ``\mathbb{1}`` that may start an indicator ``1\{k = i\}``."""

    plain: bool
    node: Node


@dataclass(frozen=True)
class Indicator:
    r"""Braces ``\{ ... \}``: a condition ``\{k = i\}`` (as a delta) or a plain group."""

    expr: sp.Expr
    condition: bool
    node: Node


@dataclass(frozen=True)
class DiffOp:
    r"""An operator-form ``\frac{d}{dx}``: differentiates the rest of the product."""

    var: sp.Expr
    node: Node


Element = Value | Op | Prefix | Callee | Args | One | Indicator | DiffOp


def fold(elements: Sequence[Element]) -> sp.Expr:
    """Return the product the elements stand for.

    Raises:
        LatexError: A function without its arguments, a misplaced list or indicator.
    """
    return multiply(_apply_prefixes(_apply_calls(elements)))


def _apply_calls(elements: Sequence[Element]) -> list[Element]:
    out: list[Element] = []
    i = 0
    while i < len(elements):
        here = elements[i]
        after = elements[i + 1] if i + 1 < len(elements) else None
        if isinstance(here, Callee):
            applied = isinstance(after, Args)
            out.append(
                Value(call(here, after) if isinstance(after, Args) else _alone(here), here.node)
            )
            i += 2 if applied else 1
        elif isinstance(here, One) and isinstance(after, Indicator):
            if not after.condition:
                raise LatexError(
                    r"expected a condition such as `k = i` in `1\{…\}`", position(after.node)
                )
            out.append(Value(after.expr, here.node))
            i += 2
        elif isinstance(here, One):
            if not here.plain:
                raise LatexError(
                    r"expected a condition `\{k = i\}` after `\mathbb{1}`", position(here.node)
                )
            out.append(Value(sp.Integer(1), here.node))
            i += 1
        elif isinstance(here, Indicator):
            if here.condition:
                raise LatexError(r"write an indicator as `1\{k = i\}`", position(here.node))
            out.append(Value(here.expr, here.node))
            i += 1
        else:
            out.append(here)
            i += 1
    return out


def call(callee: Callee, args: Args) -> sp.Expr:
    """Apply a declared function to its parenthesised arguments."""
    if callee.power is not None:
        raise LatexError(
            f"ambiguous power on the function `{callee.label}`: write `({callee.label}(x))^{{2}}`",
            position(callee.node),
        )
    if len(args.values) != callee.arity:
        plural = "argument" if callee.arity == 1 else "arguments"
        raise LatexError(
            f"`{callee.label}` takes {callee.arity} {plural}, got {len(args.values)}",
            position(args.node),
        )
    result = callee.apply(*args.values)
    return result if args.power is None else power(result, args.power, args.node)


def _alone(callee: Callee) -> sp.Expr:
    if callee.alone is None:
        count = ", ".join("…" for _ in range(callee.arity))
        raise LatexError(
            f"`{callee.label}` is a function: write its arguments in parentheses, "
            f"`{callee.label}({count})`",
            position(callee.node),
        )
    return callee.alone if callee.power is None else power(callee.alone, callee.power, callee.node)


def _apply_prefixes(elements: list[Element]) -> list[Element]:
    items = list(elements)
    for i in range(len(items) - 1, -1, -1):
        here = items[i]
        if isinstance(here, Prefix):
            argument = _argument(here, items[i + 1] if i + 1 < len(items) else None)
            items[i : i + 2] = [Value(here.apply(argument), here.node)]
        elif isinstance(here, DiffOp):
            if i + 1 == len(items):
                raise LatexError("expected an expression to differentiate", position(here.node))
            body = multiply(items[i + 1 :])
            items[i:] = [Value(sp.Derivative(body, here.var, evaluate=False), here.node)]
    return items


def _argument(prefix: Prefix, after: Element | None) -> sp.Expr:
    if isinstance(after, Value):
        return after.expr
    if isinstance(after, Args) and len(after.values) == 1:
        if after.power is not None:
            raise LatexError(
                f"ambiguous power after `{prefix.label}( … )`: write "
                f"`({prefix.label} x)^{{2}}` or `{prefix.label}(x^{{2}})`",
                position(after.node),
            )
        return after.values[0]
    if isinstance(after, Args):
        raise LatexError(f"`{prefix.label}` takes one argument", position(after.node))
    where = position(prefix.node if after is None else after.node)
    raise LatexError(f"expected an argument after `{prefix.label}`", where)


def multiply(elements: Sequence[Element]) -> sp.Expr:
    """Multiply finished factors left to right, honouring explicit ``/``."""
    result: sp.Expr | None = None
    pending: Op | None = None
    for here in elements:
        if isinstance(here, Op):
            if result is None or pending is not None:
                raise LatexError(f"unexpected `{here.symbol}`", position(here.node))
            pending = here
            continue
        value = _finished(here)
        if result is None:
            result = value
        elif pending is not None and pending.symbol == "/":
            result = result / value
        else:
            result = result * value
        pending = None
    if result is None or pending is not None:
        node = pending.node if pending is not None else elements[0].node
        raise LatexError("expected an expression", position(node))
    return result


def _finished(element: Element) -> sp.Expr:
    if isinstance(element, Value):
        return element.expr
    if isinstance(element, Args) and len(element.values) == 1:
        value = element.values[0]
        return value if element.power is None else power(value, element.power, element.node)
    if isinstance(element, Args):
        raise LatexError(
            "a parenthesised list `(a, b)` is only allowed as the arguments of a function "
            "declared under [functions]",
            position(element.node),
        )
    # Callee, Prefix, One, Indicator and DiffOp are resolved by the earlier passes.
    raise LatexError("unexpected factor", position(element.node))  # pragma: no cover


# Powers of plain numbers are computed exactly by SymPy; beyond this many bits the
# number is surely a typo and computing it would hang.
MAX_BITS = 100_000


def power(base: sp.Expr, exponent: sp.Expr, node: Node) -> sp.Expr:
    """Return ``base ** exponent``, refusing exact powers too large to compute."""
    if isinstance(base, sp.Rational) and isinstance(exponent, sp.Integer):
        bits = max(abs(base.p).bit_length(), abs(base.q).bit_length(), 1)
        if bits * abs(int(exponent)) > MAX_BITS:
            raise LatexError("number too large: the exact power would not fit", position(node))
    return base**exponent
