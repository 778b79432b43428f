r"""The chains of equalities in a document's body, each side placed in the file.

Every display-math block (``$$ … $$``, ``\[ … \]``, ``\begin{align*}`` and friends,
found with markdown-it-py) is a chain ``A = B = C``. A block that starts with ``= X``
continues the previous chain (the seeds write one line per block) unless a
``[[parts]]`` boundary lies between them. ``\quad`` separates statements on one line;
annotations such as ``\tag{…}``, ``\text{(shown)}``, ``\therefore`` and a leading
``2.`` are set aside.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from derive.errors import DocumentError, Position
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
MAX_STEPS = 1000  # per document: real notes have a few hundred at most
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


@dataclass(frozen=True)
class Block:
    """A display-math block's text and where each of its lines starts in the file."""

    text: str
    starts: tuple[tuple[int, int], ...]  # per line of ``text``: file line, 0-based column

    def place(self, offset: int) -> tuple[int, int]:
        """The file line and 1-based column (in characters) of ``text[offset]``."""
        row = self.text.count("\n", 0, offset)
        line, col = self.starts[min(row, len(self.starts) - 1)]
        return line, col + offset - (self.text.rfind("\n", 0, offset) + 1) + 1


class Body:
    """The body's text with the offset of each line, to place a character in the file."""

    def __init__(self, text: str, first_line: int) -> None:
        """Index the lines of ``text``, whose first line is the file's ``first_line``."""
        self.text, self.first_line = text, first_line
        self.starts = [0, *(m.end() for m in re.finditer("\n", text))]

    def offset(self, line: int) -> int:
        """The offset of the body's 0-based ``line`` (the end past the last line)."""
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def place(self, offset: int) -> tuple[int, int]:
        """The file line and 0-based column of the character at ``offset``."""
        row = bisect.bisect_right(self.starts, offset) - 1
        return self.first_line + row, offset - self.starts[row]

    def block(self, content: str, opens: tuple[str, ...], start: int, end: int) -> Block:
        """Place ``content``, written after one of ``opens`` between ``start`` and ``end``.

        Content that is not in the text as written (markdown-it takes the ``>`` of a
        quote away) is placed line by line.
        """
        for opening in opens:
            at = self.text.find(opening + content, start, end)
            if at >= 0:
                at += len(opening)
                breaks = [at, *(at + m.end() for m in re.finditer("\n", content))]
                return Block(content, tuple(self.place(n) for n in breaks))
        row = bisect.bisect_right(self.starts, start) - 1
        starts = []
        for part in content.split("\n"):
            probe = part.strip()
            for n in range(row, min(row + 50, len(self.starts))):
                source = self.text[self.offset(n) : self.offset(n + 1)]
                if probe in source:
                    row = n
                    break
            source = self.text[self.offset(row) : self.offset(row + 1)]
            col = source.find(part) if part in source else source.find(probe) - part.find(probe)
            starts.append((self.first_line + row, max(col, 0)))
            row += 1
        return Block(content, tuple(starts))


MATH_BLOCKS = {"math_block": ("$$", "\\["), "math_block_eqno": ("$$",), "amsmath": ("",)}


def math_blocks(doc: Document) -> Iterator[Block]:
    r"""Each display-math block of the body, placed at its exact line and column.

    markdown-it gives each block's lines (``token.map``), not its columns, and no lines
    for ``\[ … \]`` or for ``$$…$$`` inside a paragraph: each block's text is found in
    the body after the previous one, within its lines when they are known.
    """
    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    md.use(amsmath_plugin).use(texmath_plugin, delimiters="brackets")
    body = Body(doc.body, doc.body_line)
    cursor = 0
    for token in md.parse(doc.body):
        end = len(doc.body)
        if token.map:
            cursor = max(cursor, body.offset(token.map[0]))
            end = body.offset(token.map[1])
        if token.type in MATH_BLOCKS:
            block = body.block(token.content, MATH_BLOCKS[token.type], cursor, end)
            cursor = after(body, block)
            yield block
        elif token.type == "inline" and token.children:
            for child in token.children:
                if child.type == "math_inline_double":
                    block = body.block(child.content, ("$$",), cursor, end)
                    cursor = after(body, block)
                    yield block


def after(body: Body, block: Block) -> int:
    """The body offset just past ``block``'s text (where the next one is searched from)."""
    line, col = block.place(len(block.text))
    return body.offset(line - body.first_line) + col - 1


def chains(doc: Document) -> list[list[Side]]:
    """Every chain of equalities in the body, continuations joined.

    Raises:
        DocumentError: more than :data:`MAX_STEPS` steps, at the first one too many.
    """
    out: list[list[Side]] = []
    count = 0
    for block in math_blocks(doc):
        for row_text, row_offset in rows(block.text):
            for segment, offset in separated(row_text):
                sides = split_sides(clean(segment), block, row_offset + offset)
                if not sides:
                    continue
                if len(sides) == 1:  # an `=` only inside unbalanced braces: report it
                    out.append([sides[0], Side("", sides[0].line, sides[0].col)])
                    count += 1
                elif sides[0].text == "" and out and same_part(doc, out[-1][0], sides[1]):
                    out[-1].extend(sides[1:])
                    count += len(sides) - 1
                else:
                    out.append(sides)  # empty sides stay, to be reported, never skipped
                    count += len(sides) - 1
                if count > MAX_STEPS:
                    raise too_many(doc, sides[-1])
    return out


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


def rows(content: str) -> Iterator[tuple[str, int]]:
    r"""The rows of a block (``\\`` separates rows), each with its offset in the block.

    Spacing after a row break, ``\\[1em]``, is set aside: it is layout, not mathematics.
    """
    text = ENVIRONMENT.sub(lambda m: " " * len(m.group(0)), content).replace("&", " ")
    offset = 0
    for number, row in enumerate(outside_braces(text, "\\\\")):
        if number:
            row = ROW_SPACING.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), row)
        lead = len(row) - len(row.lstrip())
        yield row.strip(), offset + lead
        offset += len(row) + 2


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


def split_sides(segment: str, block: Block, offset: int) -> list[Side]:
    """Split at every ``=`` outside braces and brackets; ``segment`` is at ``offset``.

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
    sides = []
    for at, text in parts:
        lead = len(text) - len(text.lstrip()) if text.strip() else 0
        sides.append(Side(text.strip(), *block.place(offset + at + lead)))
    return sides
