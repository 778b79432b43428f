"""The one exception root of derive, and what each subclass means.

A false claim is a *result* (a :class:`derive.verdict.Verdict`), never an exception.
These exceptions mean the tool cannot proceed: the input is malformed or names
something that does not exist. The CLI catches :class:`DeriveError` only, prints one
line (``file:line:col: message``) and exits 2.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace


@dataclass(frozen=True)
class Position:
    """A place in a file: 1-based line and column (in characters); ``path`` may be empty.

    ``written`` is, for the start of a TOML basic string (``"…"``), the string as written
    between its quotes, so that a column inside its value is placed past its escapes.
    ``cell`` is, in a Jupyter notebook, the 1-based cell (``line`` is then the line in
    that cell); 0 in any other file.
    """

    path: str = ""
    line: int = 1
    col: int = 1
    written: str = field(default="", compare=False, repr=False)
    cell: int = 0

    def __str__(self) -> str:
        """Render as ``path:line:col`` (``path:cell 4:line 2:col 3`` in a notebook)."""
        where = f"{self.line}:{self.col}"
        if self.cell:
            where = f"cell {self.cell}:line {self.line}:col {self.col}"
        return f"{self.path}:{where}" if self.path else where


def line_named(line: int, cells: Sequence[tuple[int, int]] = ()) -> str:
    """``line 12``, or in a notebook (``cells`` given) ``cell 4, line 2``."""
    if 1 <= line <= len(cells):
        cell, inside = cells[line - 1]
        return f"cell {cell}, line {inside}"
    return f"line {line}"


def in_cells(position: Position, cells: Sequence[tuple[int, int]]) -> Position:
    """``position``, a line of a notebook's joined body, as a cell and a line in it.

    ``cells`` gives each body line's (cell, line in cell); a position already in a cell,
    or in a file that is not a notebook (no ``cells``), is returned as it is.
    """
    if position.cell or not 1 <= position.line <= len(cells):
        return position
    cell, line = cells[position.line - 1]
    return replace(position, cell=cell, line=line)


class DeriveError(Exception):
    """Derive cannot proceed; carries a position and a message that says what to do."""

    def __init__(self, message: str, position: Position | None = None) -> None:
        """Store the message and where it applies."""
        super().__init__(message)
        self.message = message
        self.position = position

    def at(self, position: Position) -> DeriveError:
        """Return a copy of this error placed at ``position`` (same class)."""
        err = type(self)(self.message, position)
        return err

    def in_cells(self, cells: Sequence[tuple[int, int]]) -> DeriveError:
        """This error, placed in a notebook's cell (see :func:`in_cells`)."""
        if self.position is None or not cells:
            return self
        return self.at(in_cells(self.position, cells))

    def __str__(self) -> str:
        """Render as ``path:line:col: message``."""
        return f"{self.position}: {self.message}" if self.position else self.message


class DocumentError(DeriveError):
    """The document's structure is wrong: front matter, TOML, keys or values."""


class LatexError(DeriveError):
    """A LaTeX expression cannot be read: a syntax error or an unsupported construct."""


class UnknownNameError(DeriveError):
    """An expression names something the document does not declare."""


class NotFoundError(DeriveError):
    """A document or catalogue entry does not exist."""


class UsageError(DeriveError):
    """The command line is wrong (bad option value, impossible size range)."""
