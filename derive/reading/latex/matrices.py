r"""Matrices written out: ``\begin{pmatrix} a & b \\ c & d \end{pmatrix}`` and ``bmatrix``.

Entries are separated by ``&`` and rows by ``\\``; a row may abbreviate its middle
entries with ``\dots`` (:mod:`derive.reading.latex.ellipsis`), when the matrix has a fixed
size. ``\vdots`` and ``\ddots`` (a pattern down and across) are not read: write the
matrix's entry, or ``\operatorname{diag}(…)``. ``vmatrix`` writes a determinant, which
derive does not read.
"""

from __future__ import annotations

from typing import Protocol

import sympy as sp
from lark import Token, Tree

from derive.errors import LatexError
from derive.reading.latex.ellipsis import is_dots
from derive.reading.latex.nodes import Node, position, subtrees

MAX_ENTRIES = 10_000
DETERMINANT = ("vmatrix", "Vmatrix")


class Evaluator(Protocol):
    """What a matrix needs from the reader: scalar entries, and rows with an ellipsis."""

    def scalar(self, node: Node, context: str) -> sp.Expr:
        """Return the SymPy value of an expression tree, which must be a scalar."""

    def dotted_row(self, parts: list[Tree[Token]], paren: Tree[Token]) -> sp.Expr:
        """Return the row vector that a list of entries with an ellipsis abbreviates."""


def read_matrix(reader: Evaluator, matrix: Tree[Token]) -> sp.Expr:
    """Return the written-out matrix as an immutable SymPy matrix.

    Raises:
        LatexError: A determinant (``vmatrix``), rows of different lengths, or too many
            entries.
    """
    begin = matrix.children[0]
    assert isinstance(begin, Token)
    if any(kind in begin.value for kind in DETERMINANT):
        raise LatexError(
            "`vmatrix` writes a determinant, which derive does not read; write a vector or "
            "a matrix with `pmatrix` or `bmatrix`",
            position(begin),
        )
    rows = [_row(reader, row) for row in subtrees(matrix)]
    if len({len(row) for row in rows}) != 1:
        raise LatexError(
            "the rows of this matrix have different numbers of entries", position(matrix)
        )
    if len(rows) * len(rows[0]) > MAX_ENTRIES:
        raise LatexError(f"a matrix of more than {MAX_ENTRIES} entries", position(matrix))
    return sp.ImmutableMatrix(rows)


def _row(reader: Evaluator, row: Tree[Token]) -> list[sp.Expr]:
    parts = subtrees(row)
    if any(is_dots(part) for part in parts):
        written = reader.dotted_row(parts, row)
        return list(written)
    return [reader.scalar(part, "an entry of a matrix is a scalar") for part in parts]
