r"""A small typed LaTeX builder: escaped text, math, environments, tables.

A :class:`Tex` is LaTeX that is safe to emit. User text (titles, prose, names) only
becomes :class:`Tex` through :func:`text`, which escapes every special character with
:func:`derive.printing.texsafe.escape` (the one escaping function), so
``100% of the \input{/etc/passwd}`` prints as itself and reads no file. Math comes from
SymPy through :func:`math`, whose printer passes every name through
:func:`derive.printing.texsafe.math_name`.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager

import sympy as sp

from derive.printing import notation
from derive.printing.texsafe import escape


class Tex(str):
    """LaTeX that is safe to emit as it is."""

    __slots__ = ()


def text(value: str) -> Tex:
    """User text as LaTeX: special characters escaped, other scripts spelled out."""
    return Tex(escape(value))


def math(expr: sp.Basic) -> Tex:
    """A SymPy expression as LaTeX math content (without delimiters)."""
    return Tex(notation.latex(expr))


LONGEST = 900  # characters of LaTeX beyond which an expression is summarised


def display(expr: sp.Basic) -> Tex:
    """An expression as LaTeX, summarised when it is too long to read on a page."""
    try:
        written = math(expr)
    except (TypeError, ValueError, AttributeError):  # a construct the printer lacks
        return join([Tex(r"\text{"), text(notation.unicode(expr)), Tex("}")])
    if len(written) <= LONGEST:
        return written
    summary = text(f"(an expression of {sp.count_ops(expr)} operations)")
    return join([Tex(r"\text{"), summary, Tex("}")])


def inline(expr: sp.Basic) -> Tex:
    """A SymPy expression as inline math."""
    return Tex(f"${math(expr)}$")


def join(parts: Iterable[Tex], separator: str = "") -> Tex:
    """Join LaTeX pieces."""
    return Tex(separator.join(parts))


class Builder:
    """A LaTeX document, line by line."""

    def __init__(self) -> None:
        """Start empty."""
        self.lines: list[str] = []

    def add(self, *parts: Tex) -> None:
        """Append one line made of LaTeX pieces."""
        self.lines.append("".join(parts))

    def blank(self) -> None:
        """A paragraph break."""
        self.lines.append("")

    def command(self, name: str, *arguments: Tex) -> None:
        """A command with its arguments on its own line."""
        self.lines.append(f"\\{name}" + "".join(f"{{{a}}}" for a in arguments))

    @contextmanager
    def environment(self, name: str, *arguments: Tex) -> Iterator[None]:
        """An environment around what is added inside."""
        self.lines.append(f"\\begin{{{name}}}" + "".join(f"{{{a}}}" for a in arguments))
        yield
        self.lines.append(f"\\end{{{name}}}")

    def table(self, spec: str, header: Sequence[Tex], rows: Sequence[Sequence[Tex]]) -> None:
        """A booktabs table."""
        with self.environment("tabular", Tex(spec)):
            self.add(Tex(r"\toprule"))
            self.add(join(header, " & "), Tex(r" \\"))
            self.add(Tex(r"\midrule"))
            for row in rows:
                self.add(join(row, " & "), Tex(r" \\"))
            self.add(Tex(r"\bottomrule"))

    def render(self) -> str:
        """The whole document text."""
        return "\n".join(self.lines) + "\n"
