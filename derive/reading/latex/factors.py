r"""Fold a product's factors into one SymPy expression.

The grammar leaves a product as a flat list because what juxtaposition means depends
on names it cannot see:

- a declared function (``Scope.functions``, or ``\sigma``) followed by ``( ... )`` is an
  application; any other name followed by ``( ... )`` is a product: ``y_i(1 - y_i)``;
  a declared function of one argument also takes the next factor without parentheses,
  as ``\ln`` does: ``\text{act } z_j``;
- ``1\{k = i\}`` is an indicator (a Kronecker delta);
- a prefix function (``\ln``, ``\log_a``, ``\exp``) takes the next factor, or the big
  operator that ends the product: ``\ln \sum_s e^{z_s}`` is the log of the whole sum;
- ``\frac{d}{dx}`` takes the rest of the product, as ``\sum`` does.

The fold runs in three passes: applications left to right, prefix operators right to
left (so ``\ln \ln x`` nests), then multiplication and division left to right. Every
combination goes through :mod:`derive.reading.latex.shapes`, which checks matrix shapes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import sympy as sp
from lark import Tree

from derive.errors import LatexError
from derive.reading.latex import orders, shapes
from derive.reading.latex.nodes import Node, offsets, position, span
from derive.reading.latex.shapes import Operand


@dataclass(frozen=True)
class Value:
    """A finished factor; ``end`` is the last node it was read from, when not ``node``."""

    expr: Any
    node: Node
    end: Node | None = None
    applied: bool = False  # a function's value (`\ln x`, `\sigma(z)`): it starts a new factor
    documented: str = ""  # a name whose written arguments only document it: `L(y, \hat{y})`
    params: tuple[str, ...] = ()  # a documented name's arguments, as the front matter writes them


@dataclass(frozen=True)
class Op:
    r"""An explicit ``\cdot``, ``\times``, ``\odot``, ``*`` or ``/``, as written."""

    symbol: str
    node: Node


@dataclass(frozen=True)
class Prefix:
    r"""A function written before its argument: ``\ln``, ``\log_a``, ``\exp``.

    A declared function of one argument is a prefix too, ``\text{act } z_j``; with no
    factor after it, it stands for its ``alone`` value (``C`` for ``C(\mathbf{z})``),
    which may carry a ``power``.
    """

    label: str
    apply: Callable[[Operand], Any]
    node: Node
    alone: Any = None
    power: Operand | None = None


@dataclass(frozen=True)
class Callee:
    r"""A function name that expects ``( ... )``; ``alone`` is its value without them.

    With ``prefix`` (a function of one argument), it takes the next factor without
    parentheses, as ``\ln`` does.
    """

    label: str
    arity: int
    apply: Callable[[Sequence[Operand]], Any]
    alone: sp.Expr | None
    power: Operand | None
    node: Node
    prefix: bool = False


@dataclass(frozen=True)
class Args:
    """A parenthesised group ``( a )`` or argument list ``( a, b )``, with any power."""

    values: tuple[Operand, ...]
    power: Operand | None
    node: Node


@dataclass(frozen=True)
class One:
    r"""A ``1`` or ``\mathbb{1}`` that may start an indicator ``1\{k = i\}``."""

    plain: bool
    node: Node


@dataclass(frozen=True)
class Indicator:
    r"""Braces ``\{ ... \}``: a condition ``\{k = i\}`` (as a delta) or a plain group."""

    expr: Any
    condition: bool
    node: Node


@dataclass(frozen=True)
class DiffOp:
    r"""An operator-form ``\frac{d}{dx}`` (``\frac{d^2}{dx^2}``): differentiates the rest.

    Attributes:
        variables: One variable per derivative, the last applied first.
        node: The fraction, for positions.
    """

    variables: tuple[Operand, ...]
    node: Node


Element = Value | Op | Prefix | Callee | Args | One | Indicator | DiffOp


def fold(elements: Sequence[Element], text: str, note: Callable[[str], None] | None = None) -> Any:
    """Return the product the elements of ``text`` stand for.

    Raises:
        LatexError: A function without its arguments, a misplaced list or indicator,
            or operands whose shapes do not fit.
    """
    return multiply(_apply_prefixes(_apply_calls(elements, text, note), text), text)


def _documenting(name: Value, args: Args, text: str) -> None:
    r"""Refuse arguments that would substitute into a documented name, not document it.

    ``L(z)`` says what ``L`` depends on; but as many arguments as the definition's
    ``L(t, p)`` that are not those arguments in that order (``L(p, t)``, ``L(t, 0)``)
    read as the function applied to them, which the definition is not.

    Raises:
        LatexError: As many arguments as the definition's, other than its own.
    """
    written = tuple(str(a.expr) for a in args.values)
    if len(written) == len(name.params) and written != name.params:
        params = ", ".join(name.params)
        raise LatexError(
            f"`{name.documented}` is defined as `{name.documented}({params})`, whose arguments "
            f"say what it depends on: `{span(text, name.node, args.node)}` would apply it to "
            "other values, which derive does not read; write the value out, or "
            f"`{name.documented}` for the defined one",
            position(args.node),
        )


def _apply_calls(
    elements: Sequence[Element], text: str, note: Callable[[str], None] | None = None
) -> list[Element]:
    out: list[Element] = []
    i = 0
    while i < len(elements):
        here = elements[i]
        after = elements[i + 1] if i + 1 < len(elements) else None
        if isinstance(here, Value) and here.documented and isinstance(after, Args):
            if after.power is not None:
                raise LatexError("unsupported power on a call", position(after.node))
            _documenting(here, after, text)
            if note is not None:
                written = span(text, here.node, after.node)
                note(
                    f"read `{written}` as `{here.documented}`: the front matter defines it with "
                    "arguments that say what it depends on"
                )
            out.append(Value(here.expr, here.node, after.node, applied=True))
            i += 2
            continue
        if isinstance(here, Callee) and isinstance(after, Args):
            out.append(Value(call(here, after, text), here.node, after.node, applied=True))
            i += 2
        elif isinstance(here, Callee):
            out.append(_uncalled(here))
            i += 1
        elif isinstance(here, Value) and isinstance(after, Args) and _looks_called(here.expr):
            name = _written(text, [here])
            raise LatexError(
                f"`{name}( … )` would be a product, but `{name}` looks like a function: "
                "declare it under [functions], or write "
                f"`{name} \\cdot ( … )` for a product",
                position(here.node),
            )
        elif isinstance(here, Args) and len(here.values) > 1:
            out.append(_row(here, out[-1] if out else None, text))
            i += 1
        elif isinstance(here, One) and isinstance(after, Indicator):
            if not after.condition:
                raise LatexError(
                    r"expected a condition such as `k = i` in `1\{…\}`", position(after.node)
                )
            out.append(Value(after.expr, here.node, after.node))
            i += 2
        elif isinstance(here, One):
            if not here.plain:
                raise LatexError(
                    f"expected a condition `\\{{k = i\\}}` after `{_written(text, [here])}`",
                    position(here.node),
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


def _row(args: Args, before: Element | None, text: str) -> Element:
    """``(a, b, c)`` that is not a function's arguments: the row vector of its entries."""
    if isinstance(before, Value):
        raise LatexError(
            f"`{_written(text, [before])}( … , … )` is neither a product nor a call: declare "
            "the function under [functions], or write `\\cdot` before a row vector",
            position(args.node),
        )
    entries = [
        shapes.scalar(value, "an entry of a row vector is a scalar") for value in args.values
    ]
    row = sp.ImmutableMatrix(1, len(entries), entries)
    return Value(raised(text, args, row).expr, args.node)


FUNCTION_LETTERS = frozenset({"f", "g"})
SPACING = re.compile(r"\\[,;: ]|\\q?quad")  # spacing that ends a function's argument


def _looks_called(expr: Any) -> bool:
    """True for an undeclared ``f``, ``g`` or primed name: ``f(x)`` is then no product."""
    if not isinstance(expr, sp.Symbol):
        return False
    name = expr.name
    return name in FUNCTION_LETTERS or name.endswith("'")


def call(callee: Callee, args: Args, text: str) -> Any:
    """Apply a declared function to its parenthesised arguments."""
    _no_power(callee)
    if len(args.values) != callee.arity:
        plural = "argument" if callee.arity == 1 else "arguments"
        raise LatexError(
            f"`{callee.label}` takes {callee.arity} {plural}, got {len(args.values)}",
            position(args.node),
        )
    return raised(text, args, callee.apply(args.values), callee.node).expr


def _no_power(callee: Callee) -> None:
    if callee.power is not None:
        raise LatexError(
            f"ambiguous power on the function `{callee.label}`: write `({callee.label}(x))^{{2}}`",
            position(callee.node),
        )


def _uncalled(callee: Callee) -> Element:
    """A function name without ``( ... )``: its own value, or a prefix of one argument."""
    if callee.prefix:
        return Prefix(
            callee.label,
            lambda argument: callee.apply((argument,)),
            callee.node,
            callee.alone,
            callee.power,
        )
    if callee.alone is not None:
        return Value(_alone(callee.label, callee.alone, callee.power, callee.node), callee.node)
    count = ", ".join("…" for _ in range(callee.arity))
    raise LatexError(
        f"`{callee.label}` is a function: write its arguments in parentheses, "
        f"`{callee.label}({count})`",
        position(callee.node),
    )


def _apply_prefixes(elements: list[Element], text: str) -> list[Element]:
    items = list(elements)
    for i in range(len(items) - 1, -1, -1):
        here = items[i]
        if isinstance(here, Prefix):
            after = items[i + 1] if i + 1 < len(items) else None
            if here.alone is not None and not isinstance(after, Value | Args):
                items[i] = Value(_alone(here.label, here.alone, here.power, here.node), here.node)
                continue
            if here.power is not None:
                raise LatexError(
                    f"ambiguous power on the function `{here.label}`: write "
                    f"`({here.label}(x))^{{2}}`",
                    position(here.node),
                )
            argument = _argument(here, after, text)
            assert after is not None
            _one_argument(here, after, items[i + 2] if i + 2 < len(items) else None, text)
            value = Value(here.apply(argument), here.node, _end(after), applied=True)
            items[i : i + 2] = [value]
        elif isinstance(here, DiffOp):
            if i + 1 == len(items):
                raise LatexError("expected an expression to differentiate", position(here.node))
            rest = items[i + 1 :]
            body = Operand(multiply(rest, text), _written(text, rest), position(rest[0].node))
            value = orders.nest(body, here.variables)
            items[i:] = [Value(value, here.node, _end(rest[-1]), applied=True)]
    return items


def _one_argument(prefix: Prefix, after: Element, then: Element | None, text: str) -> None:
    r"""Refuse ``\sin 2x``: an argument without parentheses followed by another factor.

    Notes mean ``\sin 2x`` as sin(2x) and ``\sin x \cos x`` as sin(x)·cos(x); rather
    than guess where an argument written without parentheses ends, derive asks, unless
    the next factor is itself a function's value (``\cos x``, ``\sigma(z)``).

    Raises:
        LatexError: The argument is followed by a factor that is not a function's value.
    """
    if not isinstance(after, Value) or then is None:
        return
    if (isinstance(then, Value) and then.applied) or not isinstance(then, Value | Args):
        return
    between = text[offsets(_end(after))[1] : offsets(then.node)[0]]
    if SPACING.search(between):
        return  # `\text{act} x \, y_j`: the author set the argument apart
    argument, rest = _written(text, [after]), _written(text, [then])
    raise LatexError(
        f"ambiguous argument of `{prefix.label}`: write `{prefix.label}({argument} {rest})` "
        f"or `({prefix.label} {argument}) {rest}`",
        position(after.node),
    )


def _alone(label: str, value: Any, power: Operand | None, node: Node) -> Any:
    r"""The value of a function's name written alone (``\sigma``, ``C``), with any power."""
    if power is None:
        return value
    return shapes.power(Operand(value, label, position(node)), power)


def _argument(prefix: Prefix, after: Element | None, text: str) -> Operand:
    if isinstance(after, Value):
        return _operand(after, text)
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


def multiply(elements: Sequence[Element], text: str) -> Any:
    """Multiply finished factors left to right, honouring explicit operators."""
    result: Operand | None = None
    pending: Op | None = None
    first = elements[0] if elements else None
    for here in elements:
        if isinstance(here, Op):
            if result is None or pending is not None:
                raise LatexError(f"unexpected `{here.symbol}`", position(here.node))
            pending = here
            continue
        value = _finished(here, text)
        if result is None or first is None:
            result = value
        else:
            op = "" if pending is None else pending.symbol
            where = value.where if pending is None else position(pending.node)
            combined = shapes.product(result, value, op, where)
            result = Operand(combined, span(text, first.node, _end(here)), result.where)
        pending = None
    if result is None or pending is not None:
        node = pending.node if pending is not None else elements[0].node
        raise LatexError("expected an expression", position(node))
    return result.expr


def _finished(element: Element, text: str) -> Operand:
    if isinstance(element, Value):
        return _operand(element, text)
    if isinstance(element, Args) and len(element.values) == 1:
        value = element.values[0]
        return value if element.power is None else raised(text, element, value.expr)
    if isinstance(element, Args):
        raise LatexError(
            "a parenthesised list `(a, b)` is only allowed as the arguments of a function "
            "declared under [functions]",
            position(element.node),
        )
    # Callee, Prefix, One, Indicator and DiffOp are resolved by the earlier passes.
    raise LatexError("unexpected factor", position(element.node))  # pragma: no cover


def _operand(value: Value, text: str) -> Operand:
    return Operand(value.expr, span(text, value.node, _end(value)), position(value.node))


def _end(element: Element) -> Node:
    return element.end if isinstance(element, Value) and element.end is not None else element.node


def _written(text: str, elements: Sequence[Element]) -> str:
    return span(text, elements[0].node, _end(elements[-1]))


def raised(text: str, args: Args, value: Any, callee: Node | None = None) -> Operand:
    """Return ``value`` (the group, or the call of ``callee``) raised to the power of ``args``."""
    first = args.node if callee is None else callee
    written, where = span(text, first, args.node), position(first)
    if args.power is None:
        return Operand(value, written, where)
    inside = args.node.children[0] if isinstance(args.node, Tree) else args.node
    base = Operand(value, span(text, first if callee else inside, inside), where)
    return Operand(shapes.power(base, args.power), written, where)
