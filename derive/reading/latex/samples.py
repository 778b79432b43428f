r"""A sample index written as a name's base: ``r_{z_j}^{(L)}`` for ``{}^r z_j^{(L)}``.

Handwritten (and OCR'd) notes put the pre-superscript ``{}^r`` of a batch as the base
of a subscript: ``r_{a_i}^{(L-1)}``, ``\mathbf{r}_z^{(L)}``, ``r_{y_t}``. A declared
index never takes a subscript of its own, so when a declared index letter is
subscripted by a name, the two read the same: the name, for sample ``r``, with the
outer scripts (the layer tag) moved onto it and the bold kept.
"""

from __future__ import annotations

from lark import Token, Tree

from derive.model import Scope
from derive.reading.latex.nodes import Node

NAMES = frozenset({"letter", "greek", "accent", "bold", "textname", "cal"})


def sample_prefixes(tree: Node, scope: Scope) -> Node:
    """Return ``tree`` with every ``r_{x…}`` rewritten as ``{}^r x…``."""
    if not isinstance(tree, Tree):
        return tree
    children = [sample_prefixes(child, scope) for child in tree.children]
    node = Tree(tree.data, children, tree.meta) if children != tree.children else tree
    if node.data == "item":
        return _rewritten(node, scope) or node
    return node


def _rewritten(item: Tree[Token], scope: Scope) -> Tree[Token] | None:
    primary, *scripts = item.children
    letter = _index_letter(primary, scope)
    subs = [s for s in scripts if isinstance(s, Tree) and s.data == "sub"]
    if letter is None or len(subs) != 1:
        return None
    inner = _only_name(subs[0])
    if inner is None:
        return None
    inner_primary, *inner_scripts = inner.children
    assert isinstance(inner_primary, Tree)
    if _index_letter(inner_primary, scope) is not None:
        return None  # `r_{k}`: a subscript of indices, which the reader rejects as it is
    if isinstance(primary, Tree) and primary.data == "bold" and inner_primary.data == "letter":
        bold = [c for c in primary.children if isinstance(c, Token) and c.type != "LETTER"]
        inner_primary = Tree("bold", [*bold, *inner_primary.children], inner_primary.meta)
    rest = [s for s in scripts if s is not subs[0]]
    moved = Tree("item", [inner_primary, *inner_scripts, *rest], inner.meta)
    return Tree("prefixed", [Tree("presup", [letter], item.meta), moved], item.meta)


def _index_letter(primary: Node, scope: Scope) -> Token | None:
    r"""The letter token of ``r`` or ``\mathbf{r}`` when it is a declared index."""
    if not isinstance(primary, Tree) or primary.data not in ("letter", "bold"):
        return None
    letters = [c for c in primary.children if isinstance(c, Token) and c.type == "LETTER"]
    if len(letters) != 1 or letters[0].value not in scope.indices:
        return None
    return letters[0]


def _only_name(sub: Tree[Token]) -> Tree[Token] | None:
    """The one name item a subscript holds, if that is all it holds."""
    (part, *more) = sub.children
    if more:
        return None
    if isinstance(part, Token):  # `_z`, written without braces
        if part.type != "LETTER":
            return None
        return Tree("item", [Tree("letter", [part], sub.meta)], sub.meta)
    if part.data == "product" and len(part.children) == 1:
        part = part.children[0]
        if not isinstance(part, Tree):
            return None
    if part.data != "item":
        return None
    first = part.children[0]
    if not isinstance(first, Tree) or first.data not in NAMES:
        return None
    return part
