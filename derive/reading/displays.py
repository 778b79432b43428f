r"""Where a document's body holds display math: each block's text, placed in the file.

A display block is ``$$ … $$`` (on its own lines or inside a paragraph), ``\[ … \]``
(on its own lines or in the middle of a line), an environment such as
``\begin{align*} … \end{align*}`` on its own lines, or a single-``$`` formula that is
wholly an ``aligned``/``gathered`` environment. markdown-it-py (with mdit_py_plugins)
finds most of them; the rest are found in a paragraph's source.

The prose just before a block may state a condition, "if $i = k$:"; it is kept with the
block (:attr:`Block.lead`).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from derive.model import Document

# Environments that lay out display rows; the body splits them into rows.
DISPLAY = (
    r"equation|split|gather|gathered|multline|multlined|align|aligned|alignat|alignedat"
    r"|flalign|eqnarray"
)
# A paragraph that is wholly one such environment (amsmath finds the others).
WHOLE = re.compile(r"^\s*\\begin\{(" + DISPLAY + r")\*?\}.*\\end\{\1\*?\}\s*$", re.DOTALL)
# A single-`$` formula that lays out rows is a display.
INLINE_DISPLAY = re.compile(
    r"^\s*\\begin\{(aligned|align|alignat|alignedat|gathered|gather|split)\*?\}"
    r".*\\end\{\1\*?\}\s*$",
    re.DOTALL,
)
# `\[ … \]` inside a paragraph: markdown-it reads it as escaped brackets.
BRACKETS = re.compile(r"\\\[(.+?)\\\]", re.DOTALL)
# Prose ending in a condition on what follows: "if $i = k$:", "for $i \neq k$,".
LEAD = re.compile(r"\b(?:if|for|when|whenever)\s+\$(?P<math>[^$]+)\$\s*[:,]?\s*$", re.IGNORECASE)
MATH_BLOCKS = {"math_block": ("$$", "\\["), "math_block_eqno": ("$$",), "amsmath": ("",)}


@dataclass(frozen=True)
class Lead:
    """A condition stated in the prose before a block: its text and where it is."""

    text: str
    line: int
    col: int


@dataclass(frozen=True)
class Block:
    """A display-math block's text and where each of its lines starts in the file."""

    text: str
    starts: tuple[tuple[int, int], ...]  # per line of ``text``: file line, 0-based column
    lead: Lead | None = None

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

    def block(
        self, content: str, opens: tuple[str, ...], span: tuple[int, int], since: int
    ) -> Block:
        """Place ``content``, written after one of ``opens`` within ``span`` of the body.

        Content that is not in the text as written (markdown-it takes the ``>`` of a
        quote away) is placed line by line. The prose between ``since`` (the end of the
        previous block) and the block gives its :class:`Lead`.
        """
        start, end = span
        for opening in opens:
            at = self.text.find(opening + content, start, end)
            if at >= 0:
                lead = self.lead(since, at)
                at += len(opening)
                breaks = [at, *(at + m.end() for m in re.finditer("\n", content))]
                return Block(content, tuple(self.place(n) for n in breaks), lead)
        return Block(content, self.by_lines(content, start))

    def by_lines(self, content: str, start: int) -> tuple[tuple[int, int], ...]:
        """Where each line of ``content`` starts, found line by line from ``start``."""
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
        return tuple(starts)

    def lead(self, start: int, at: int) -> Lead | None:
        """The condition the prose between ``start`` and ``at`` ends with, if any."""
        prose = self.text[start:at]
        match = LEAD.search(prose)
        if match is None:
            return None
        line, col = self.place(start + match.start("math"))
        return Lead(match["math"], line, col + 1)


def parser() -> MarkdownIt:
    r"""markdown-it with ``$``/``$$``, amsmath environments and ``\[ … \]``."""
    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    return md.use(amsmath_plugin).use(texmath_plugin, delimiters="brackets")


def math_blocks(doc: Document) -> Iterator[Block]:
    r"""Each display-math block of the body, placed at its exact line and column.

    markdown-it gives each block's lines (``token.map``), not its columns, and no lines
    for ``\[ … \]`` or for ``$$…$$`` inside a paragraph: each block's text is found in
    the body after the previous one, within its lines when they are known.
    """
    body = Body(doc.body, doc.body_line)
    cursor = 0
    for token in parser().parse(doc.body):
        start, end = cursor, len(doc.body)
        if token.map:
            start, end = max(cursor, body.offset(token.map[0])), body.offset(token.map[1])
        if token.type in MATH_BLOCKS:
            found = [(token.content, MATH_BLOCKS[token.type])]
        elif token.type == "inline":
            found = in_paragraph(token)
        else:
            continue
        for content, opens in found:
            block = body.block(content, opens, (start, end), cursor)
            cursor = start = after(body, block)
            yield block


def inline_math(body_text: str, first_line: int) -> Iterator[tuple[str, int, int]]:
    r"""Each piece of inline math of the prose (``$…$``, ``\( … \)``): text, line, column.

    Display math and code are not inline math; the column is that of the text's first
    character (past the ``$``).
    """
    body = Body(body_text, first_line)
    for token in parser().parse(body_text):
        if token.type != "inline" or not token.map:
            continue
        start = body.offset(token.map[0])
        for child in token.children or []:
            if child.type != "math_inline" or INLINE_DISPLAY.match(child.content):
                continue
            at = body_text.find("$" + child.content + "$", start)
            if at < 0:
                continue
            line, col = body.place(at + 1)
            yield child.content, line, col + 1


def in_paragraph(token: Token) -> list[tuple[str, tuple[str, ...]]]:
    r"""The display math of a paragraph, in its order: each text and its openings.

    ``$$…$$``, a ``$…$`` that is wholly an ``aligned`` environment, ``\[ … \]`` in the
    middle of a line, and a paragraph that is wholly an ``align``-like environment.
    """
    source = token.content
    if WHOLE.match(source):
        return [(source.strip(), ("",))]
    found: list[tuple[int, str, tuple[str, ...]]] = []
    code = [c.content for c in token.children or [] if c.type == "code_inline"]
    for child in token.children or []:
        opens: tuple[str, ...] = ()
        if child.type == "math_inline_double":
            opens = ("$$",)
        elif child.type == "math_inline" and INLINE_DISPLAY.match(child.content):
            opens = ("$", "\\(")
        if opens:
            at = min((n for o in opens if (n := source.find(o + child.content)) >= 0), default=0)
            found.append((at, child.content, opens))
    for match in BRACKETS.finditer(source):
        if not any(match.group(0) in c for c in code) and not inside_dollars(source, match):
            found.append((match.start(), match.group(1), ("\\[",)))
    return [(content, opens) for _, content, opens in sorted(found, key=lambda f: f[0])]


def inside_dollars(source: str, match: re.Match[str]) -> bool:
    r"""True when ``match`` lies inside ``$ … $`` (an odd number of unescaped ``$`` before it)."""
    return len(re.findall(r"(?<!\\)\$", source[: match.start()])) % 2 == 1


def after(body: Body, block: Block) -> int:
    """The body offset just past ``block``'s text (where the next one is searched from)."""
    line, col = block.place(len(block.text))
    return body.offset(line - body.first_line) + col - 1
