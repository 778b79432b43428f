r"""A display block's layout set aside: its rows, and each row's statements and conditions.

Every function keeps columns: what is layout becomes spaces, so that an offset in what
remains is an offset in the block as written.

- Environment wrappers (``\begin{align*}``, ``\begin{split}``, ``\eqalign{ … }``,
  ``\displaylines{ … }``) and alignment ``&`` are layout; rows break at ``\\`` and ``\cr``.
- ``\begin{cases}``, the matrices and ``array`` are one unit: nothing inside them breaks a
  row, a statement or a side.
- Statements are separated by ``\quad`` and by arrows (``\Rightarrow``, ``\implies``,
  ``\therefore``, ``\iff`` …); after an arrow a statement starts a new chain.
- A condition after a statement (``\text{if } i = j``, ``\quad (i \neq j)``) is set aside
  for the chain; a final ``.``, ``,`` or ``;`` is set aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from derive.reading.displays import DISPLAY

KEPT = r"cases|dcases|rcases|pmatrix|bmatrix|Bmatrix|vmatrix|Vmatrix|matrix|smallmatrix|array"
# A command, an escaped character, a kept environment's ends, a brace, an alignment `&`.
TOKEN = re.compile(
    r"\\(?P<env>begin|end)\{(?:" + KEPT + r"|subarray)\*?\}|\\(?:[a-zA-Z]+|.)|[{}&]", re.DOTALL
)
WRAPPER = re.compile(
    r"\\begin\{(?:" + DISPLAY + r")\*?\}(?:\s*\{\d+\})?|\\end\{(?:" + DISPLAY + r")\*?\}"
)
# One equation broken over lines: its row breaks are layout.
MULTLINE = re.compile(r"\\begin\{multline\*?\}.*?\\end\{multline\*?\}", re.DOTALL)
PLAIN = re.compile(r"\\(?:eqalign|eqalignno|leqalignno|displaylines)\s*\{")
ANNOTATIONS = [
    r"\\tag\*?\{[^{}]*\}",
    r"\(\s*\\text\{\s*shown\s*\}\s*\)",
    r"\\text\{\s*\(?\s*shown\s*\)?\s*\}",
    r"\\nonumber",
    r"\\notag",
]
NUMBERING = re.compile(r"^\s*(\\text\{[^{}]*\}\s*)?\d+\.\s")
# What may follow a row break `\\`: a star, and spacing such as `[1em]` or `[-3mm]`.
ROW_SPACING = re.compile(
    r"^\*?(\s*\[\s*[-+]?(\d+\.?\d*|\.\d+)\s*(pt|em|ex|mm|cm|in|bp|pc|mu|sp|dd|cc)\s*\])?"
)
QUAD = r"q?quad"
ARROWS = (
    r"Rightarrow|Longrightarrow|implies|iff|Leftrightarrow|Longleftrightarrow|therefore"
    r"|because|impliedby|Leftarrow|Longleftarrow"
)
SEPARATOR = re.compile(r"\\(?:(?P<quad>" + QUAD + r")|" + ARROWS + r")(?![a-zA-Z])")
TEXT = r"\\(?:text|textrm|textnormal|textit|mbox|mathrm)\s*\{"
# A condition: `\text{if } …`, `\text{for } …`, `\text{otherwise}`, to the statement's end.
CONDITION = re.compile(
    r"(?:,\s*)?" + TEXT + r"\s*(?P<word>if|for|when|whenever|otherwise|unless|provided)\b"
    r"(?:\s*that\b)?(?P<rest>[^{}]*)\}"
)
# A whole statement `(i = j)` or `(i \neq j)` after `\quad`: a condition.
PAREN_CONDITION = re.compile(r"^\(\s*[a-zA-Z]\s*(?:=|\\neq?)\s*[a-zA-Z]\s*\)[.,;]?$")
# A relation inside parentheses after `\quad`: `(i = j \text{ and } j = k)` is a condition.
# Only index relations joined by words: `(\text{since } \sum_k t_k = 1)` is a remark.
RELATED = re.compile(
    r"^(?:[a-zA-Z0-9\s,=]|\\neq?(?![a-zA-Z])|\\(?:land|lor|wedge|vee)(?![a-zA-Z])"
    r"|\\text\{\s*(?:and|or)\s*\})*(?:=|\\neq?)(?:[a-zA-Z0-9\s,=]|\\neq?(?![a-zA-Z])"
    r"|\\(?:land|lor|wedge|vee)(?![a-zA-Z])|\\text\{\s*(?:and|or)\s*\})*$"
)
# `i = j` or `i \neq j`, which `\text{unless}` negates.
NEGATED = re.compile(r"^(?P<left>[a-zA-Z])\s*(?P<op>=|\\neq?(?![a-zA-Z]))\s*(?P<right>[a-zA-Z])$")
LABEL = re.compile(r"^-?\s*\(\s*\d+[a-z]?(?:\.\d+)*\s*\)[.,;]?$")  # an equation number, `(1)`
PROSE = re.compile(TEXT + r"\s*(?:where|with|here)\b")
CONNECTIVE = re.compile(r"^\s*" + TEXT + r"\s*(?:and|so|hence|thus|then|or)\s*,?\s*\}")
SPACING = r"(?:\\[,;:! ]|\\q?quad|~|\s)*"
PUNCTUATION = re.compile(SPACING + r"(?:\\text\{\s*[.,;]\s*\}|[.,;])" + SPACING + r"$")


@dataclass(frozen=True)
class Stated:
    """A condition on two declared indices: ``left op right``, ``op`` ``=`` or ``!=``."""

    left: str
    op: str
    right: str
    text: str


@dataclass(frozen=True)
class Statement:
    r"""One statement of a row: its text (columns kept) and what was set aside around it.

    ``fresh`` is True after an arrow: the statement never continues a chain.
    ``conditions`` are the texts of the conditions written after it; ``prose`` marks
    a ``\text{where …}`` statement, which is not a step.
    """

    text: str
    offset: int
    fresh: bool = False
    conditions: tuple[str, ...] = ()
    prose: bool = False


def blank(match: re.Match[str]) -> str:
    """Spaces for a match, newlines kept."""
    return re.sub(r"[^\n]", " ", match.group(0))


def levels(text: str) -> list[int]:
    r"""The depth of every character: braces and kept environments (``cases`` …) open one."""
    depth, found, at = 0, [0] * len(text), 0
    for match in TOKEN.finditer(text):
        found[at : match.start()] = [depth] * (match.start() - at)
        token = match.group(0)
        if match["env"] == "end" or token == "}":
            depth = max(depth - 1, 0)
        found[match.start() : match.end()] = [depth] * (match.end() - match.start())
        if match["env"] == "begin" or token == "{":
            depth += 1
        at = match.end()
    found[at:] = [depth] * (len(text) - at)
    return found


def top_text(text: str) -> str:
    """``text`` with everything inside braces and kept environments blanked."""
    depth = levels(text)
    return "".join(c if d == 0 else " " for c, d in zip(text, depth, strict=True))


def unwrapped(content: str) -> str:
    r"""``content`` with wrappers, top-level ``&`` and ``\cr`` made layout."""
    text = MULTLINE.sub(lambda m: joined(m.group(0)), content)
    text = WRAPPER.sub(blank, text)
    for match in PLAIN.finditer(text):
        close = closing(text, match.end())
        if close is not None:
            text = text[:close] + " " + text[close + 1 :]
            text = text[: match.start()] + " " * (match.end() - match.start()) + text[match.end() :]
    depth = levels(text)
    chars = list(text)
    for match in TOKEN.finditer(text):
        if depth[match.start()] == 0 and match.group(0) == "&":
            chars[match.start()] = " "
        elif match.group(0) == "\\cr":
            chars[match.start() : match.end()] = "\\\\ "
    return "".join(chars)


def joined(text: str) -> str:
    r"""``text`` with its row breaks ``\\`` outside braces and environments blanked."""
    depth, chars = levels(text), list(text)
    for match in TOKEN.finditer(text):
        if match.group(0) == "\\\\" and depth[match.start()] == 0:
            chars[match.start() : match.end()] = "  "
    return "".join(chars)


def closing(text: str, start: int) -> int | None:
    """The offset of the brace that closes the one open just before ``start``."""
    depth = 1
    for match in TOKEN.finditer(text, start):
        depth += {"{": 1, "}": -1}.get(match.group(0), 0)
        if depth == 0:
            return match.start()
    return None


def rows(content: str) -> Iterator[tuple[str, int]]:
    r"""The rows of a block (``\\`` separates rows), each with its offset in the block.

    Spacing after a row break, ``\\[1em]``, is set aside: it is layout, not mathematics.
    """
    text = unwrapped(content)
    depth = levels(text)
    breaks = [m for m in TOKEN.finditer(text) if m.group(0) == "\\\\" and depth[m.start()] == 0]
    starts = [0, *(m.end() for m in breaks)]
    ends = [*(m.start() for m in breaks), len(text)]
    for number, (start, end) in enumerate(zip(starts, ends, strict=True)):
        row = text[start:end]
        if number:
            row = ROW_SPACING.sub(blank, row)
        lead = len(row) - len(row.lstrip())
        yield row.strip(), start + lead


def statements(row: str, offset: int) -> Iterator[Statement]:
    r"""The statements of a row at ``offset``, conditions and punctuation set aside.

    A condition standing alone after ``\quad`` belongs to the statement before it (or,
    first in its row, to the one after it).
    """
    found: list[Statement] = []
    waiting: tuple[str, ...] = ()
    for text, at, fresh in separated(clean(row)):
        alone = standalone_condition(text)
        if alone is not None:
            if found:
                last = found[-1]
                found[-1] = Statement(last.text, last.offset, last.fresh, (*last.conditions, alone))
            else:
                waiting = (*waiting, alone)
            continue
        if LABEL.match(text.strip()):
            continue
        statement = split_condition(text, offset + at, fresh)
        if waiting:
            statement = Statement(
                statement.text, statement.offset, fresh, (*waiting, *statement.conditions)
            )
            waiting = ()
        found.append(statement)
    if waiting:  # a condition with no statement in its row: listed with its text
        found.append(Statement(" ".join(waiting), offset, conditions=waiting))
    yield from (s for s in found if s.text.strip() or s.conditions)


def separated(row: str) -> Iterator[tuple[str, int, bool]]:
    r"""The parts of a row split at ``\quad`` and arrows: text, offset, after an arrow."""
    depth = levels(row)
    start, fresh = 0, False
    for match in SEPARATOR.finditer(row):
        if depth[match.start()]:
            continue
        yield row[start : match.start()], start, fresh
        start, fresh = match.end(), match["quad"] is None
    yield row[start:], start, fresh


def standalone_condition(text: str) -> str | None:
    r"""The condition a whole part states (``\text{if } i = j``, ``(i = j)``), or None."""
    stripped = text.strip()
    if PAREN_CONDITION.match(stripped):
        return stripped.rstrip(".,;")[1:-1]
    match = CONDITION.match(stripped)
    if match:
        return worded(match, stripped)
    inside = parenthesised(stripped.rstrip(".,;"))
    if inside is not None and RELATED.match(inside):
        return inside  # `(i = j \text{ and } j = k)`: a condition, even one not read
    return None


def worded(match: re.Match[str], text: str) -> str:
    r"""The condition of ``\text{if } …`` to the end of ``text``; ``unless`` negates it."""
    condition = unpunctuated(match["rest"] + text[match.end() :]).strip() or match["word"]
    if match["word"] != "unless":
        return condition
    relation = NEGATED.match(condition)
    if relation is None:
        return rf"\text{{not }} {condition}"  # listed as a condition derive cannot use
    swapped = r"\neq" if relation["op"] == "=" else "="
    return f"{relation['left']} {swapped} {relation['right']}"


def parenthesised(text: str) -> str | None:
    """The inside of ``text`` when one pair of parentheses encloses all of it, else None."""
    if not (text.startswith("(") and text.endswith(")")):
        return None
    depth = 0
    for n, char in enumerate(text):
        depth += {"(": 1, ")": -1}.get(char, 0)
        if depth == 0 and n < len(text) - 1:
            return None
    return text[1:-1]


def split_condition(text: str, offset: int, fresh: bool) -> Statement:
    """A statement whose condition, if written after it, is set aside."""
    if PROSE.match(text.strip()):
        return Statement(text, offset, fresh, prose=True)
    text = CONNECTIVE.sub(blank, text)
    top = top_text(text)
    match = next((m for m in CONDITION.finditer(text) if top[m.start()] != " "), None)
    if match is None:
        return Statement(unpunctuated(text), offset, fresh)
    condition = worded(match, text)
    return Statement(unpunctuated(text[: match.start()]), offset, fresh, (condition,))


def unpunctuated(text: str) -> str:
    r"""``text`` without its final ``.``, ``,`` or ``;`` (also as ``\text{.}``, ``\,.``)."""
    return PUNCTUATION.sub(blank, text)


def clean(segment: str) -> str:
    """Set annotations aside, keeping the columns of what remains."""
    for pattern in ANNOTATIONS:
        segment = re.sub(pattern, blank, segment)
    return NUMBERING.sub(blank, segment)
