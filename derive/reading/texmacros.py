r"""The macros of a LaTeX file: ``\newcommand`` and its kin, collected and expanded.

``\newcommand``, ``\renewcommand`` and ``\providecommand`` (with ``[n]`` arguments and
an optional first argument's default) and ``\DeclareMathOperator`` (as
``\operatorname{…}``) are read; each definition is then blanked, its characters turned
to spaces so that every other character keeps its line and column. ``\def`` is not
executed: it is TeX's own programming, and a ``\def`` line is left as it is. A macro
defined twice differently (``\renewcommand`` of one the file defined) is refused: one
definition holds for the whole file. A name may hold ``@`` (``\my@loss``, as written
under ``\makeatletter``); a use ``\my@loss`` is that macro when the file defines it.

Expansion is textual and bounded: past :data:`MAX_DEPTH` nested expansions,
:data:`MAX_CALLS` expansions or :data:`MAX_OUTPUT` characters it stops with a
:class:`~derive.errors.DocumentError` at the macro's place. A macro's expansion is kept
on one line: the lines its use spans are kept after it, so every later line keeps its
number; :class:`Expanded` places an offset of the expanded text in the file.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

from derive.errors import DocumentError, Position

MAX_DEPTH = 32  # macros expanding into macros, nested
MAX_OUTPUT = 1_000_000  # characters of the whole expanded body
MAX_CALLS = 100_000  # expansions in the whole body (macros that expand to nothing count)
DEFINE = re.compile(
    r"\\(?P<kind>newcommand|renewcommand|providecommand|DeclareMathOperator)\*?(?![A-Za-z])"
)
CONTROL = re.compile(r"\\(?:[A-Za-z]+|.)", re.DOTALL)
AT_NAME = re.compile(r"\\[A-Za-z@]+")  # a name with `@`, as under \makeatletter
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
    named = AT_NAME.match(text, at + 1 if braced else at)
    if named is None or not named.group(0)[1:].replace("@", "a").isalpha():
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


@dataclass(frozen=True)
class Use:
    """Where one use of a macro in the file was expanded: its offsets in and out.

    The expansion (and the line breaks the use spanned) fills ``out[start:resume]``; the
    file's text goes on at ``source_end`` (the end of the use), where the output's goes
    on at ``resume``.
    """

    start: int
    resume: int
    source_start: int
    source_end: int


class Expanded(Source):
    """An expanded text that places its offsets at the macro uses of the file's text."""

    def __init__(self, text: str, source: Source, uses: list[Use]) -> None:
        """Keep the expanded ``text``, the ``source`` it was expanded from and its uses."""
        super().__init__(text, source.path)
        self.source = source
        self.uses = uses
        self.starts = [use.start for use in uses]

    def original(self, offset: int) -> int:
        """The offset in the file's text of ``offset`` (a use's start inside its expansion)."""
        n = bisect.bisect_right(self.starts, offset) - 1
        if n < 0:
            return offset
        use = self.uses[n]
        if offset < use.resume:
            return use.source_start
        return use.source_end + offset - use.resume

    def position(self, offset: int) -> Position:
        """The file position of ``offset`` in the expanded text."""
        return self.source.position(self.original(offset))


def expand(source: Source, text: str, macros: dict[str, Macro]) -> Expanded:
    """``text`` (a copy of the file's text, offsets unchanged) with its macros expanded.

    Raises:
        DocumentError: a use that expands without end, past the size bound or the
            number of expansions, or lacks arguments, at the place of the use in the file.
    """
    expander = Expander(macros)
    try:
        out = expander.run(text, 0)
    except Unexpandable as err:
        at, message = err.args
        raise source.error(message, at) from None
    return Expanded(out, source, expander.uses)


class Expander:
    """Expands the uses of ``macros``, within the bounds, noting where each top one was."""

    def __init__(self, macros: dict[str, Macro]) -> None:
        """Start with the whole budget of characters and of expansions."""
        self.macros = macros
        self.characters = MAX_OUTPUT
        self.calls = MAX_CALLS
        self.uses: list[Use] = []

    def run(self, text: str, depth: int) -> str:
        """``text`` with every use of the macros expanded, ``depth`` expansions deep.

        Raises:
            Unexpandable: with the offset (in ``text`` at depth 0) and the reason.
        """
        out: list[str] = []
        at = written = 0  # in `text`; the characters in `out`
        while (found := CONTROL.search(text, at)) is not None:
            name = self.name(text, found)
            if name is None:
                continue_at = found.end()
                out.append(text[at:continue_at])
                written += continue_at - at
                at = continue_at
                continue
            try:
                inner, end = self.one(text, found.start(), name, depth)
            except Unexpandable as err:
                raise Unexpandable(found.start(), err.args[1]) if depth == 0 else err from None
            start = written + found.start() - at
            lines = "\n" * text.count("\n", found.start(), end)  # later lines keep theirs
            written = start + len(inner) + len(lines)
            if depth == 0:
                self.uses.append(Use(start, written, found.start(), end))
            out += [text[at : found.start()], inner, lines]
            at = end
        out.append(text[at:])
        return "".join(out)

    def name(self, text: str, found: re.Match[str]) -> str | None:
        r"""The macro named at ``found``, if any: ``\my@loss`` when defined, else ``\my``."""
        long = AT_NAME.match(text, found.start())
        if long is not None and long.group(0) in self.macros:
            return long.group(0)
        return found.group(0) if found.group(0) in self.macros else None

    def one(self, text: str, at: int, name: str, depth: int) -> tuple[str, int]:
        """The expansion of the use of ``name`` at ``at``, on one line, and where it ends.

        Raises:
            Unexpandable: past a bound, or too few arguments (offset 0: the caller places it).
        """
        macro = self.macros[name]
        args, end = arguments(text, at + len(name), name, macro)
        if depth >= MAX_DEPTH:
            raise Unexpandable(
                0,
                f"`{name}` expands without end (more than {MAX_DEPTH} macros "
                "inside one another): a macro must not use itself",
            )
        self.calls -= 1
        if self.calls < 0:
            raise Unexpandable(
                0,
                f"the macros expand more than {MAX_CALLS:,} times: a macro must not use "
                "itself, nor use another twice at every level",
            )
        inner = self.run(substitute(macro, args), depth + 1).replace("\n", " ")
        self.characters -= len(inner)
        if self.characters < 0:
            raise Unexpandable(
                0,
                f"the macros expand to more than {MAX_OUTPUT:,} characters: "
                f"does `{name}` use itself?",
            )
        return inner, end


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
