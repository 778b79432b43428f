r"""The left side of a definition: ``E``, ``y_k``, ``{}^r a_j``, ``\text{soft}(\mathbf{z}, j)``."""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError
from derive.model import Scope
from derive.reading.latex.names import (
    DELTA,
    is_name,
    literal_key,
    name_value,
    read_name,
    script_key,
)
from derive.reading.latex.nodes import Node, only_item, position, source

HINT = "write a name (`E`), an element (`y_k`, `w_{ij}`) or a function (`f(\\mathbf{z}, j)`)"


def read_head(text: str, scope: Scope, node: Node) -> tuple[str, tuple[sp.Basic, ...]]:
    """Return the key a definition defines and the symbols it is indexed by.

    A pre-superscript comes first among the indices: ``{}^r a_j`` gives ``("a", (r, j))``.

    Raises:
        LatexError: The text is not a name, an element or a function application.
        UnknownNameError: A subscript letter is not a declared index.
    """
    items = _items(node)
    if items is None:
        raise _not_a_head(text, node)
    first, prefixed = items[0], None
    if first.data == "prefixed":
        prefixed, inner = first, first.children[1]
        assert isinstance(inner, Tree)
        first = inner
    if not is_name(first):
        raise _not_a_head(text, node)
    name = read_name(text, scope, first, prefixed, parameter=len(items) == 2)
    if name.power is not None:  # `\sigma^2 = …`, `a_j^L = …`: the superscript is the name's
        name = replace(name, key=f"{name.key}^{{{script_key(text, name.power)}}}", power=None)
    if name.exclude is not None:
        raise _not_a_head(text, node)
    if len(items) == 1 and not name.prefix and literal_key(name.key, name.indices or ()):
        return literal_key(name.key, name.indices or ()), ()  # `h_1 = …`: a name of its own
    if name.key == DELTA and (name.indices is not None or name.prefix):
        raise LatexError(
            "`\\delta` with subscripts is the Kronecker delta (`\\delta_{kj}`) wherever "
            "it is used: name the defined quantity otherwise, e.g. `d_j` or `\\delta^{(l)}_j`",
            position(node),
        )
    if len(items) == 1:
        return name.key, name.prefix + (name.indices or ())
    paren = items[1].children[0]
    if name.indices is not None or prefixed is not None or len(items[1].children) != 1:
        raise _not_a_head(text, node)
    assert isinstance(paren, Tree)
    if paren.data != "paren":
        raise _not_a_head(text, node)
    return name.key, tuple(_argument(text, scope, part) for part in paren.children)


def _items(node: Node) -> list[Tree[Token]] | None:
    if not isinstance(node, Tree) or node.data != "product" or len(node.children) > 2:
        return None
    items = [c for c in node.children if isinstance(c, Tree) and c.data in ("item", "prefixed")]
    if len(items) != len(node.children) or any(c.data != "item" for c in items[1:]):
        return None
    return items


def _argument(text: str, scope: Scope, part: Node) -> sp.Basic:
    item = only_item(part)
    if item is None or not is_name(item):
        raise LatexError(
            f"expected a name as a parameter, e.g. `\\mathbf{{z}}` or `j`, "
            f"not `{source(text, part)}`",
            position(part),
        )
    name = read_name(text, scope, item)
    if name.power is not None:
        raise LatexError("unsupported power on a parameter", position(name.power))
    value = name_value(name, scope, check=False)
    entry = isinstance(value, sp.Indexed)
    if entry and all(isinstance(i, sp.Symbol) and i.is_integer for i in value.indices):
        return value  # `s(z_i)`: a function of one entry, meaning `s` of entry `i`
    if isinstance(value, sp.MatrixSymbol):
        return symbols.tensor(name.key)  # a parameter is the whole vector, as `\mathbf{z}`
    return value


def _not_a_head(text: str, node: Node) -> LatexError:
    return LatexError(f"unsupported left side `{source(text, node)}`: {HINT}", position(node))
