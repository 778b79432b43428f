r"""A document's body as written, row by row, with the marks its steps earned.

The HTML and PDF reports show the derivation as its author wrote it: the prose between
the displays, and each display's rows with a mark beside each: ✓ a step that holds, ✓
with the assumption a step needed, ✗ a wrong step (its evidence under the row), ? a step
derive could not read or decide. :func:`pieces` is the one place that walk is made; it
works on the plain record of a check (:mod:`derive.presenting.record`), so a kept result
is shown without checking again.

>>> from derive import api
>>> from derive.presenting.record import document_record
>>> doc = api.load_text("Two steps:\n\n$$(x + 1)^2 = x^2 + 2x + 1 = x^2 + 1$$\n")
>>> parts = pieces(doc, document_record(api.check(doc)))
>>> [type(p).__name__ for p in parts]
['Prose', 'Display']
>>> [(m.symbol, m.kind) for m in parts[1].rows[0].marks]
[('✓', 'holds'), ('✗', 'wrong')]

A step's mark is placed on the row that holds its right side; a row that is not a step
(no ``=``, a relation, a condition derive cannot use) gets a ? with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from derive.model import Document
from derive.presenting.record import DocumentRecord, StepRecord, UnreadRecord
from derive.presenting.words import HOLDS
from derive.reading import layout
from derive.reading.displays import MATH_BLOCKS, Block, Body, math_blocks

__all__ = ["KINDS", "Display", "Mark", "Prose", "Row", "mark_of", "pieces"]

KINDS = ("holds", "assumed", "wrong", "undecided", "unread")  # what a mark can say
CLOSERS = {"$$": "$$", "\\[": "\\]", "$": "$", "\\(": "\\)"}


@dataclass(frozen=True)
class Mark:
    r"""What became of one step (or one row that is not a step).

    ``kind`` is ``holds``, ``assumed`` (holds under ``assumption``), ``wrong``,
    ``undecided`` or ``unread``; ``symbol`` is ✓, ✗ or ?. ``slip`` is True for a wrong
    step the document lists on purpose (``[[steps]]`` with ``refuted``).
    """

    symbol: str
    kind: str
    step: StepRecord | None = None
    unread: UnreadRecord | None = None
    assumption: str = ""

    @property
    def slip(self) -> bool:
        """True for a wrong step the document itself lists as a slip."""
        return self.step is not None and self.step["expect"] == "refuted"

    @property
    def line(self) -> int:
        """The line of the step's right side (or of the unread text)."""
        found = self.step or self.unread
        return 0 if found is None else found["line"]

    @property
    def reason(self) -> str:
        """The mark's line in words: the step's message, or why a row was not read."""
        if self.step is not None:
            return self.step["message"]
        return "" if self.unread is None else self.unread["reason"]


@dataclass(frozen=True)
class Row:
    r"""One row of a display as written (``&`` kept), its file line, and its marks."""

    latex: str
    line: int
    marks: tuple[Mark, ...]


@dataclass(frozen=True)
class Display:
    """A display block of the body: its rows, in order."""

    rows: tuple[Row, ...]
    line: int


@dataclass(frozen=True)
class Prose:
    """The body's Markdown between two displays (its inline math as written)."""

    markdown: str
    line: int


def mark_of(step: StepRecord) -> Mark:
    """The mark a step's record earns."""
    status = step["status"]
    if status in HOLDS and step["holds_under"]:
        return Mark("✓", "assumed", step, assumption=", ".join(step["holds_under"]))
    if status in HOLDS:
        return Mark("✓", "holds", step)
    if status == "refuted":
        return Mark("✗", "wrong", step)
    if status == "undecided":
        return Mark("?", "undecided", step)
    return Mark("?", "unread", step)


def pieces(doc: Document, record: DocumentRecord) -> list[Prose | Display]:
    """The body of ``doc`` as prose and displays, each row with the marks it earned.

    In a notebook the record's places are in cells; the walk uses the joined body's
    lines, as the reader does.
    """
    marks = [*(mark_of(s) for s in record["steps"]), *(unread_mark(u) for u in record["unread"])]
    if doc.cells:
        marks = [at_body_line(m, doc.cells) for m in marks]
    body = Body(doc.body, doc.body_line)
    found: list[Prose | Display] = []
    cursor = 0
    for block in math_blocks(doc):
        start, end = span(body, block)
        if start < cursor:  # a block the text search could not place: shown as prose
            continue
        if doc.body[cursor:start].strip():
            found.append(Prose(markdown_of(doc.body[cursor:start], doc), body.place(cursor)[0]))
        display = Display(tuple(rows_of(block, marks)), block.starts[0][0])
        found.append(display)
        cursor = end
    if doc.body[cursor:].strip():
        found.append(Prose(markdown_of(doc.body[cursor:], doc), body.place(cursor)[0]))
    placed = {id(m) for p in found if isinstance(p, Display) for r in p.rows for m in r.marks}
    strays = tuple(m for m in marks if id(m) not in placed)
    if strays:  # never lose a verdict: a step no row holds is listed after the body
        found.append(Display((Row("", strays[0].line, strays),), strays[0].line))
    return found


TEX_PROSE = [  # a LaTeX file's prose, said in Markdown: what a page and the PDF can show
    (re.compile(r"\\(?:sub)*section\*?\{([^{}]*)\}"), lambda m: "\n\n## " + m[1] + "\n\n"),
    (re.compile(r"\\(?:paragraph|subsubsection)\*?\{([^{}]*)\}"), lambda m: "\n\n**" + m[1] + "**"),
    (re.compile(r"\\(?:emph|textit)\{([^{}]*)\}"), lambda m: "*" + m[1] + "*"),
    (re.compile(r"\\textbf\{([^{}]*)\}"), lambda m: "**" + m[1] + "**"),
    (re.compile(r"\\texttt\{([^{}]*)\}"), lambda m: "`" + m[1] + "`"),
    (re.compile(r"\\(?:label|ref|eqref|cite)\{[^{}]*\}"), lambda m: ""),
    (re.compile(r"\\(?:begin|end)\{(?:itemize|enumerate|document)\}"), lambda m: "\n"),
    (re.compile(r"^\s*\\item\s*", re.MULTILINE), lambda m: "- "),
    (re.compile(r"\\([%&#_$])"), lambda m: m[1]),
    (re.compile(r"(?<!\\)~"), lambda m: " "),
]


def markdown_of(text: str, doc: Document) -> str:
    r"""The prose between displays as Markdown, as written.

    A ``.tex`` file's sectioning and emphasis are made Markdown (``\section{A}`` →
    ``## A``), its labels and references left out.
    """
    if not doc.path.endswith(".tex"):
        return text
    for pattern, said in TEX_PROSE:
        text = pattern.sub(said, text)
    return text


def unread_mark(row: UnreadRecord) -> Mark:
    """The ? of display math that is not a step."""
    return Mark("?", "unread", unread=row)


def at_body_line(mark: Mark, cells: tuple[tuple[int, int], ...]) -> Mark:
    """A notebook mark whose place is the joined body's line again (not the cell's)."""
    found = mark.step or mark.unread
    if found is None or "cell" not in found:
        return mark
    where = (found["cell"], found["line"])
    line = cells.index(where) + 1 if where in cells else found["line"]
    if mark.step is not None:
        return Mark(mark.symbol, mark.kind, {**mark.step, "line": line}, None, mark.assumption)
    assert mark.unread is not None
    return Mark(mark.symbol, mark.kind, None, {**mark.unread, "line": line})


def span(body: Body, block: Block) -> tuple[int, int]:
    """Where ``block`` lies in the body, its opening and closing delimiters included."""
    line, col = block.starts[0]
    start = body.offset(line - body.first_line) + col
    if body.text[start : start + len(block.text)] != block.text:  # placed line by line
        last = block.starts[-1][0] - body.first_line
        return body.offset(line - body.first_line), body.offset(last + 1)
    end = start + len(block.text)
    for opening in sorted({o for opens in MATH_BLOCKS.values() for o in opens if o}, key=len)[::-1]:
        if body.text[:start].endswith(opening):
            closing = CLOSERS[opening]
            rest = body.text[end:]
            after = len(rest) - len(rest.lstrip())
            if rest.lstrip().startswith(closing):
                return start - len(opening), end + after + len(closing)
    if body.text[:start].endswith("$"):  # a one-`$` aligned environment
        if body.text.startswith("$", end):
            return start - 1, end + 1
    return start, end


def rows_of(block: Block, marks: list[Mark]) -> Iterator[Row]:
    """The rows of ``block`` as written, each with the marks whose place lies in it."""
    found = list(layout.rows(block.text))
    for number, (text, offset) in enumerate(found):
        begin = block.place(offset if number else 0)
        last = number + 1 == len(found)
        end = block.place(len(block.text) + 1 if last else found[number + 1][1])
        mine = tuple(m for m in marks if begin <= place(m) < end)
        if not text and not mine:
            continue
        yield Row(block.text[offset : offset + len(text)], block.place(offset)[0], mine)


def place(mark: Mark) -> tuple[int, int]:
    """A mark's line and column."""
    found = mark.step or mark.unread
    return (0, 0) if found is None else (found["line"], found["col"])
