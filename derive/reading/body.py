r"""The chains of equalities in a document's body, each side placed in the file.

Every display-math block (:mod:`derive.reading.displays`) holds rows (``\\`` or ``\cr``
separates them; environment wrappers such as ``\begin{align*}``, ``\eqalign{…}`` and
``&`` are layout), and each row statements (``\quad`` or an arrow such as
``\Rightarrow`` separates them). A statement ``A = B = C`` is a chain; one that starts
with ``= X`` continues the previous chain (the seeds write one line per block) unless a
``[[parts]]`` boundary or an arrow lies between them. Annotations (``\tag{…}``,
``\text{(shown)}``, a leading ``2.``, an equation number ``(1)``) and a formula's final
``.``, ``,`` or ``;`` are set aside. A condition after a statement (``\text{if } i = j``,
``\quad (i \neq j)``, or prose "if $i = j$:" before a block) holds for its steps and the
chain's later ones. ``\begin{cases}`` and the matrices stay whole inside a side.

What is not read, a row without ``=`` or with a condition derive cannot use, is listed
(:class:`Unread`), never skipped silently.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field, replace

from derive.errors import DocumentError, Position
from derive.memo import OwnedMemo
from derive.model import Document
from derive.reading import layout
from derive.reading.displays import Block, math_blocks
from derive.reading.layout import Stated, Statement

__all__ = ["MAX_STEPS", "Block", "Reading", "Side", "Stated", "Unread", "chains", "read_body"]

MAX_STEPS = 1000  # per document: real notes have a few hundred at most
# Relations that are not equalities: a row with one of these (and no `=`) is listed.
RELATION = re.compile(
    r"\\(?:leq?|geq?|approx|propto|sim|simeq|cong|equiv|in|subset|subseteq|neq?|ll|gg|"
    r"mapsto|to|lesssim|gtrsim)(?![a-zA-Z])|[<>]"
)
# An index condition: `i = j` or `i \neq j`, once spacing and `$` are set aside.
INDEX_CONDITION = re.compile(r"^(?P<left>[a-zA-Z])(?P<op>=|\\neq?)(?P<right>[a-zA-Z])$")


@dataclass(frozen=True)
class Side:
    """One side of a chain: its LaTeX, where it starts, and the conditions on its step."""

    text: str
    line: int
    col: int
    where: tuple[Stated, ...] = field(default=(), compare=False)


@dataclass(frozen=True)
class Unread:
    r"""Display math that is not a step: its text, where it starts, and why (a key).

    ``reason`` is ``equality`` (no ``=``), ``relation`` (``\le``, ``\approx`` …),
    ``condition`` (a condition derive cannot use, ``detail`` says which) or ``prose``
    (``\text{where …}``); :func:`derive.presenting.words.unread_reason` words it.
    """

    text: str
    line: int
    col: int
    reason: str
    detail: str = ""


@dataclass
class Reading:
    """The body as read: its chains, and what of its display math is not a step."""

    chains: list[list[Side]] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    count: int = 0  # steps so far, against MAX_STEPS
    # A row of the block without `=`: the left side of a next row that starts with `=`.
    waiting: tuple[Side, Unread] | None = None

    def flush(self) -> None:
        """List the row without `=` that no row continued as not read."""
        if self.waiting is not None:
            self.unread.append(self.waiting[1])
            self.waiting = None


def chains(doc: Document) -> list[list[Side]]:
    """Every chain of equalities in the body, continuations joined.

    Raises:
        DocumentError: more than :data:`MAX_STEPS` steps, at the first one too many.
    """
    return read_body(doc).chains


def read_body(doc: Document) -> Reading:
    """The body's chains, and its display math that is not a step (remembered per document).

    Raises:
        DocumentError: more than :data:`MAX_STEPS` steps, at the first one too many.
    """
    found = READINGS.get(doc, None)
    if found is None:
        found = READINGS.put(doc, None, read_afresh(doc))
    return found


def read_afresh(doc: Document) -> Reading:
    """:func:`read_body`, computed."""
    reading = Reading()
    for block in math_blocks(doc):
        lead = lead_conditions(doc, block)
        for row_text, row_offset in layout.rows(block.text):
            for statement in layout.statements(row_text, row_offset):
                add(doc, reading, block, statement, lead)
                lead = None  # the prose's condition is on the block's first statement
        reading.flush()
    return reading


READINGS: OwnedMemo[Document, None, Reading] = OwnedMemo("body.READINGS", 16)


def lead_conditions(doc: Document, block: Block) -> tuple[str, ...] | None:
    """The condition the prose before ``block`` states, when it relates two indices.

    Other prose, "for $m = 1$," or "if $x > 0$:", is not a condition derive reads: the
    block is read as it would be without it.
    """
    lead = block.lead
    if lead is None or usable(doc, lead.line, (lead.text,)) is None:
        return None
    return (lead.text,)


def add(
    doc: Document,
    reading: Reading,
    block: Block,
    statement: Statement,
    lead: tuple[str, ...] | None,
) -> None:
    """Add one statement to the chains, or list it as not read."""
    text, offset = statement.text, statement.offset
    line, col = block.place(offset + len(text) - len(text.lstrip()))
    written = " ".join(text.split())
    if statement.prose:
        reading.unread.append(Unread(written, line, col, "prose"))
        return
    conditions = (*statement.conditions, *(lead or ()))
    stated = usable(doc, line, conditions)
    if stated is None:
        said = "; ".join(" ".join(c.split()) for c in conditions)
        reading.unread.append(Unread(written, line, col, "condition", said))
        return
    sides = split_sides(text, block, offset)
    waiting, reading.waiting = reading.waiting, None
    if sides and sides[0].text == "" and waiting is not None and not statement.fresh:
        sides[0] = replace(waiting[0], where=sides[0].where)  # `A \\ &= B`: A = B
    elif waiting is not None:
        reading.unread.append(waiting[1])
    if not sides:
        relation = RELATION.search(layout.top_text(text))
        reason = "relation" if relation else "equality"
        detail = relation.group(0) if relation else ""
        if written:
            unread = Unread(written, line, col, reason, detail)
            if relation or stated:
                reading.unread.append(unread)
            else:
                reading.waiting = (Side(text.strip(), line, col), unread)
        return
    join(doc, reading, sides, stated, statement.fresh)


def join(
    doc: Document, reading: Reading, sides: list[Side], stated: tuple[Stated, ...], fresh: bool
) -> None:
    """Start a chain with ``sides``, or continue the last one when they start with ``=``."""
    out = reading.chains
    if len(sides) == 1:  # an `=` only inside unbalanced braces: report it
        out.append([sides[0], Side("", sides[0].line, sides[0].col)])
        reading.count += 1
    elif sides[0].text == "" and not fresh and out and same_part(doc, out[-1][0], sides[1]):
        base = another_case(out[-1], stated)
        if base is not None:  # `&= a \ &= b` under `i = j`, then `i \neq j`: a second case
            where = (*base.where, *stated)
            out.append([base, *(replace(s, where=where) for s in sides[1:])])
        else:
            where = (*out[-1][-1].where, *stated)
            out[-1].extend(replace(s, where=where) for s in sides[1:])
        reading.count += len(sides) - 1
    else:
        out.append([replace(s, where=stated) for s in sides])  # empty sides stay, reported
        reading.count += len(sides) - 1
    if reading.count > MAX_STEPS:
        raise too_many(doc, sides[-1])


def another_case(chain: list[Side], stated: tuple[Stated, ...]) -> Side | None:
    r"""The side a row's other case continues from, when its condition contradicts the chain's.

    ``\frac{\partial y_i}{\partial z_j} &= y_i(1 - y_i) \quad \text{if } i = j \\ &= -y_i y_j
    \quad \text{if } i \neq j``: the second row is not a step from ``y_i(1 - y_i)`` (no
    values meet both conditions) but the other case of the first side. None when the
    condition does not contradict the chain's last side.
    """
    if not clashes(chain[-1].where, stated):
        return None
    first = next(n for n, side in enumerate(chain) if clashes(side.where, stated))
    base = chain[first - 1] if first > 0 else chain[0]
    return replace(base, where=tuple(c for c in base.where if not clashes((c,), stated)))


def clashes(held: tuple[Stated, ...], stated: tuple[Stated, ...]) -> bool:
    r"""True when a stated condition negates one that holds (``i = j`` against ``i \\neq j``)."""
    return any(
        {a.left, a.right} == {b.left, b.right} and a.op != b.op for a in held for b in stated
    )


def usable(doc: Document, line: int, conditions: tuple[str, ...]) -> tuple[Stated, ...] | None:
    """Each condition as two declared indices related; None when one is not that."""
    indices = doc.reading_at(line).indices
    found = []
    for text in conditions:
        bare = re.sub(r"\\[ ,;:!]|~|\$|\\quad|\\qquad|\s", "", text).rstrip(".,;:")
        match = INDEX_CONDITION.match(bare)
        if match is None or not {match["left"], match["right"]} <= indices.keys():
            return None
        op, said = ("=", "=") if match["op"] == "=" else ("!=", "\\neq")
        left, right = match["left"], match["right"]
        found.append(Stated(left, op, right, f"{left} {said} {right}"))
    return tuple(found)


def check_count(doc: Document) -> None:
    """Refuse a body of more than :data:`MAX_STEPS` steps while reading it.

    Each step needs an ``=``; when the body has more than that many, the beginning up to
    the line of its ``2·(MAX_STEPS + 1)``-th ``=`` is read first, so that a huge body is
    refused without parsing all of it.

    Raises:
        DocumentError: more than :data:`MAX_STEPS` steps, at the first one too many.
    """
    text = doc.body
    if text.count("=") <= MAX_STEPS:
        return
    signs = itertools.islice(re.finditer("=", text), 2 * (MAX_STEPS + 1) - 1, None)
    sign = next(signs, None)
    cut = text.find("\n", sign.end()) if sign else -1
    if cut >= 0:
        chains(replace(doc, body=text[: cut + 1]))
    chains(doc)


def too_many(doc: Document, side: Side) -> DocumentError:
    """The refusal of a body with more than :data:`MAX_STEPS` steps, at ``side``."""
    return DocumentError(
        f"the body has more than {MAX_STEPS} steps (derive checks at most {MAX_STEPS} per "
        "document); split the document",
        Position(doc.path, side.line, side.col),
    )


def same_part(doc: Document, first: Side, then: Side) -> bool:
    """True when no ``[[parts]]`` boundary lies between two sides."""
    return doc.reading_at(first.line) is doc.reading_at(then.line)


# Signs that define, read as `=`: `:=`, `\coloneqq`, `\equiv`, `\triangleq`, `\doteq`,
# `\stackrel{\text{def}}{=}`, `\overset{def}{=}` (each kept at its length: columns stay).
DEFINES = re.compile(
    r":=|\\(?:coloneqq|coloneq|equiv|triangleq|doteq)(?![a-zA-Z])"
    r"|\\(?:stackrel|overset)\s*\{\s*(?:\\(?:text|mathrm|textrm|rm)\s*)?\{?\s*"
    r"(?:def|Def|DEF|d|\\Delta|\\triangle)\s*\}?\s*\}\s*\{\s*=\s*\}"
    r"|\\mathrel\{:\}\s*="
)


def defining_as_equals(segment: str) -> str:
    """``segment`` with each defining sign replaced by spaces and a final ``=``."""
    return DEFINES.sub(lambda m: " " * (len(m.group(0)) - 1) + "=", segment)


def split_sides(segment: str, block: Block, offset: int) -> list[Side]:
    r"""Split at every ``=`` outside braces, brackets and environments; at ``offset``.

    An empty first side means the segment continues the previous chain. No ``=`` at
    all, or none outside balanced groups, gives no sides. A defining sign (``:=``,
    ``\equiv``, ``\triangleq`` …) is an ``=``.
    """
    segment = defining_as_equals(segment)
    if "=" not in segment:
        return []
    levels = layout.levels(segment)
    parts, depth, start = [], 0, 0
    for n, char in enumerate(segment):
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif (
            char == "="
            and depth == 0
            and levels[n] == 0
            and (n == 0 or segment[n - 1] not in "<>!")
            and not re.search(r"\\(neq|ne|not|leq|geq|le|ge)\s*$", segment[:n])
        ):
            parts.append((start, segment[start:n]))
            start = n + 1
    if not parts and depth == 0 and (not levels or levels[-1] == 0):
        return []  # every `=` is inside a group, as in `\sum_{k=1}^{K} t_k`: no equality
    parts.append((start, segment[start:]))
    sides = []
    for at, text in parts:
        lead = len(text) - len(text.lstrip()) if text.strip() else 0
        sides.append(Side(text.strip(), *block.place(offset + at + lead)))
    return sides
