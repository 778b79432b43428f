r"""Derivatives of higher order: ``\frac{\partial^2 E}{\partial z_i \partial z_j}``, ``d^2 y/dx^2``.

A derivative of order n is read as n first derivatives nested, the rightmost variable of
the denominator innermost: ``\frac{\partial^2 E}{\partial x \partial y}`` is
``\frac{\partial}{\partial x} \frac{\partial E}{\partial y}``, the same SymPy nodes as
that nested form. The order the numerator states must be the sum of the orders of the
denominator's variables (``\partial x^2`` counts two); otherwise the fraction is refused.

With ``d`` the fraction is a derivative when its denominator is ``d`` and a variable,
repeated (``dx^2``, ``dx\,dy``), and its numerator starts with ``d`` or ``d^n``; any
other fraction is a quotient, as before. A numerator ``d^n`` over a denominator that
starts with ``d`` but is not of that form is refused rather than read as ``d`` to the
power n.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError, Position
from derive.reading.latex import shapes
from derive.reading.latex.names import TEXT
from derive.reading.latex.nodes import Node, is_bare, position, source, tokens
from derive.reading.latex.shapes import Operand

MAX_ORDER = 9
ORDER = "the order of a derivative is a whole number from 1 to {top}, as in `{mark}^2`"
D_FORM = (
    r"`{written}`: write a derivative of order n as `\frac{{d^n y}}{{d x^n}}` (or "
    r"`\frac{{d^2 y}}{{dx\,dt}}`), each `d` followed by one variable"
)


def order(text: str, sup: Tree[Token] | None, mark: str) -> int:
    r"""The order a superscript on ``\partial`` or ``d`` (or a variable) states; 1 without one.

    Raises:
        LatexError: The superscript is not a whole number from 1 to ``MAX_ORDER``.
    """
    if sup is None:
        return 1
    written = source(text, sup).lstrip("^").strip().strip("{}").strip()
    if written in (r"\top", "T", r"\intercal"):
        raise LatexError(
            f"`\\partial {mark}^{written}` (a Hessian matrix) is not read: write the "
            f"Jacobian of the gradient, `\\frac{{\\partial}}{{\\partial {mark}}} "
            f"\\nabla_{{{mark}}} E`, or an entry, `\\frac{{\\partial^2 E}}"
            "{\\partial z_i \\partial z_j}`",
            position(sup),
        )
    if not written.isdigit() or not 1 <= int(written) <= MAX_ORDER:
        raise LatexError(ORDER.format(top=MAX_ORDER, mark=mark), position(sup))
    return int(written)


def check(said: int, counted: int, where: Position, mark: str) -> None:
    """Refuse a derivative whose numerator's order is not its denominator's.

    Raises:
        LatexError: The two orders differ.
    """
    if said != counted:
        raise LatexError(
            f"the numerator says {_count(said)}, the denominator {counted}: write the "
            f"order on `{mark}` as the sum of the powers of the variables below it",
            where,
        )


def _count(n: int) -> str:
    return f"{n} derivative" if n == 1 else f"{n} derivatives"


def nest(body: Operand, variables: Sequence[Operand]) -> Any:
    """Differentiate ``body`` by each variable, the last one first.

    Raises:
        LatexError: A derivative of order two or more by a whole vector or matrix (a
            Hessian matrix), which derive does not read.
    """
    whole = [v for v in variables if _whole(v)] if len(variables) > 1 else []
    if whole:
        raise LatexError(
            f"a second derivative by the whole `{whole[0].written}` is a matrix (a Hessian), "
            "which derive does not read: write an entry, as in "
            r"`\frac{\partial^2 E}{\partial z_i \partial z_j}`, or the Jacobian of the "
            f"gradient, `\\frac{{\\partial}}{{\\partial {whole[0].written}}} "
            f"\\nabla_{{{whole[0].written}}} E`",
            whole[0].where,
        )
    value = shapes.derivative(body, variables[-1])
    for var in reversed(variables[:-1]):
        value = shapes.derivative(Operand(value, body.written, body.where), var)
    return value


def _whole(var: Operand) -> bool:
    value = shapes.plain(var)
    return isinstance(value, sp.IndexedBase) or shapes.shape_of(value) is not None


def is_d(item: Tree[Token]) -> bool:
    r"""Tell whether ``item`` is the differential ``d`` or ``\mathrm{d}`` (no scripts)."""
    if is_bare(item, "letter", "d"):
        return True
    primary = item.children[0]
    if not isinstance(primary, Tree) or not is_bare(item, "textname"):
        return False
    match = TEXT.fullmatch(str(tokens(primary)[0].value))
    return match is not None and match.group("content").strip() == "d"


def d_mark(node: Node) -> tuple[bool, Tree[Token] | None]:
    r"""Whether ``node`` is ``d`` or ``d^n`` (``\mathrm{d}`` too), and its superscript."""
    if not isinstance(node, Tree) or node.data != "item":
        return False, None
    primary, *scripts = node.children
    if len(scripts) > 1 or (scripts and not _is_sup(scripts[0])):
        return False, None
    bare: Tree[Token] = Tree("item", [primary], node.meta)
    sup = scripts[0] if scripts else None
    assert sup is None or isinstance(sup, Tree)
    return is_d(bare), sup


def _is_sup(node: Node) -> bool:
    return isinstance(node, Tree) and node.data == "sup"


def numerator_mark(numerator: Tree[Token]) -> tuple[bool, Tree[Token] | None]:
    r"""Whether a numerator starts with ``d`` or ``d^n``, and that superscript."""
    if numerator.data != "product":
        return False, None
    return d_mark(numerator.children[0])


def d_variables(text: str, denominator: Tree[Token], powered: bool) -> list[Tree[Token]] | None:
    r"""The variables of a denominator ``d x^2``, ``dx\,dy``; None when it is no such thing.

    Args:
        text: The source, for messages.
        denominator: The denominator's tree.
        powered: The numerator is ``d^n``, so a denominator that starts with ``d`` must
            be of the derivative's form.

    Raises:
        LatexError: The numerator is ``d^n`` and the denominator starts with ``d`` but is
            not ``d`` and a variable, repeated.
    """
    parts = denominator.children if denominator.data == "product" else []
    marks, variables = parts[0::2], parts[1::2]
    pairs = len(parts) >= 2 and len(parts) % 2 == 0
    if pairs and all(d_mark(m) == (True, None) for m in marks) and all(_item(v) for v in variables):
        return [v for v in variables if isinstance(v, Tree)]
    if powered and parts and d_mark(parts[0])[0]:
        raise LatexError(D_FORM.format(written=source(text, denominator)), position(denominator))
    return None


def _item(node: Node) -> bool:
    return isinstance(node, Tree) and node.data in ("item", "prefixed")
