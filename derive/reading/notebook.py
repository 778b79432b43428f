"""Read a Jupyter notebook: its Markdown cells are the body; code is never run nor read.

The body is the Markdown cells joined with a blank line, and the document keeps, for
each body line, its cell (1-based, counting every cell) and its line in that cell, so
that a position prints as ``notebook.ipynb:cell 4:line 2:col 3``
(:func:`derive.errors.in_cells`).
"""

from __future__ import annotations

import hashlib
import json
import re
import warnings
from dataclasses import replace
from typing import Any

from derive.errors import DocumentError, Position
from derive.reading.displays import DISPLAY
from derive.reading.document import RawDocument, split_document

DELIMITERS = re.compile(
    r"(?<!\\)(?P<dollars>\$\$)|(?<!\\)\\(?P<bracket>[\[\]])"
    r"|\\(?P<side>begin|end)\s*\{(?P<env>(?:" + DISPLAY + r")\*?)\}"
)
CODE_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,}).*?(?:^ {0,3}\1[ \t]*$|\Z)", re.MULTILINE | re.DOTALL)
CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)


def read_notebook(source: str, path: str) -> RawDocument:
    """The document of the notebook whose JSON text is ``source``.

    Raises:
        DocumentError: not JSON (at the JSON error's line:col), or not a valid notebook.
    """
    cells = notebook_cells(source, path)
    lines: list[str] = []
    places: list[tuple[int, int]] = []
    for number, cell in enumerate(cells, start=1):
        if cell.get("cell_type") != "markdown":
            continue
        written = standing_alone(cell_text(cell)).split("\n")
        lines += [*written, ""]  # a blank line between cells ends a paragraph
        places += [(number, n) for n in range(1, len(written) + 2)]
    raw = split_document("\n".join(lines), path)
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()  # the whole file's text
    return replace(raw, cells=tuple(places), digest=digest)


def standing_alone(text: str) -> str:
    r"""A cell's text with each display delimiter the cell does not pair blanked.

    Jupyter renders each cell alone: a display opened in one cell and closed in the next
    is math in neither, so its ``$$`` (or ``\[``, ``\]``, ``\begin{align}`` …) is
    blanked, same length, and what it held is prose: no display spans cells. Delimiters
    in code (a fenced block, a backtick span) and ``\$$`` are not counted.
    """
    masked = CODE_SPAN.sub(blanked, CODE_FENCE.sub(blanked, text))
    for found in unpaired(masked):
        text = text[: found.start()] + " " * len(found[0]) + text[found.end() :]
    return text


def unpaired(text: str) -> list[re.Match[str]]:
    r"""The delimiters of ``text`` no other closes or opens, in the way MathJax pairs them.

    ``$$`` closes the open ``$$``, else opens; ``\]`` and ``\end{…}`` close the open one
    of their kind, else are unpaired; an opener inside an open one of its kind is text.
    """
    open_: dict[str, re.Match[str]] = {}
    lone: list[re.Match[str]] = []
    for found in DELIMITERS.finditer(text):
        kind = found["env"] or ("[" if found["bracket"] else "$$")
        opens = found["dollars"] is not None or found["bracket"] == "[" or found["side"] == "begin"
        if kind in open_ and (found["dollars"] or not opens):
            del open_[kind]
        elif opens:
            open_.setdefault(kind, found)
        else:
            lone.append(found)
    return sorted([*lone, *open_.values()], key=lambda found: -found.start())


def blanked(found: re.Match[str]) -> str:
    """The text ``found`` matched, each character but a line break a space."""
    return re.sub(r"[^\n]", " ", found.group(0))


def notebook_cells(source: str, path: str) -> list[dict[str, Any]]:
    """The cells of a notebook, checked by ``nbformat`` (version 4, or converted to it).

    Raises:
        DocumentError: as :func:`read_notebook`.
    """
    try:
        data = json.loads(source)
    except json.JSONDecodeError as err:
        raise DocumentError(
            f"the notebook is not JSON ({err.msg}): save it again from Jupyter",
            Position(path, err.lineno, err.colno),
        ) from None
    except RecursionError:
        raise DocumentError("the notebook's JSON is nested too deeply", Position(path)) from None
    if not isinstance(data, dict):
        raise DocumentError("the file is JSON but not a notebook (no cells)", Position(path))
    return valid_cells(data, path)


def valid_cells(data: dict[str, Any], path: str) -> list[dict[str, Any]]:
    """The cells of the notebook ``data``, after ``nbformat`` has validated it.

    Raises:
        DocumentError: not a valid notebook, with what ``nbformat`` found.
    """
    import nbformat

    version = data.get("nbformat")
    if version not in (1, 2, 3, 4):
        raise DocumentError(
            f"not a notebook derive reads: its `nbformat` is {version!r}, where Jupyter "
            "writes 4 (1 to 3 are converted)",
            Position(path),
        )
    try:
        with warnings.catch_warnings():  # a missing cell id is a warning, not an error
            warnings.simplefilter("ignore")
            notebook = nbformat.from_dict(data)
            if version != 4:
                notebook = nbformat.convert(notebook, 4)
            nbformat.validate(notebook)
    except nbformat.ValidationError as err:
        raise DocumentError(
            f"not a valid notebook: {one_line(err.message)}", Position(path)
        ) from None
    except Exception as err:  # nbformat raises many kinds on a bad file
        raise DocumentError(
            f"not a valid notebook: {one_line(str(err)) or type(err).__name__}", Position(path)
        ) from None
    return [dict(cell) for cell in notebook.cells]


def cell_text(cell: dict[str, Any]) -> str:
    """A cell's source as one string (the JSON may hold it as a list of lines)."""
    source = cell.get("source", "")
    text = "".join(source) if isinstance(source, list) else str(source)
    return text.replace("\r\n", "\n")


def one_line(text: str) -> str:
    """The first line of ``text``, for a one-line error."""
    return text.strip().split("\n", 1)[0][:200]
