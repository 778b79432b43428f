r"""Blank out ``\underbrace{…}_{label}`` and ``\overbrace{…}^{label}``, keeping columns.

A brace's label is prose about the term (``_{\text{the softmax}}``) and changes
nothing in the mathematics, but it is written as a script, which the grammar would read
as a subscript or a power. Before lexing, the command and its label are replaced by
spaces, character for character, so every position in a message still points at the
same column of the text as written. The braced term itself stays: it reads as a group.
The other decorations (``\boxed``, ``\color{red}``, ``\left.``) are ignored by the lexer.
"""

from __future__ import annotations

import re

BRACES = re.compile(r"\\(?P<kind>under|over)brace(?![a-zA-Z])")
LABEL = {"under": "_", "over": "^"}


def blank_labels(text: str) -> str:
    r"""Return ``text`` with each ``\underbrace``/``\overbrace`` and its label blanked.

    A brace without a braced argument, or an unbalanced one, is left as written: the
    grammar then refuses it with its own message.
    """
    chars = list(text)
    for match in BRACES.finditer(text):
        start = _skip_spaces(text, match.end())
        end = _group_end(text, start)
        if end is None:
            continue
        _blank(chars, match.start(), match.end())
        script = _skip_spaces(text, end)
        if text.startswith(LABEL[match.group("kind")], script):
            label_end = _script_end(text, _skip_spaces(text, script + 1))
            if label_end is not None:
                _blank(chars, script, label_end)
    return "".join(chars)


def _blank(chars: list[str], start: int, end: int) -> None:
    for i in range(start, end):
        if chars[i] != "\n":
            chars[i] = " "


def _skip_spaces(text: str, at: int) -> int:
    while at < len(text) and text[at].isspace():
        at += 1
    return at


def _group_end(text: str, at: int) -> int | None:
    """Return the offset just past the brace group opening at ``at``, or None."""
    if not text.startswith("{", at):
        return None
    depth = 0
    i = at
    while i < len(text):
        char = text[i]
        if char == "\\":
            i += 2  # `\{` and `\}` are delimiters, not grouping braces
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _script_end(text: str, at: int) -> int | None:
    r"""Return the offset just past a script's argument: a group, a command or one character."""
    if at >= len(text):
        return None
    if text[at] == "{":
        return _group_end(text, at)
    command = re.match(r"\\[a-zA-Z]+|\\.|.", text[at:], re.DOTALL)
    assert command is not None
    return at + len(command.group())
