r"""Subscripts with arithmetic: ``x_{i+k-1}``, ``h_{t-1}``, ``x_{2i-1}``, ``w_{j-i+1}``.

One subscript position holds an integer affine expression of indices and sizes: a sum
of terms, each an integer, an index (or size) or an integer times one
(``2i``, ``2 \cdot i``). Nothing else is read: a product of two indices, a fraction or a
function of an index is refused with what to write instead.

A bare juxtaposition ``_{2i}`` (no sign, no ``\cdot``) keeps its older reading, the
entry at row 2, column i (as ``w_{2j}`` in a written-out sum); the stride is written
``x_{2 \cdot i}`` or as part of a sum, ``x_{2i-1}``.
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError
from derive.reading.latex.nodes import Node, position, source, tokens

TIMES = frozenset({"\\cdot", "\\times", "*"})
# reads one index letter (or size) token with its primes as a symbol
IndexOf = Callable[[Token, str], sp.Basic]

UNSUPPORTED = (
    "unsupported subscript `{part}` in `{written}`: a subscript position holds an index, "
    "an integer, or a sum of them with integer multiples, e.g. `x_{{i+k-1}}`, "
    "`h_{{t-1}}`, `x_{{2i-1}}`"
)


def is_arithmetic(child: Node) -> bool:
    r"""True for a subscript position written with ``+``, ``-`` or ``\cdot``."""
    if not isinstance(child, Tree):
        return False
    if child.data in ("expr", "neg"):
        return True
    return child.data == "product" and any(isinstance(c, Token) for c in child.children)


def read_affine(text: str, child: Tree[Token], index_of: IndexOf, written: str) -> sp.Expr:
    """The integer affine expression one subscript position writes.

    Raises:
        LatexError: A term is not an integer, an index, or an integer times an index.
    """
    value = _value(text, child, index_of, written)
    if not all(s.is_integer for s in value.free_symbols):
        raise LatexError(UNSUPPORTED.format(part=source(text, child), written=written))
    return value


def _value(text: str, node: Node, index_of: IndexOf, written: str) -> sp.Expr:
    if isinstance(node, Token):
        return _atom(text, node, node, index_of, written)
    if node.data == "expr":
        total = _value(text, node.children[0], index_of, written)
        for sign, term in zip(node.children[1::2], node.children[2::2], strict=True):
            value = _value(text, term, index_of, written)
            total = total + value if str(sign) == "+" else total - value
        return total
    if node.data == "neg":
        return -_value(text, node.children[1], index_of, written)
    if node.data == "product":
        return _product(text, node, index_of, written)
    if node.data == "item":
        return _item(text, node, index_of, written)
    raise LatexError(UNSUPPORTED.format(part=source(text, node), written=written), position(node))


def _product(text: str, node: Tree[Token], index_of: IndexOf, written: str) -> sp.Expr:
    factors = [c for c in node.children if isinstance(c, Tree)]
    signs = [str(c) for c in node.children if isinstance(c, Token)]
    if any(sign not in TIMES for sign in signs):
        raise LatexError(
            UNSUPPORTED.format(part=source(text, node), written=written), position(node)
        )
    values = [_value(text, f, index_of, written) for f in factors]
    if sum(1 for v in values if not v.is_Integer) > 1:
        raise LatexError(
            f"`{source(text, node)}` in `{written}` multiplies two indices: a subscript "
            "is an index plus integer multiples of indices (e.g. `x_{2i-1}`)",
            position(node),
        )
    return sp.Mul(*values)


def _item(text: str, node: Tree[Token], index_of: IndexOf, written: str) -> sp.Expr:
    primary, *scripts = node.children
    found = tokens(primary) if isinstance(primary, Tree) else []
    primes = all(isinstance(s, Token) for s in scripts)
    if isinstance(primary, Tree) and primary.data == "paren" and not scripts:
        return _value(text, primary.children[0], index_of, written)
    if isinstance(primary, Tree) and primary.data in ("letter", "greek", "number") and primes:
        token = found[0]
        return _atom(text, token, node, index_of, written, len(scripts))
    raise LatexError(UNSUPPORTED.format(part=source(text, node), written=written), position(node))


def _atom(
    text: str, token: Token, node: Node, index_of: IndexOf, written: str, primes: int = 0
) -> sp.Expr:
    if token.type == "NUMBER":
        if "." in token.value:
            raise LatexError(
                UNSUPPORTED.format(part=source(text, node), written=written), position(node)
            )
        return sp.Integer(int(token.value))
    value = index_of(token, str(token.value) + "'" * primes)
    assert isinstance(value, sp.Expr)
    return value
