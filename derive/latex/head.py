r"""The left side of a definition: ``y_k``, ``E``, ``w_{ij}``, ``\text{soft}(\mathbf{z}, j)``."""

from __future__ import annotations

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError
from derive.latex.names import is_name, name_value, read_name
from derive.latex.nodes import Node, only_item, position, source
from derive.latex.scope import Scope

HINT = "write a name (`E`), an element (`y_k`, `w_{ij}`) or a function (`f(\\mathbf{z}, j)`)"


def read_head(text: str, scope: Scope, node: Node) -> tuple[str, tuple[sp.Basic, ...]]:
    """Return the key a definition defines and the symbols it is indexed by.

    Raises:
        LatexError: The text is not a name, an element or a function application.
        UnknownNameError: A subscript letter is not a declared index.
    """
    items = _items(node)
    if items is None or not is_name(items[0]):
        raise _not_a_head(text, node)
    name = read_name(text, scope, items[0])
    if name.power is not None:
        raise LatexError(
            f"unsupported power on the left of a definition; {HINT}", position(name.power)
        )
    if len(items) == 1:
        return name.key, name.indices or ()
    paren = items[1].children[0]
    if name.indices is not None or len(items[1].children) != 1:
        raise _not_a_head(text, node)
    assert isinstance(paren, Tree)
    if paren.data != "paren":
        raise _not_a_head(text, node)
    return name.key, tuple(_argument(text, scope, part) for part in paren.children)


def _items(node: Node) -> list[Tree[Token]] | None:
    if not isinstance(node, Tree) or node.data != "product" or len(node.children) > 2:
        return None
    items = [c for c in node.children if isinstance(c, Tree) and c.data == "item"]
    return items if len(items) == len(node.children) else None


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
    return name_value(name, scope, check=False)


def _not_a_head(text: str, node: Node) -> LatexError:
    return LatexError(f"unsupported left side `{source(text, node)}`: {HINT}", position(node))
