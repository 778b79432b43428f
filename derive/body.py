r"""The chains of equalities in a document's body, each side placed in the file.

Every display-math block (``$$ … $$``, ``\[ … \]``, ``\begin{align*}`` and friends,
found with markdown-it-py) is a chain ``A = B = C``. A block that starts with ``= X``
continues the previous chain (the seeds write one line per block) unless a
``[[parts]]`` boundary lies between them. ``\quad`` separates statements on one line;
annotations such as ``\tag{…}``, ``\text{(shown)}``, ``\therefore`` and a leading
``2.`` are set aside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from derive.model import Document

ANNOTATIONS = [
    r"\\tag\*?\{[^{}]*\}",
    r"\(\s*\\text\{\s*shown\s*\}\s*\)",
    r"\\text\{\s*\(?\s*shown\s*\)?\s*\}",
    r"\\therefore",
    r"\\nonumber",
    r"\\notag",
]
ENVIRONMENT = re.compile(r"\\(begin|end)\{(aligned|align\*?|eqnarray\*?|gathered|split)\}")
SEPARATOR = re.compile(r"\\q?quad")
NUMBERING = re.compile(r"^\s*(\\text\{[^{}]*\}\s*)?\d+\.\s")
# What may follow a row break `\\`: a star, and spacing such as `[1em]` or `[-3mm]`.
ROW_SPACING = re.compile(
    r"^\*?(\s*\[\s*[-+]?(\d+\.?\d*|\.\d+)\s*(pt|em|ex|mm|cm|in|bp|pc|mu|sp|dd|cc)\s*\])?"
)


@dataclass(frozen=True)
class Side:
    """One side of a chain: its LaTeX and where it starts in the file."""

    text: str
    line: int
    col: int


def math_blocks(doc: Document) -> Iterator[tuple[str, int]]:
    """Each display-math block of the body with the file line where its text starts."""
    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    md.use(amsmath_plugin).use(texmath_plugin, delimiters="brackets")
    source = doc.body.split("\n")
    after = 0
    for token in md.parse(doc.body):
        if token.type in ("math_block", "amsmath", "math_block_eqno"):
            start = token.map[0] if token.map else find_line(source, token.content, after)
            after = start
            yield token.content, doc.body_line + start
        elif token.type == "inline" and token.children and token.map:
            for child in token.children:
                if child.type == "math_inline_double":
                    yield child.content, doc.body_line + token.map[0]


def find_line(source: list[str], content: str, after: int) -> int:
    r"""The body line of a ``\[ … \]`` block (texmath gives no line map).

    The result is the line before the content's first line, where ``\[`` stands, when
    the content starts with a line break.
    """
    first = next((line.strip() for line in content.split("\n") if line.strip()), "")
    for number in range(after, len(source)):
        if first and first in source[number]:
            return number - (1 if content.startswith("\n") else 0)
    return after


def chains(doc: Document) -> list[list[Side]]:
    """Every chain of equalities in the body, continuations joined."""
    source = doc.body.split("\n")
    out: list[list[Side]] = []
    cursor: dict[int, int] = {}  # per line, where the next side is searched from
    for content, line in math_blocks(doc):
        for row_text, row_line in rows(content, line):
            for segment, offset in separated(row_text):
                at = row_line + row_text[:offset].count("\n")
                sides = split_sides(clean(segment), at, source, doc.body_line, cursor)
                if not sides:
                    continue
                if len(sides) == 1:  # an `=` only inside unbalanced braces: report it
                    out.append([sides[0], Side("", sides[0].line, sides[0].col)])
                elif sides[0].text == "" and out and same_part(doc, out[-1][0], sides[1]):
                    out[-1].extend(sides[1:])
                else:
                    out.append(sides)  # empty sides stay, to be reported, never skipped
    return out


def separated(row: str) -> Iterator[tuple[str, int]]:
    r"""The statements of a row split at ``\quad``, each with its offset in the row."""
    start = 0
    for match in SEPARATOR.finditer(row):
        yield row[start : match.start()], start
        start = match.end()
    yield row[start:], start


def same_part(doc: Document, first: Side, then: Side) -> bool:
    """True when no ``[[parts]]`` boundary lies between two sides."""
    return doc.reading_at(first.line) is doc.reading_at(then.line)


def rows(content: str, line: int) -> Iterator[tuple[str, int]]:
    r"""The rows of a block (``\\`` separates rows in aligned environments).

    Spacing after a row break, ``\\[1em]``, is set aside: it is layout, not mathematics.
    """
    text = ENVIRONMENT.sub(" ", content)
    offset = 0
    for number, row in enumerate(outside_braces(text, "\\\\")):
        if number:
            row = ROW_SPACING.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), row)
        lead = len(row) - len(row.lstrip())
        yield row.replace("&", " ").strip(), line + offset + row[:lead].count("\n")
        offset += row.count("\n")


def outside_braces(text: str, separator: str) -> list[str]:
    r"""Split ``text`` at ``separator`` where no brace is open (``\substack{a \\ b}`` stays)."""
    parts, depth, start, n = [], 0, 0, 0
    while n < len(text):
        if text.startswith(separator, n) and depth == 0:
            parts.append(text[start:n])
            n += len(separator)
            start = n
            continue
        if text[n] == "\\" and n + 1 < len(text):
            n += 2  # an escaped character, `\{` or `\\`, never opens or closes
            continue
        depth += {"{": 1, "}": -1}.get(text[n], 0)
        n += 1
    parts.append(text[start:])
    return parts


def clean(segment: str) -> str:
    """Set annotations aside, keeping the columns of what remains."""
    for pattern in ANNOTATIONS:
        segment = re.sub(pattern, lambda m: " " * len(m.group(0)), segment)
    return NUMBERING.sub(lambda m: " " * len(m.group(0)), segment)


def split_sides(
    segment: str, line: int, source: list[str], body_line: int, cursor: dict[int, int]
) -> list[Side]:
    """Split at every ``=`` outside braces and brackets.

    An empty first side means the segment continues the previous chain.
    """
    if "=" not in segment:
        return []
    parts, depth, start = [], 0, 0
    for n, char in enumerate(segment):
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif (
            char == "="
            and depth == 0
            and (n == 0 or segment[n - 1] not in "<>!")
            and not re.search(r"\\(neq|ne|not|leq|geq|le|ge)\s*$", segment[:n])
        ):
            parts.append((start, segment[start:n]))
            start = n + 1
    parts.append((start, segment[start:]))
    return [
        locate(
            text,
            line + segment[: offset + len(text) - len(text.lstrip())].count("\n"),
            source,
            body_line,
            cursor,
        )
        for offset, text in parts
    ]


def locate(text: str, line: int, source: list[str], body_line: int, cursor: dict[int, int]) -> Side:
    r"""A side with its file position (the first non-blank character).

    Several sides can stand on one line (aligned rows joined by ``\\``): each is
    searched for after the one before it.
    """
    stripped = text.strip()
    if not stripped:
        return Side("", line, 1)
    row = source[line - body_line] if 0 <= line - body_line < len(source) else ""
    found = row.find(stripped[:20], cursor.get(line, 0))
    if found < 0:
        found = row.find(stripped[:20])
    cursor[line] = found + 1 if found >= 0 else cursor.get(line, 0)
    return Side(stripped, line, max(found + 1, 1))
