r"""A front matter inferred from the body: notes checked as they are written.

Real notes say what their front matter would: ``y_k = \frac{e^{z_k}}{\sum_{j=1}^{K}
e^{z_j}}`` defines ``y`` and ranges ``k`` and ``j`` over ``K``; ``E = -\sum_k t_k \ln
y_k`` defines the loss. From the body's display math this module infers

- **definitions**: the first equality of a chain whose left side is a name, an entry
  (``y_k``) or a function (``L(y, \hat y)``) not defined before, whose right side does
  not use it (a known function, ``\sigma(z)``, keeps its meaning: that equality is a
  step);
- **sizes and indices**: a sum ``\sum_{k=1}^{K}`` ranges ``k`` over the size ``K`` (a
  number makes a fixed size); the subscripts of one name at one place share a range, so
  ``z_j`` and ``z_k`` put ``j`` and ``k`` over one size; an index with no such evidence
  gets a size of its own (``k`` over ``K``, or ``N_k`` when ``K`` is taken);
- **candidate assumptions**: for a vector input summed or weighting a logarithm
  (``\sum_k t_k``, ``t_k \ln y_k``), ``\sum_k t_k = 1`` (``if Σ t = 1`` in messages), so
  that a step that needs it is reported as holding if it holds; a candidate is never
  used unless a step is wrong without it.

What is not defined is a free input. A front matter the document has always wins, key by
key; an inferred one only fills its gaps. Nothing here reads values: the inferred
tables are LaTeX text, read by the same reader as a written front matter.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from lark import Token, Tree

from derive.errors import DeriveError, Position
from derive.reading.latex.nodes import Node, source
from derive.reading.latex.parser import parse_tree

KNOWN = frozenset({r"\sigma", r"\ln", r"\log", r"\exp", r"\tanh", r"\text{softmax}"})
NAME_KINDS = frozenset({"letter", "greek", "accent", "bold", "textname"})
LOGS = frozenset({"log", "func", "word"})
# A superscript that names a layer rather than a power: `L`, `l`, `L-1`, `l+1`.
LAYERISH = re.compile(r"[A-Z]|l|[A-Za-z][-+][0-9]")
TABLES = ("sizes", "indices", "definitions", "assumptions")


@dataclass
class Evidence:
    """What the body's math says of its names, gathered side by side."""

    ranges: dict[str, list[str | int]] = field(default_factory=dict)  # index -> sums' limits
    axes: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (name, axis) -> letters
    summed: set[str] = field(default_factory=set)  # names summed or weighting a logarithm
    bound: set[str] = field(default_factory=set)  # every letter a sum binds
    tagged: set[str] = field(default_factory=set)  # `a^L_j`: a layer written as a superscript
    written: set[str] = field(default_factory=set)  # every letter and name the body writes


@dataclass(frozen=True)
class Inference:
    r"""The inferred front-matter tables and where each inferred definition is written.

    ``tainted`` names what the body defines in a way derive cannot read (a right side
    it cannot parse, ``e`` which it reads as Euler's number): a step that uses such a
    name gets no verdict, since the name would otherwise be a free input. ``unchecked``
    are rows that are not equations, by the place of their right side, with why: an
    update ``w = w - \eta g``, a value ``K = 3`` given for a size already used.
    """

    tables: dict[str, dict[str, Any]]
    origins: dict[str, Position]  # a definition's text -> where the body writes it
    tainted: dict[str, tuple[str, Position]] = field(default_factory=dict)
    unchecked: dict[tuple[int, int], str] = field(default_factory=dict)
    restated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def without(self, head: str, why: str = "") -> Inference:
        """The inference less the definition of ``head`` (tainted with ``why``)."""
        definitions = dict(self.tables.get("definitions", {}))
        body = definitions.pop(head, None)
        origins = {k: v for k, v in self.origins.items() if k not in (body, head)}
        tainted = dict(self.tainted)
        if why and head in self.origins:
            tainted[key_of(head)] = (why, self.origins[head])
        tables = {**self.tables, "definitions": definitions}
        return Inference(tables, origins, tainted, self.unchecked, self.restated)

    def closed(self) -> Inference:
        """Less every definition whose right side uses a tainted name, itself tainted."""
        found = self
        changed = True
        while changed:
            changed = False
            for head, body in found.tables.get("definitions", {}).items():
                name = next((n for n in found.tainted if mentions(str(body), n)), None)
                if name is not None and key_of(head) not in found.tainted:
                    found = found.without(head, f"it uses `{name}`, which derive does not read")
                    changed = True
                    break
        return found

    def merged(self, front: Mapping[str, Any]) -> dict[str, Any]:
        """``front`` with its gaps filled: a key it has always wins."""
        out = dict(front)
        for table in TABLES:
            mine = self.tables.get(table, {})
            given = front.get(table, {})
            if mine and isinstance(given, dict):
                out[table] = {**mine, **given}
        if "names" in self.tables:
            out["names"] = self.tables["names"]
        return out


def mentions(text: str, name: str) -> bool:
    r"""True when the LaTeX ``text`` writes the name ``name`` (not inside a longer one).

    Spellings of one name are one: ``\bar r``, ``\bar{r}`` and ``\bar {r}``.
    """
    found = re.escape(canonical(name))
    return re.search(rf"(?<![A-Za-z\\]){found}(?![A-Za-z])", canonical(text)) is not None


WIDE = {r"\overline": r"\bar", r"\widehat": r"\hat", r"\widetilde": r"\tilde"}
ACCENTS = r"hat|bar|tilde|vec|dot|ddot|check|breve|acute|grave|widehat|widetilde|overline"
FONTS = r"mathbf|boldsymbol|bm|mathrm|mathcal|mathscr|mathbb|mathsf|mathit|operatorname"


def canonical(text: str) -> str:
    r"""``text`` with one spelling per accented name: ``\bar r`` and ``\bar {r}`` as ``\bar{r}``."""
    text = re.sub(r"\\(?:overline|widehat|widetilde)(?![A-Za-z])", lambda m: WIDE[m[0]], text)
    text = re.sub(rf"\\({ACCENTS}|{FONTS})\s*\{{\s*", r"\\\1{", text)
    return re.sub(rf"\\({ACCENTS}|{FONTS})\s+([A-Za-z])(?![A-Za-z])", r"\\\1{\2}", text)


# the letters notes give a distribution (targets, probabilities) that sums to one
DISTRIBUTIONS = frozenset({"t", "y", "p", "q"})

RESERVED = {"e": "Euler's number", r"\pi": "π"}


def infer(
    chains: list[list[tuple[str, Position]]],
    front: Mapping[str, Any],
    inline: Sequence[tuple[str, Position]] = (),
) -> Inference:
    """Infer the tables a front matter would give, from the body's chains of sides.

    ``inline`` are the equalities of the prose's inline math (``$E = …$``): never
    definitions, but a name one defines is not a free input either (it is tainted).
    """
    declared = {k for t in ("definitions", "functions") for k in dict(front.get(t, {}))}
    evidence = Evidence()
    parsed = []
    seen: dict[str, int] = {}  # the first line each letter is written on
    for sides in chains:
        trees = [tree_of(text) for text, _ in sides]
        for tree, (text, place) in zip(trees, sides, strict=True):
            if tree is not None:
                gather(tree, text, evidence)
                for token in tokens_in(tree):
                    if token.type == "LETTER":
                        seen[str(token)] = min(seen.get(str(token), place.line), place.line)
        parsed.append((sides, trees))
    limits = {str(v) for vs in evidence.ranges.values() for v in vs}
    limits |= set(dict(front.get("sizes", {})))
    found = Definitions({declared_key(k) for k in declared}, limits, seen)
    for sides, trees in parsed:
        if len(sides) >= 2 and trees[0] is not None:
            found.consider(sides, trees)
        found.reversed(sides)
    letters = set(evidence.bound) | {x for group in evidence.axes.values() for x in group}
    for text, place in inline:
        found.inline(text, place, letters)
    sizes, indices = ranges(evidence, front, found.fixed)
    assumptions = candidates(evidence, found.definitions, declared, indices)
    tables: dict[str, Any] = {"sizes": sizes, "indices": indices}
    tables["definitions"] = found.definitions
    tables["assumptions"] = assumptions
    given = list(front.get("names", []))
    tagged = sorted(evidence.tagged - set(given))
    if tagged:
        tables["names"] = [*given, *tagged]
    return Inference(tables, found.origins, found.tainted, found.unchecked, found.restated)


@dataclass
class Definitions:
    """The definitions found chain by chain, and what the body defines but cannot be read."""

    heads: set[str]  # the names defined so far (and those the front matter defines)
    limits: set[str]  # the sizes sums run to: `K = 3` gives one its value
    seen: Mapping[str, int]  # the first line each letter is written on
    definitions: dict[str, str] = field(default_factory=dict)
    origins: dict[str, Position] = field(default_factory=dict)
    tainted: dict[str, tuple[str, Position]] = field(default_factory=dict)
    unchecked: dict[tuple[int, int], str] = field(default_factory=dict)  # rows: why not
    fixed: dict[str, int] = field(default_factory=dict)
    uses: dict[str, set[str]] = field(default_factory=dict)  # each definition's names
    written: dict[str, str] = field(default_factory=dict)  # each definition's head as written
    # later rows `E = …` with the head written as in its definition: another form of it,
    # or another definition; the steps after one that does not hold are not checked
    restated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def consider(self, sides: list[tuple[str, Position]], trees: list[Tree[Token] | None]) -> None:
        """Take the chain's first equality as a definition when it is one."""
        (left, where), (right, there) = sides[0], sides[1]
        tree, body = trees[0], trees[1]
        assert tree is not None
        head = definable(left, tree)
        if head is None:
            self.primed(left, tree, body, right, there)
            return
        key = head_key(tree, left)
        if key in self.heads:
            if key in self.uses and spelled(left) == self.written.get(key):
                self.restated.setdefault(key, []).append((there.line, there.col))
            return  # defined before: a step
        if key in self.limits:
            self.size(key, right, where, there)
            return
        if key in RESERVED:
            said = f"derive reads `{key}` as {RESERVED[key]}: give the variable another name"
            self.tainted[key] = (said, where)
            return
        why = unreadable(tree, body) or valued(right)
        if why is not None:
            self.taint(key, why, there)
            return
        assert body is not None
        uses = names_in(body, right)
        if key in uses:
            self.unchecked[(there.line, there.col)] = UPDATE.format(name=key)
            self.taint(key, "it is defined in terms of itself (a recurrence or an update)", there)
            return
        if self.reaches(uses, key):
            return  # a definition it uses is made of it: a relation, checked as a step
        self.definitions[head] = right
        self.origins[right] = there
        self.origins.setdefault(head, where)
        self.heads.add(key)
        self.uses[key] = uses
        self.written[key] = spelled(left)

    def taint(self, key: str, why: str, where: Position) -> None:
        """Record that the body defines ``key`` in a way derive does not read."""
        self.tainted.setdefault(key, (why, where))
        self.heads.add(key)

    def reaches(self, names: set[str], key: str) -> bool:
        """True when a definition among ``names`` (or theirs, and so on) uses ``key``."""
        todo, done = list(names), set()
        while todo:
            name = todo.pop()
            if name == key:
                return True
            if name not in done:
                done.add(name)
                todo.extend(self.uses.get(name, ()))
        return False

    def size(self, key: str, right: str, where: Position, there: Position) -> None:
        """``K = 3`` on the line that first writes ``K`` fixes it; other rows are not checked."""
        first = self.seen.get(key, where.line) == where.line
        if right.strip().isdigit() and int(right) > 0 and first:
            self.fixed.setdefault(key, int(right))
            return
        why = (
            f"a value for `{key}` given after `{key}` is used (an example?)"
            if right.strip().isdigit()
            else f"a relation between sizes (`{key}` is the size a sum runs to)"
        )
        self.unchecked[(there.line, there.col)] = f"{why}: derive does not check it"

    def primed(
        self, left: str, tree: Tree[Token], body: Tree[Token] | None, right: str, there: Position
    ) -> None:
        r"""``w' = w - \eta g``: an update written with a prime is not an equation."""
        if body is None or not re.fullmatch(r"\s*[^']+'+\s*", left):
            return
        items = [n for n in tree.iter_subtrees_topdown() if n.data == "item"]  # type: ignore[no-untyped-call]
        if not items:
            return
        name = item_key(items[0], left)
        if name is not None and name in names_in(body, right):
            self.unchecked[(there.line, there.col)] = UPDATE.format(name=left.strip())

    def reversed(self, sides: list[tuple[str, Position]]) -> None:
        """``… =: g`` defines ``g`` the other way round: not read, so ``g`` is tainted."""
        for text, place in sides[1:]:
            found = re.fullmatch(r":\s*(\\?[A-Za-z]+)\s*", text)
            if found and found.group(1) not in self.heads:
                self.taint(found.group(1), "`=:` is not read: write it `g := …`", place)

    def inline(self, text: str, place: Position, indices: set[str]) -> None:
        """An equality of inline math (or prose) whose left side is a name: it is tainted."""
        left, _, right = text.partition("=")
        tree = tree_of(left)
        if tree is None or definable(left, tree) is None or "=" in right:
            return
        key = head_key(tree, left)
        if key in self.limits and right.strip().isdigit():
            why = (
                f"a value for it is given in inline math (`${key} = {right.strip()}$`): the "
                "case of the whole document, or a special case? Write it as display math "
                "before its first use"
            )
            self.taint(key, why, place)
            return
        if key in self.heads or key in self.limits or key in indices:
            return
        letters = re.sub(r"\\[A-Za-z]+", "", right)
        if not re.search("[A-Za-z]", letters) or re.fullmatch(r"\s*\\?[A-Za-z]+\s*", right):
            return  # `$t = (1, 0, 0)$`, `$y = t$`: a value or a condition, not a definition
        self.taint(key, PROSE_DEFINITION, place)


def spelled(head: str) -> str:
    r"""A head as written, one spelling: ``\bar E`` and ``\bar{E}``, spaces dropped."""
    return re.sub(r"\s+", "", canonical(head))


def valued(right: str) -> str | None:
    r"""Why a right side that is a number (``0``, ``\frac{1}{2}``, ``10^{-4}``) is not taken."""
    bare = re.sub(r"\\(?:[dt]?frac|cdot|times|left|right|,|;|!)(?![A-Za-z])", " ", right)
    if re.search(r"[A-Za-z\\]", bare) or not re.search("[0-9]", bare):
        return None
    return (
        "it is given a value here (a special case, a starting point?), which derive does not "
        "put into the general formulas; give the value its own name"
    )


PROSE_DEFINITION = (
    "it is defined in inline math (`$…$`) or in words inside a display (`\\text{where} …`), "
    "which derive does not read: write it as display math of its own"
)

UPDATE = (
    "`{name}` is on both sides: an update (write `\\leftarrow`) or a recurrence, not an "
    "equation, so derive does not check it"
)


def unreadable(head: Tree[Token], body: Tree[Token] | None) -> str | None:
    """Why a definition's right side cannot be taken: unread, or an index left free."""
    if body is None:
        return "derive cannot read its right side"
    free = free_letters(body) - set().union(*(sub_letters(s) for s in subs_in(head)))
    if free - {None}:
        letter = sorted(str(x) for x in free if x is not None)[0]
        return (
            f"its right side has the index `{letter}` free and its left side does not: "
            f"write the sum (`\\sum_{letter}`) or the index on the left"
        )
    return None


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


def free_letters(tree: Tree[Token]) -> set[str | None]:
    """The index letters of ``tree``'s subscripts that no sum in it binds."""
    bound = Evidence()
    for node in tree.iter_subtrees():
        if node.data in ("sum", "prod"):
            bounds(node, bound)
    letters = set().union(*(sub_letters(s) for s in subs_in(tree)))
    return {x for x in letters if x is None or x not in bound.bound}


def tokens_in(node: Node) -> Iterator[Token]:
    """Every token under ``node``, in order."""
    if isinstance(node, Token):
        yield node
        return
    for child in node.children:
        yield from tokens_in(child)


def gather(tree: Tree[Token], text: str, evidence: Evidence) -> None:
    """Record the sums' ranges, each name's subscripts, and what is summed or weighted."""
    evidence.written |= {str(t) for t in tokens_in(tree) if t.type == "LETTER"}
    evidence.written |= names_in(tree, text)
    for node in tree.iter_subtrees():
        if node.data in ("sum", "prod"):
            bounds(node, evidence)
        elif node.data == "item":
            subscripts(node, evidence, text)
        elif node.data == "product":
            weights(node, evidence)


def bounds(node: Tree[Token], evidence: Evidence) -> None:
    r"""``\\sum_{k=1}^{K}``: ``k`` ranges over ``K``; ``\\sum_k`` binds ``k`` (range unknown)."""
    parts = [c for c in node.children[1:-1] if isinstance(c, Tree)]
    lower = next((p for p in parts if p.data == "lower"), None)
    upper = next((p for p in parts if p.data == "upper"), None)
    if lower is None:
        return
    letters = [str(c) for c in lower.children if isinstance(c, Token)]
    for cond in (c for c in lower.children if isinstance(c, Tree)):
        ivar = cond.children[0]
        if isinstance(ivar, Tree) and len(ivar.children) == 1:
            letters.append(str(ivar.children[0]))
    evidence.bound.update(letters)
    top = None if upper is None else list(tokens_in(upper))
    if top is None or len(top) != 1 or len(letters) != 1:
        return
    (token,) = top
    if token.type == "LETTER" and token.value.isupper():
        evidence.ranges.setdefault(letters[0], []).append(str(token.value))
    elif token.type == "NUMBER" and token.value.isdigit():
        evidence.ranges.setdefault(letters[0], []).append(int(token.value))
    body = node.children[-1]  # `\sum_k t_k`: a vector summed alone
    factors = body.children if isinstance(body, Tree) and body.data == "product" else []
    if len(factors) == 1 and isinstance(factors[0], Tree) and factors[0].data == "item":
        name = plain_name(factors[0])
        if name == "t" and single_index(factors[0]) == letters[0]:
            evidence.summed.add(name)  # targets, by the usual letter


def subscripts(item: Tree[Token], evidence: Evidence, text: str) -> None:
    """Each subscript letter of a name, by axis: ``w_{ij}`` puts ``i`` on axis 0.

    A subscripted name with a superscript that reads as a layer, ``a^L_j`` or
    ``a^{L-1}_k``, is a name of its own: the superscript is part of it.
    """
    name = plain_name(item)
    if name is None:
        return
    sups = [s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sup"]
    has_sub = any(isinstance(s, Tree) and s.data == "sub" for s in item.children[1:])
    if has_sub and len(sups) == 1 and LAYERISH.fullmatch(script(text, sups[0])):
        name = f"{name}^{{{script(text, sups[0])}}}"
        evidence.tagged.add(name)
    for sub in (s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sub"):
        letters = sub_letters(sub)
        for axis, letter in enumerate(letters):
            if letter is not None:
                kronecker = name == r"\delta" and not sups  # `\delta_{ik}`: i, k alike
                evidence.axes.setdefault((name, 0 if kronecker else axis), set()).add(letter)


def weights(product: Tree[Token], evidence: Evidence) -> None:
    r"""``t_k \\ln y_k``: a vector weighting a logarithm is a candidate to sum to one."""
    kinds = [
        c.children[0].data
        for c in product.children
        if isinstance(c, Tree) and c.data == "item" and isinstance(c.children[0], Tree)
    ]
    if not any(k in LOGS for k in kinds):
        return
    for item in (c for c in product.children if isinstance(c, Tree) and c.data == "item"):
        name = plain_name(item)
        if name in DISTRIBUTIONS and single_index(item) is not None:
            evidence.summed.add(name)  # `t_k \ln y_k`: targets; `n_k \ln p_k` counts: not


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


def single_index(item: Tree[Token]) -> str | None:
    """The index of a name written with one subscript letter, ``t_k``."""
    subs = [s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sub"]
    if len(subs) != 1:
        return None
    letters = sub_letters(subs[0])
    return letters[0] if len(letters) == 1 else None


def ranges(
    evidence: Evidence, front: Mapping[str, Any], fixed: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sizes and indices: letters at one place of one name share a size; sums give it.

    A letter's own range (written, or its sum's upper limit) comes first; a letter with
    none takes its group's. A size the body gives a value (``K = 3``) is fixed.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    letters = set(evidence.bound) | {x for group in evidence.axes.values() for x in group}
    given_indices = dict(front.get("indices", {}))
    given_sizes = dict(front.get("sizes", {}))
    for group in evidence.axes.values():
        first, *rest = sorted(group)
        for other in rest:
            union(first, other)
    sizes: dict[str, Any] = {}
    indices: dict[str, str] = {}
    group_size: dict[str, str] = {}
    taken = Taken(given_sizes, evidence.written)
    own: dict[str, str] = {}
    for letter in sorted(letters):
        written = given_indices.get(letter)
        limit = (
            written if written is not None else next(iter(evidence.ranges.get(letter, [])), None)
        )
        if limit is not None:
            own[letter] = size_name(limit, sizes, taken)
            group_size.setdefault(find(letter), own[letter])
    for letter in sorted(letters):
        root = find(letter)
        if letter not in given_indices and len({*evidence.ranges.get(letter, [])}) > 1:
            for limit in evidence.ranges[letter]:
                if isinstance(limit, str):
                    size_name(limit, sizes, taken)  # still a size
            continue  # sums over it run to different sizes: each sum says its own
        if root not in group_size:
            group_size[root] = size_name(letter.upper(), sizes, taken, fresh=letter)
        indices[letter] = own.get(letter, group_size[root])
    for name, value in fixed.items():
        if name in sizes and name not in given_sizes:
            sizes[name] = value
    return sizes, indices


@dataclass(frozen=True)
class Taken:
    """The size names that are not free: written ones, and every name the body uses."""

    given: Mapping[str, Any]
    written: set[str]


FIXED_NAMES = ("N", "M", "D", "H", "P", "Q", "S", "B", "C", "F", "G", "R", "U", "V")


def size_name(size: Any, sizes: dict[str, Any], taken: Taken, fresh: str = "") -> str:
    """The name of a size: ``K`` as written, a fixed number ``N = 10``, or a new one.

    A fixed number gets a name the body does not use (so a written ``N`` stays the
    author's), the same name for the same number.
    """
    if isinstance(size, int):
        same = next((n for n, v in sizes.items() if v == size and isinstance(v, int)), None)
        if same is not None:
            return same
        free = (n for n in FIXED_NAMES if n not in sizes and n not in taken.given)
        name = next((n for n in free if n not in taken.written), f"N_{{{size}}}")
        sizes[name] = size
        return name
    if fresh and (size in sizes or size in taken.given or size in taken.written):
        size = f"N_{fresh}"
    if size not in taken.given:
        why = (
            f"the range of {fresh}, inferred" if fresh else "inferred from the upper limit of a sum"
        )
        sizes.setdefault(size, why)
    return str(size)


def candidates(
    evidence: Evidence,
    definitions: Mapping[str, str],
    declared: set[str],
    indices: Mapping[str, str],
) -> dict[str, str]:
    """``if Σ_k t_k = 1`` for each vector input summed or weighting a logarithm."""
    defined = {declared_key(d) for d in (*definitions, *declared)}
    out: dict[str, str] = {}
    for name in sorted(evidence.summed - defined):
        axes = [a for (n, a) in evidence.axes if n == name]
        if axes != [0]:
            continue
        letter = sorted(evidence.axes[(name, 0)])[0]
        size = indices.get(letter)
        if size is None:
            continue
        out[f"if Σ_{letter} {name}_{letter} = 1"] = (
            rf"\sum_{{{letter}=1}}^{{{size}}} {name}_{{{letter}}} = 1"
        )
    return out
