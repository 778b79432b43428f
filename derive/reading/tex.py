r"""Read a LaTeX file as a body of display math, every line where the file has it.

Only what lies between ``\begin{document}`` and ``\end{document}`` (when written) is
the body; the preamble is read for its macros (:mod:`derive.reading.texmacros`) and
blanked. ``%`` comments are removed (``\%`` is a percent sign). Nothing is run:
``\input``, ``\include`` and ``\write18`` are never followed, they stay text.
``\label``, ``\tag``, ``\nonumber`` and ``\notag`` are blanked. A line indented by a
tab or four spaces is moved to its first column, else the Markdown reader would take
it for code. Every line keeps its number; a column is exact except on a line where a
macro was expanded or that was moved.
"""

from __future__ import annotations

import hashlib
import re

from derive.errors import DocumentError
from derive.reading.document import RawDocument
from derive.reading.texmacros import Source, blank, collect, expand

COMMENT = re.compile(r"(?<!\\)((?:\\\\)*)%[^\n]*")
ENVIRONMENT = re.compile(r"\\(begin|end)\s*\{([^{}\n]*)\}")
DOCUMENT = "document"
NUMBERING = re.compile(r"\\(?:label|tag\*?)\s*\{[^{}\n]*\}|\\(?:nonumber|notag)(?![A-Za-z])")
INDENTED = re.compile(r"^(?:\t| {4})[ \t]*", re.MULTILINE)


def read_tex(source: str, path: str) -> RawDocument:
    """The document of the LaTeX file whose text is ``source``: a body and no front matter.

    Raises:
        DocumentError: an environment that is never closed or closes what is not open,
            a macro definition that cannot be read, or a macro that cannot be expanded.
    """
    text = without_comments(source.replace("\r\n", "\n"))
    where = Source(text, path)
    body_from, body_to = check_environments(where)
    macros, text = collect(where)
    text = blank(text[:body_from]) + text[body_from:body_to] + blank(text[body_to:])
    text = NUMBERING.sub(lambda found: blank(found.group(0)), text)
    body = INDENTED.sub("", expand(where, text, macros))
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return RawDocument(path, {}, 1, "", body, 1, digest, written=False)


def without_comments(text: str) -> str:
    r"""``text`` with each ``%`` comment blanked to the end of its line (not ``\%``)."""
    return COMMENT.sub(lambda found: found.group(1) + blank(found.group(0)[len(found[1]) :]), text)


def check_environments(source: Source) -> tuple[int, int]:
    r"""Check that every ``\begin{…}`` is closed in order; return the body's offsets.

    The body is what lies inside ``\begin{document} … \end{document}``, else the whole
    text.

    Raises:
        DocumentError: at the unbalanced ``\begin`` or ``\end``, saying what to add.
    """
    open_: list[re.Match[str]] = []
    body = (0, len(source.text))
    for found in ENVIRONMENT.finditer(source.text):
        name = found[2].strip()
        if found[1] == "begin":
            open_.append(found)
            continue
        if not open_ or open_[-1][2].strip() != name:
            raise unbalanced(source, found, open_)
        begun = open_.pop()
        if name == DOCUMENT:
            body = (begun.end(), found.start())
    if open_:
        raise never_closed(source, open_[-1])
    return body


def never_closed(source: Source, begun: re.Match[str]) -> DocumentError:
    r"""The error for a ``\begin{…}`` that is never closed, at its place."""
    where = source.position(begun.start())
    return source.error(
        f"`{begun[0]}` at {where.line}:{where.col} is never closed: add `\\end{{{begun[2]}}}`",
        begun.start(),
    )


def unbalanced(source: Source, end: re.Match[str], open_: list[re.Match[str]]) -> DocumentError:
    r"""The error for an ``\end`` that does not close the innermost open environment.

    When it closes one further out, the ones opened inside that one are never closed.
    """
    name = end[2].strip()
    if any(begun[2].strip() == name for begun in open_):
        return never_closed(source, open_[-1])
    return source.error(
        f"`{end[0]}` closes an environment that was never begun: remove it or add "
        f"`\\begin{{{name}}}` before it",
        end.start(),
    )
