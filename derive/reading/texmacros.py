r"""The macros of a LaTeX file: ``\newcommand`` and its kin, collected and expanded.

``\newcommand``, ``\renewcommand`` and ``\providecommand`` (with ``[n]`` arguments and
an optional first argument's default) and ``\DeclareMathOperator`` (as
``\operatorname{…}``) are read; each definition is then blanked, its characters turned
to spaces so that every other character keeps its line and column. ``\def`` is not
executed: it is TeX's own programming, and a ``\def`` line is left as it is. A macro
defined twice differently (``\renewcommand`` of one the file defined) is refused: one
definition holds for the whole file.

Expansion is textual and bounded: past :data:`MAX_DEPTH` nested expansions or
:data:`MAX_OUTPUT` characters it stops with a :class:`~derive.errors.DocumentError` at
the macro's place. A macro's expansion is kept on one line: the lines its use spans are
kept after it, so every later line keeps its number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from derive.errors import DocumentError, Position

MAX_DEPTH = 32  # macros expanding into macros, nested
MAX_OUTPUT = 1_000_000  # characters of the whole expanded body
DEFINE = re.compile(
    r"\\(?P<kind>newcommand|renewcommand|providecommand|DeclareMathOperator)\*?(?![A-Za-z])"
)
CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
COUNT = re.compile(r"\s*\[\s*(\d)\s*\]")
HOW = r"write \newcommand{\name}[2]{… #1 … #2 …} or \DeclareMathOperator{\name}{text}"


@dataclass(frozen=True)
class Macro:
    """A macro: how many arguments it takes, the default of an optional first, its body."""

    arity: int
    default: str | None
    body: str


class Source:
    """A text being read, with the file's path, to place errors by offset."""

    def __init__(self, text: str, path: str) -> None:
        """Keep ``text`` (the file's text, or a copy with its offsets unchanged)."""
        self.text = text
        self.path = path

    def position(self, offset: int) -> Position:
        """The file position of ``offset``."""
        line = self.text.count("\n", 0, offset) + 1
        return Position(self.path, line, offset - (self.text.rfind("\n", 0, offset) + 1) + 1)

    def error(self, message: str, offset: int) -> DocumentError:
        """A DocumentError at ``offset``."""
        return DocumentError(message, self.position(offset))


def group(text: str, at: int) -> int | None:
    """The offset just past the balanced ``{…}`` that starts at ``at``, if there is one."""
    depth = 0
    n = at
    while n < len(text):
        char = text[n]
        if char == "\\":
            n += 2
            continue
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth == 0:
            return n + 1
        n += 1
    return None


def skip_space(text: str, at: int) -> int:
    """The offset of the first character at or after ``at`` that is not white space."""
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def collect(source: Source) -> tuple[dict[str, Macro], str]:
    """Every macro the text defines, and the text with each definition blanked.

    Raises:
        DocumentError: a definition that cannot be read, at its place.
    """
    macros: dict[str, Macro] = {}
    text = source.text
    at = 0
    while (found := DEFINE.search(text, at)) is not None:
        name, macro, end = definition(source, found)
        if name in macros and found["kind"] != "providecommand" and macros[name] != macro:
            raise source.error(
                f"`{name}` is defined a second time, differently: derive applies one "
                "definition to the whole file; give the second macro its own name",
                found.start(),
            )
        macros.setdefault(name, macro)
        text = text[: found.start()] + blank(text[found.start() : end]) + text[end:]
        at = end
    return macros, text


def definition(source: Source, found: re.Match[str]) -> tuple[str, Macro, int]:
    """The name, macro and end offset of the definition ``found`` starts.

    Raises:
        DocumentError: the definition is not written as :data:`HOW` says.
    """
    text = source.text
    at = skip_space(text, found.end())
    braced = text.startswith("{", at)
    named = CONTROL.match(text, at + 1 if braced else at)
    if named is None or not named.group(0)[1:].isalpha():
        raise source.error(f"cannot read this `\\{found['kind']}`: {HOW}", found.start())
    at = named.end()
    if braced:
        at = skip_space(text, at)
        if not text.startswith("}", at):
            raise source.error(f"cannot read this `\\{found['kind']}`: {HOW}", found.start())
        at += 1
    arity, default, at = signature(text, at)
    begin = skip_space(text, at)
    end = group(text, begin) if text.startswith("{", begin) else None
    if end is None:
        raise source.error(
            f"the body of `{named.group(0)}` is not a balanced {{…}} group: {HOW}", found.start()
        )
    body = " ".join(text[begin + 1 : end - 1].split("\n"))
    if found["kind"] == "DeclareMathOperator":
        body, arity, default = f"\\operatorname{{{body}}}", 0, None
    return named.group(0), Macro(arity, default, body), end


def signature(text: str, at: int) -> tuple[int, str | None, int]:
    """``[n]`` (the number of arguments) and ``[default]`` after a macro's name, if written."""
    count = COUNT.match(text, at)
    if count is None:
        return 0, None, at
    at = count.end()
    start = skip_space(text, at)
    if not text.startswith("[", start):
        return int(count[1]), None, at
    close = text.find("]", start)
    if close < 0:
        return int(count[1]), None, at
    return int(count[1]), text[start + 1 : close], close + 1


def blank(text: str) -> str:
    """``text`` with every character but a line break turned to a space."""
    return re.sub(r"[^\n]", " ", text)


class Unexpandable(Exception):
    """A use of a macro that cannot be expanded: the one-line reason."""


def expand(source: Source, text: str, macros: dict[str, Macro]) -> str:
    """``text`` (a copy of the file's text, offsets unchanged) with its macros expanded.

    Raises:
        DocumentError: a use that expands without end, past the size bound, or lacks
            arguments, at the place of the use in the file.
    """
    budget = [MAX_OUTPUT]
    try:
        return expanded(text, macros, 0, budget)
    except Unexpandable as err:
        at, message = err.args
        raise source.error(message, at) from None


def expanded(text: str, macros: dict[str, Macro], depth: int, budget: list[int]) -> str:
    """``text`` with every use of ``macros`` expanded, ``depth`` expansions deep.

    Raises:
        Unexpandable: with the offset (in ``text`` at depth 0) and the reason.
    """
    out: list[str] = []
    at = 0
    while (found := CONTROL.search(text, at)) is not None:
        macro = macros.get(found.group(0))
        if macro is None:
            out.append(text[at : found.end()])
            at = found.end()
            continue
        try:
            args, end = arguments(text, found.end(), found.group(0), macro)
            if depth >= MAX_DEPTH:
                raise Unexpandable(
                    0,
                    f"`{found.group(0)}` expands without end (more than {MAX_DEPTH} macros "
                    "inside one another): a macro must not use itself",
                )
            inner = expanded(substitute(macro, args), macros, depth + 1, budget)
        except Unexpandable as err:
            raise Unexpandable(found.start(), err.args[1]) if depth == 0 else err from None
        budget[0] -= len(inner)
        if budget[0] < 0:
            raise Unexpandable(
                found.start() if depth == 0 else 0,
                f"the macros expand to more than {MAX_OUTPUT:,} characters: "
                f"does `{found.group(0)}` use itself?",
            )
        out += [text[at : found.start()], inner.replace("\n", " ")]
        out.append("\n" * text.count("\n", found.start(), end))  # later lines keep their numbers
        at = end
    out.append(text[at:])
    return "".join(out)


def arguments(text: str, at: int, name: str, macro: Macro) -> tuple[list[str], int]:
    """The arguments of a use of ``macro`` written from ``at``, and where the use ends.

    Raises:
        Unexpandable: fewer arguments than the macro takes.
    """
    args: list[str] = []
    for number in range(macro.arity):
        start = skip_space(text, at)
        if number == 0 and macro.default is not None:
            close = text.find("]", start) if text.startswith("[", start) else -1
            args.append(text[start + 1 : close] if close >= 0 else macro.default)
            at = close + 1 if close >= 0 else at
            continue
        end = argument_end(text, start)
        if end is None:
            raise Unexpandable(
                0, f"`{name}` takes {macro.arity} arguments: write {name}{'{…}' * macro.arity}"
            )
        braced = text.startswith("{", start)
        args.append(text[start + 1 : end - 1] if braced else text[start:end])
        at = end
    return args, at


def argument_end(text: str, start: int) -> int | None:
    """The end of the one argument (a ``{…}`` group, a command or a character) at ``start``."""
    if start >= len(text) or text[start] == "}":
        return None
    if text[start] == "{":
        return group(text, start)
    if text[start] == "\\":
        command = CONTROL.match(text, start)
        return command.end() if command else None
    return start + 1


def substitute(macro: Macro, args: list[str]) -> str:
    """The macro's body with ``#1`` … ``#9`` replaced by ``args`` (``##`` is ``#``)."""

    def one(match: re.Match[str]) -> str:
        mark = match.group(1)
        if mark == "#":
            return "#"
        number = int(mark)
        return args[number - 1] if 1 <= number <= len(args) else match.group(0)

    return re.sub(r"#([0-9#])", one, macro.body)
