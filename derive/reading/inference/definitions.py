"""Which first equalities of chains are definitions, and what is defined unreadably."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lark import Token, Tree

from derive.errors import Position
from derive.reading.inference.evidence import free_letters
from derive.reading.inference.trees import (
    canonical,
    definable,
    head_key,
    item_key,
    names_in,
    sub_letters,
    subs_in,
    tree_of,
)

RESERVED = {"e": "Euler's number", r"\pi": "π"}


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
