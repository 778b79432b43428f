"""Read a derivation document: TOML front matter between ``+++`` lines, then Markdown.

This layer knows files and positions, not mathematics: it returns the front matter as
data, every string in it paired with the place it starts in the file, so that a LaTeX
error inside a claim can be reported at its ``file:line:col``.
"""

from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from derive.errors import DocumentError, Position
from derive.reading import stdin

FENCE = "+++"


@dataclass(frozen=True)
class Text:
    """A string from the front matter and where its first character is in the file."""

    value: str
    position: Position

    def locate(self, line: int, col: int) -> Position:
        """Map a 1-based ``line:col`` inside ``value`` to its place in the file."""
        start = self.position
        if line == 1:
            return Position(start.path, start.line, start.col + written_column(start, col) - 1)
        return Position(start.path, start.line + line - 1, col)


def written_column(start: Position, col: int) -> int:
    r"""The column, in the string as written, of the value's character at ``col``.

    In a basic string an escape (``\\``, ``\u00e9``) is several characters for one.
    """
    written = start.written
    if not written:
        return col
    at = 0
    for _ in range(col - 1):
        escape = at + 1 < len(written) and written[at] == "\\"
        at += {"u": 6, "U": 10}.get(written[at + 1], 2) if escape else 1
    return at + 1


@dataclass(frozen=True)
class RawDocument:
    """A document split into its front matter (data) and its Markdown body."""

    path: str
    front: dict[str, Any]
    front_line: int  # line of the first TOML line (after the opening fence)
    front_text: str
    body: str
    body_line: int  # line of the first body line
    digest: str = ""  # SHA-256 of the whole text, for results kept between runs
    written: bool = True  # False: the document has no front matter (it is inferred)
    # where the body writes each inferred front-matter string (a definition's text)
    origins: dict[str, Position] = field(default_factory=dict)
    inferred: dict[str, Any] = field(default_factory=dict)  # the tables derive inferred
    tainted: dict[str, str] = field(default_factory=dict)  # names defined unreadably: why
    unchecked: dict[tuple[int, int], str] = field(default_factory=dict)  # rows: why not
    restated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)  # `E = …` again
    # a notebook's body is its Markdown cells joined: each body line's (cell, line in cell)
    cells: tuple[tuple[int, int], ...] = ()

    def text(self, value: str, *, after: int = 0) -> Text:
        """Pair a front-matter string with its position, searching from line ``after``."""
        return locate_string(self, value, after)

    def position(self, line: int = 1, col: int = 1) -> Position:
        """Return a position in this document's file."""
        return Position(self.path, line, col)

    def key(self, key: str, *, after: int = 0) -> Position:
        """Where ``key = …`` is written, searching from front line ``after`` (0-based).

        Falls back to that line when the key is written in a way the search does not
        find (inside an inline table, say).
        """
        written = re.compile(
            rf"""^\s*(?:{re.escape(key)}|"{re.escape(key)}"|'{re.escape(key)}')\s*="""
        )
        lines = self.front_text.split("\n")
        for number in range(after, len(lines)):
            found = written.match(lines[number])
            if found:
                column = len(lines[number]) - len(lines[number].lstrip()) + 1
                return self.position(self.front_line + number, column)
        return self.position(self.front_line + after)


def read_document(path: str | Path) -> RawDocument:
    """Read and split the document at ``path`` (``-``: standard input), by its suffix.

    ``.tex`` is LaTeX (:mod:`derive.reading.tex`), ``.ipynb`` a Jupyter notebook
    (:mod:`derive.reading.notebook`); anything else (``.md``, ``.txt``, no suffix,
    standard input) is Markdown, with or without front matter.

    Raises:
        DocumentError: unreadable file, bad encoding, missing fences or invalid TOML.
    """
    name = stdin.SHOWN if str(path) == stdin.DASH else str(path)
    source = decoded(source_bytes(str(path)), name)
    suffix = Path(name).suffix.lower()
    if suffix == ".tex":
        from derive.reading.tex import read_tex

        return read_tex(source, name)
    if suffix == ".ipynb":
        from derive.reading.notebook import read_notebook

        return read_notebook(source, name)
    return split_document(source, name)


def source_bytes(path: str) -> bytes:
    """The bytes of the document at ``path``; ``-`` is standard input, read once.

    Raises:
        DocumentError: the file cannot be read.
    """
    if path == stdin.DASH:
        return stdin.data()
    try:
        return Path(path).read_bytes()
    except OSError as err:
        raise DocumentError(f"cannot read the file: {err.strerror}", Position(path)) from None


def decoded(data: bytes, name: str) -> str:
    """The UTF-8 text of ``data``, without a byte-order mark.

    Raises:
        DocumentError: not UTF-8, at the first bad byte.
    """
    try:
        source = data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DocumentError(
            "the file is not UTF-8 text: save it as UTF-8", Position(name, line, col)
        ) from None
    return source.removeprefix("\ufeff")  # a byte-order mark is not text


def split_document(source: str, path: str = "") -> RawDocument:
    """Split ``source`` into front matter and body and parse the TOML.

    Raises:
        DocumentError: missing fences or invalid TOML, with the position.
    """
    lines = source.splitlines()
    first = next((n for n, line in enumerate(lines) if line.strip()), None)
    if first is None or lines[first].strip() != FENCE:  # notes as they are: no front matter
        digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
        return RawDocument(path, {}, 1, "", source, 1, digest, written=False)
    close = next((n for n in range(first + 1, len(lines)) if lines[n].strip() == FENCE), None)
    if close is None:
        raise DocumentError(
            f"the front matter opened at line {first + 1} is never closed: add a line `+++`",
            Position(path, len(lines) + 1, 1),
        )
    front_text = "\n".join(lines[first + 1 : close])
    try:
        front = tomllib.loads(front_text)
    except tomllib.TOMLDecodeError as err:
        raise toml_error(err, path, first + 2, front_text) from None
    except RecursionError:
        raise DocumentError(
            "the front matter is nested too deeply for TOML to be read: a derivation needs "
            "tables and lists a few levels deep at most",
            Position(path, first + 2, 1),
        ) from None
    body = "\n".join(lines[close + 1 :])
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return RawDocument(path, front, first + 2, front_text, body, close + 2, digest)


BACKSLASH = (
    "in a double-quoted string a backslash starts a TOML escape, and LaTeX is not one; "
    r"write LaTeX in single quotes, '\frac{a}{b}' (or '''\text{it's}''' when it contains ')"
)
_TOML_AT = re.compile(r"^(.*) \(at line (\d+), column (\d+)\)$")


def toml_error(
    err: tomllib.TOMLDecodeError, path: str, offset_line: int, front_text: str
) -> DocumentError:
    """Turn a TOML error into a DocumentError at its place in the file."""
    text = str(err)
    match = _TOML_AT.match(text)
    if match:
        what, line, col = match.group(1), int(match.group(2)), int(match.group(3))
    elif text.endswith(" (at end of document)"):
        lines = front_text.split("\n")
        what, line, col = text[: -len(" (at end of document)")], len(lines), len(lines[-1]) + 1
    else:
        return DocumentError(f"invalid TOML: {text}", Position(path, offset_line, 1))
    written = front_text.split("\n")[line - 1] if line <= front_text.count("\n") + 1 else ""
    backslash = written.rfind("\\", 0, col)
    if backslash >= 0 and ("Unescaped '\\'" in what or what.startswith("Invalid hex value")):
        return DocumentError(
            f"invalid TOML in the front matter: {BACKSLASH}",
            Position(path, offset_line + line - 1, backslash + 1),
        )
    return DocumentError(
        f"invalid TOML in the front matter: {what[0].lower()}{what[1:]}",
        Position(path, offset_line + line - 1, col),
    )


def locate_string(doc: RawDocument, value: str, after: int = 0) -> Text:
    """Find where the TOML string ``value`` is written, from front line ``after`` (else before).

    tomllib keeps no positions, so the written form is searched for: a literal string
    ``'...'`` verbatim, else a basic string ``"..."`` whose value is ``value``.
    """
    if value in doc.origins:  # inferred from the body: placed where the body writes it
        return Text(value, doc.origins[value])
    lines = doc.front_text.split("\n")
    if "\n" in value:
        found = locate_multiline(doc, value, after)
        if found is not None:
            return found
    literal = ["'''" + value + "'''", "'" + value + "'"]
    for number in [*range(after, len(lines)), *range(after)]:  # then above, for merged tables
        for form in literal:
            col = lines[number].find(form)
            if col >= 0:
                quotes = 3 if form.startswith("'''") else 1
                return Text(value, doc.position(doc.front_line + number, col + 1 + quotes))
        for match in BASIC.finditer(lines[number]):
            if basic_value(match.group(0)) == value:
                line, col = doc.front_line + number, match.start() + 2
                return Text(value, Position(doc.path, line, col, match.group(1)))
    return Text(value, doc.position(doc.front_line + after, 1))


def locate_multiline(doc: RawDocument, value: str, after: int) -> Text | None:
    """Find a multi-line literal string ``'''…'''`` (its first newline is not in its value)."""
    text = doc.front_text
    start = sum(len(line) + 1 for line in text.split("\n")[:after])
    for opening in ("'''\n", "'''"):
        at = text.find(opening + value + "'''", start)
        if at < 0:
            at = text.find(opening + value + "'''")
        if at >= 0:
            begin = at + len(opening)
            line = text.count("\n", 0, begin)
            col = begin - (text.rfind("\n", 0, begin) + 1) + 1
            return Text(value, doc.position(doc.front_line + line, col))
    return None


BASIC = re.compile(r'"((?:[^"\\]|\\.)*)"')


def basic_value(written: str) -> str | None:
    """The value of the TOML basic string ``written`` (quotes included), if it is one."""
    try:
        value = tomllib.loads(f"v = {written}")["v"]
    except tomllib.TOMLDecodeError:
        return None
    return value if isinstance(value, str) else None


def header_lines(doc: RawDocument, header: str) -> list[int]:
    """Return the 0-based front lines whose stripped text is the table ``header``."""
    return [n for n, line in enumerate(doc.front_text.split("\n")) if line.strip() == header]
