"""The body's math as trees: names, heads, subscripts, one spelling per name."""

from __future__ import annotations

import re
from collections.abc import Iterator

from lark import Token, Tree

from derive.errors import DeriveError
from derive.reading.latex.nodes import Node, source
from derive.reading.latex.parser import parse_tree

KNOWN = frozenset(
    {r"\sigma", r"\ln", r"\log", r"\exp", r"\tanh", r"\text{softmax}", r"\det"}
    # the trace, the diagonal matrix, the determinant and the sign are derive's own:
    # `\operatorname{tr}(P) = …`, `\operatorname{det}(P) = …` and `\operatorname{sign}(x) = …`
    # are steps
    | {
        rf"\{style}{{{name}}}"
        for style in ("operatorname", "mathrm", "text")
        for name in ("tr", "Tr", "trace", "diag", "sign", "sgn", "det")
    }
)


NAME_KINDS = frozenset({"letter", "greek", "accent", "bold", "textname"})


# A superscript that names a layer rather than a power: `L`, `l`, `L-1`, `l+1`.
LAYERISH = re.compile(r"[A-Z]|l|[A-Za-z][-+][0-9]")


WIDE = {r"\overline": r"\bar", r"\widehat": r"\hat", r"\widetilde": r"\tilde"}


ACCENTS = r"hat|bar|tilde|vec|dot|ddot|check|breve|acute|grave|widehat|widetilde|overline"


FONTS = r"mathbf|boldsymbol|bm|mathrm|mathcal|mathscr|mathbb|mathsf|mathit|operatorname"


def mentions(text: str, name: str) -> bool:
    r"""True when the LaTeX ``text`` writes the name ``name`` (not inside a longer one).

    Spellings of one name are one: ``\bar r``, ``\bar{r}`` and ``\bar {r}``.
    """
    found = re.escape(canonical(name))
    return re.search(rf"(?<![A-Za-z\\]){found}(?![A-Za-z])", canonical(text)) is not None


def canonical(text: str) -> str:
    r"""``text`` with one spelling per accented name: ``\bar r`` and ``\bar {r}`` as ``\bar{r}``."""
    text = re.sub(r"\\(?:overline|widehat|widetilde)(?![A-Za-z])", lambda m: WIDE[m[0]], text)
    text = re.sub(rf"\\({ACCENTS}|{FONTS})\s*\{{\s*", r"\\\1{", text)
    return re.sub(rf"\\({ACCENTS}|{FONTS})\s+([A-Za-z])(?![A-Za-z])", r"\\\1{\2}", text)


def tree_of(text: str) -> Tree[Token] | None:
    """The parse tree of one side, or None when it is not in the grammar."""
    try:
        tree = parse_tree(text, "expression")
    except DeriveError:
        return None
    return tree if isinstance(tree, Tree) else None


def definable(text: str, tree: Tree[Token]) -> str | None:
    """The left side as a definition's head, when it is a name, an entry or a function."""
    expr = tree.children[0]
    if not isinstance(expr, Tree) or expr.data != "product":
        return None
    items = expr.children
    if not 1 <= len(items) <= 2 or not all(isinstance(i, Tree) and i.data == "item" for i in items):
        return None
    first = items[0]
    assert isinstance(first, Tree)
    primary = first.children[0]
    if not isinstance(primary, Tree) or primary.data not in NAME_KINDS:
        return None
    tagged = any(isinstance(s, Tree) and s.data == "sub" for s in first.children[1:])
    for s in first.children[1:]:
        if isinstance(s, Token):
            return None  # a prime: not a head
        if s.data == "sup" and not layer(text, s):
            if not (tagged and LAYERISH.fullmatch(script(text, s))):
                return None  # a power: not a head
    if len(items) == 2:
        second = items[1]
        if not isinstance(second, Tree) or len(second.children) != 1:
            return None
        paren = second.children[0]
        if not isinstance(paren, Tree) or paren.data != "paren":
            return None
        if source(text, primary) in KNOWN:
            return None  # `\sigma(z) = …` states what σ is: a step
    subscripted = any(isinstance(s, Tree) and s.data == "sub" for s in first.children[1:])
    if item_key(first, text) == r"\delta" and subscripted:
        return None  # `\delta_{ij}` is Kronecker's (`\delta^L_j` and `\delta` are names)
    if any(literal(s) for s in first.children[1:] if isinstance(s, Tree) and s.data == "sub"):
        return None  # `y_1 = …`: one entry, not a definition of all of them
    return " ".join(text.split())


def script(text: str, sup: Tree[Token]) -> str:
    """A superscript as written, braces and spaces dropped: ``L``, ``L-1``."""
    return source(text, sup.children[0]).replace(" ", "").strip("{}")


def layer(text: str, sup: Tree[Token]) -> bool:
    """True for a layer tag, ``^{(2)}`` or ``^{[l]}``, rather than a power."""
    written = source(text, sup).replace(" ", "")
    return bool(re.fullmatch(r"\^\{[(\[].*[)\]]\}", written))


def literal(sub: Tree[Token]) -> bool:
    """True for a subscript that is a number, ``_1`` or ``_{10}``."""
    return all(isinstance(t, Token) and t.type == "NUMBER" for t in tokens_in(sub))


def key_of(head: str) -> str:
    """The name a head (or a declared name) defines: ``y`` for ``y_k``, ``z^{(1)}`` for itself.

    Its text up to a subscript or the arguments at the top level, layer tags kept.
    """
    text = head.replace(" ", "")
    depth = 0
    for at, char in enumerate(text):
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char in "_(" and depth == 0 and at > 0:
            return text[:at]
    return text


def head_key(tree: Tree[Token], text: str) -> str:
    """The name the head ``tree`` (a name, an entry or a function) defines."""
    first = next(n for n in tree.iter_subtrees_topdown() if n.data == "item")  # type: ignore[no-untyped-call]
    return item_key(first, text) or key_of(text)


def declared_key(head: str) -> str:
    """The name a front-matter definition or function defines."""
    tree = tree_of(head)
    return key_of(head) if tree is None else head_key(tree, head)


def names_in(tree: Tree[Token], text: str) -> set[str]:
    """The names a side writes, each with its layer tag if it has one (``z^{(1)}``)."""
    found = set()
    for node in tree.iter_subtrees():
        if node.data == "item":
            name = item_key(node, text)
            if name is not None:
                found.add(name)
    return found


def item_key(item: Tree[Token], text: str) -> str | None:
    """The name an item writes, as :func:`key_of` gives it for a head."""
    name = plain_name(item)
    if name is None:
        return None
    sups = [s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sup"]
    has_sub = any(isinstance(s, Tree) and s.data == "sub" for s in item.children[1:])
    if len(sups) == 1:
        tag = script(text, sups[0])
        if layer(text, sups[0]) or (has_sub and LAYERISH.fullmatch(tag)):
            return key_of(name + source(text, sups[0]))
    return name


def subs_in(tree: Tree[Token]) -> list[Tree[Token]]:
    """Every subscript in ``tree``."""
    return [n for n in tree.iter_subtrees() if n.data == "sub"]


def tokens_in(node: Node) -> Iterator[Token]:
    """Every token under ``node``, in order."""
    if isinstance(node, Token):
        yield node
        return
    for child in node.children:
        yield from tokens_in(child)


def plain_name(item: Tree[Token]) -> str | None:
    r"""The text of a name's base (with any layer tag): ``y``, ``\\hat{y}``, ``z^{(1)}``."""
    primary = item.children[0]
    if not isinstance(primary, Tree) or primary.data not in NAME_KINDS:
        return None
    base = "".join(str(t) for t in tokens_in(primary)).replace(" ", "")
    if primary.data == "accent" or primary.data == "bold":
        base = _braced(primary)
    return base


def _braced(primary: Tree[Token]) -> str:
    command, *rest = list(tokens_in(primary))
    return f"{WIDE.get(str(command), command)}{{{''.join(str(t) for t in rest)}}}"


def sub_letters(sub: Tree[Token]) -> list[str | None]:
    """A subscript's parts: each a lowercase letter (an index) or None (anything else)."""
    if len(sub.children) == 1 and isinstance(sub.children[0], Token):
        token = sub.children[0]
        return [str(token) if token.type == "LETTER" and token.value.islower() else None]
    out: list[str | None] = []
    for part in sub.children:
        items = (
            [n for n in part.iter_subtrees_topdown() if n.data == "item"]  # type: ignore[no-untyped-call]
            if isinstance(part, Tree)
            else []
        )
        leaves = [list(tokens_in(i)) for i in items if len(i.children) == 1]
        for leaf in leaves:
            ok = len(leaf) == 1 and leaf[0].type == "LETTER" and leaf[0].value.islower()
            out.append(str(leaf[0]) if ok else None)
    return out


def axis_letters(sub: Tree[Token]) -> list[str | None]:
    """A subscript's axes: each a lowercase letter, or None (a number, ``i + k - 1``, …).

    A letter inside index arithmetic (``x_{i+k-1}``, ``w_{j-i+1}``) is not the range of
    the axis: it neither shares that axis's range nor stands for an axis of its own.
    """
    parts = [p for p in sub.children if isinstance(p, Tree)]
    if any(p.data == "expr" for p in parts):
        return [None if p.data == "expr" else _one_letter(p) for p in parts]
    return sub_letters(sub)


def _one_letter(part: Tree[Token]) -> str | None:
    """The letter a subscript part is, when it is one lowercase letter alone."""
    leaf = list(tokens_in(part))
    ok = len(leaf) == 1 and leaf[0].type == "LETTER" and leaf[0].value.islower()
    return str(leaf[0]) if ok else None


def single_index(item: Tree[Token]) -> str | None:
    """The index of a name written with one subscript letter, ``t_k``."""
    subs = [s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sub"]
    if len(subs) != 1:
        return None
    letters = sub_letters(subs[0])
    return letters[0] if len(letters) == 1 else None
