"""Small helpers over lark trees: positions, source text, and shape tests."""

from __future__ import annotations

from lark import Token, Tree

from derive.errors import Position

Node = Tree[Token] | Token


def position(node: Node) -> Position:
    """Return the 1-based line and column where ``node`` starts."""
    if isinstance(node, Token):
        return Position("", node.line or 1, node.column or 1)
    meta = node.meta
    if meta.empty:
        return Position("", 1, 1)
    return Position("", meta.line, meta.column)


def source(text: str, node: Node) -> str:
    """Return the source text ``node`` was parsed from."""
    if isinstance(node, Token):
        return str(node.value)
    if node.meta.empty:
        return ""
    return text[node.meta.start_pos : node.meta.end_pos]


def span(text: str, first: Node, last: Node) -> str:
    """Return the source text from the start of ``first`` to the end of ``last``."""
    start, end = offsets(first)[0], offsets(last)[1]
    return text[start:end] if start < end else source(text, first)


def offsets(node: Node) -> tuple[int, int]:
    """The start and end offsets of ``node`` in the source."""
    if isinstance(node, Token):
        return node.start_pos or 0, node.end_pos or 0
    if node.meta.empty:
        return 0, 0
    return node.meta.start_pos, node.meta.end_pos


def subtrees(node: Tree[Token]) -> list[Tree[Token]]:
    """Return the children of ``node`` that are trees."""
    return [child for child in node.children if isinstance(child, Tree)]


def tokens(node: Tree[Token]) -> list[Token]:
    """Return the children of ``node`` that are tokens."""
    return [child for child in node.children if isinstance(child, Token)]


def only_item(node: Node) -> Tree[Token] | None:
    """Return the single ``item`` of an expression that is one factor, else None."""
    if isinstance(node, Tree) and node.data == "product" and len(node.children) == 1:
        child = node.children[0]
        if isinstance(child, Tree) and child.data == "item":
            return child
    return None


def is_bare(item: Tree[Token], kind: str, value: str | None = None) -> bool:
    """Tell whether ``item`` is a primary of ``kind`` with no scripts (and that text)."""
    if len(item.children) != 1:
        return False
    primary = item.children[0]
    if not isinstance(primary, Tree) or primary.data != kind:
        return False
    return value is None or tokens(primary)[0].value == value
