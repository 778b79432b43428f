r"""Read a LaTeX file as a body of display math, every line where the file has it.

Only what lies between ``\begin{document}`` and ``\end{document}`` (when written) is
the body; the preamble is read for its macros (:mod:`derive.reading.texmacros`) and
blanked. ``%`` comments are removed (``\%`` is a percent sign), and so is what
``\iffalse … \fi`` (up to an ``\else``) and ``\begin{comment} … \end{comment}``
hold. Environments must balance once the macros are expanded (``\be … \ee`` does).
A backtick is read as ``'`` (LaTeX's opening quote), never as Markdown code. Nothing
is run: ``\input``, ``\include`` and ``\write18`` are never followed, they stay text.
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
COMMENTED = re.compile(r"\\iffalse(?![A-Za-z@])|\\begin\s*\{comment\}")
COMMENT_END = re.compile(r"\\end\s*\{comment\}")
CONDITIONAL = re.compile(r"\\(if[A-Za-z@]*|else|fi)(?![A-Za-z@])")
NOT_CONDITIONALS = {"iff", "ifthenelse"}  # macros whose names begin with `if`
FI = "\\fi"
INDENTED = re.compile(r"^(?:\t| {4})[ \t]*", re.MULTILINE)


def read_tex(source: str, path: str) -> RawDocument:
    """The document of the LaTeX file whose text is ``source``: a body and no front matter.

    Raises:
        DocumentError: an environment that is never closed or closes what is not open,
            a macro definition that cannot be read, or a macro that cannot be expanded.
    """
    where = Source(without_comments(source.replace("\r\n", "\n")), path)
    where = Source(without_commented_out(where), path)
    macros, text = collect(where)
    expanded = expand(where, text, macros)
    body_from, body_to = check_environments(expanded)
    text = expanded.text
    text = blank(text[:body_from]) + text[body_from:body_to] + blank(text[body_to:])
    text = NUMBERING.sub(lambda found: blank(found.group(0)), text)
    body = INDENTED.sub("", text.replace("`", "'"))  # `` is LaTeX's opening quote
    digest = hashlib.sha256(source.encode("utf-8")).hexdigest()
    return RawDocument(path, {}, 1, "", body, 1, digest, written=False)


def without_comments(text: str) -> str:
    r"""``text`` with each ``%`` comment blanked to the end of its line (not ``\%``)."""
    return COMMENT.sub(lambda found: found.group(1) + blank(found.group(0)[len(found[1]) :]), text)


def without_commented_out(source: Source) -> str:
    r"""The text with each ``\iffalse`` and ``comment`` environment blanked, lines kept.

    Raises:
        DocumentError: one that is never closed, at its start.
    """
    text = source.text
    at = 0
    while (found := COMMENTED.search(text, at)) is not None:
        if found[0].startswith("\\begin"):
            close = COMMENT_END.search(text, found.end())
            if close is None:
                raise never_closed(source, found, "\\end{comment}")
            ends = [close.end()]
        else:
            ends = conditional_ends(source, found)
        text = text[: found.start()] + blank(text[found.start() : ends[0]]) + text[ends[0] :]
        for fi in ends[1:]:  # after `\else`, only the `\fi` is blanked
            text = text[: fi - len(FI)] + blank(FI) + text[fi:]
        at = ends[0]
    return text


def conditional_ends(source: Source, begun: re.Match[str]) -> list[int]:
    r"""Where the false branch of ``\iffalse`` at ``begun`` ends, and its ``\fi`` if apart.

    The branch ends at the matching ``\else`` or ``\fi`` (conditionals nest as in TeX;
    ``\iff`` and ``\ifthenelse`` are not conditionals).

    Raises:
        DocumentError: no matching ``\fi``.
    """
    depth = 0
    ends: list[int] = []
    for found in CONDITIONAL.finditer(source.text, begun.end()):
        word = found[1]
        if word.startswith("if") and word not in NOT_CONDITIONALS:
            depth += 1
        elif word == "else" and depth == 0 and not ends:
            ends.append(found.end())
        elif word == "fi" and depth > 0:
            depth -= 1
        elif word == "fi":
            return [*ends, found.end()]
    raise never_closed(source, begun, FI)


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


def never_closed(source: Source, begun: re.Match[str], close: str = "") -> DocumentError:
    r"""The error for a ``\begin{…}`` (or ``\iffalse``) never closed, at its place."""
    where = source.position(begun.start())
    close = close or f"\\end{{{begun[2]}}}"
    return source.error(
        f"`{begun[0]}` at {where.line}:{where.col} is never closed: add `{close}`",
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
