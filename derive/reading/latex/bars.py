r"""Plain bars ``|x|``: which ``|`` opens an absolute value and which closes it.

A ``|`` opens where a factor may start (at the beginning, after an operator, a
relation, an opening bracket or a function's name) and closes where a factor has just
ended. Before lexing, each plain bar is replaced, character for character, by a mark
the grammar reads (U+000E opens, U+000F closes), so positions stay where they were.
``\left|``, ``\lvert`` and their closers need no marking; ``\|`` (a norm) is left alone.

Bars that could pair two ways are refused with a message saying how to write them:
a ``|`` that would open inside another (``|a |b| c|``) and a closing ``|`` followed
directly by a factor while more bars follow (``|a|b|c|``: ``|a|·b·|c|`` or
``|a·|b|·c|``).
"""

from __future__ import annotations

import re

from derive.errors import LatexError, Position

OPEN, CLOSE = "\x0e", "\x0f"
# A command after which a bar closes: it is a value (a Greek letter, `\top`, `\infty`).
VALUES = re.compile(
    r"\\(ell|alpha|beta|gamma|delta|epsilon|varepsilon|zeta|eta|theta|vartheta|iota|kappa|"
    r"lambda|mu|nu|xi|pi|rho|sigma|tau|upsilon|phi|varphi|chi|psi|omega|Gamma|Delta|Theta|"
    r"Lambda|Xi|Pi|Sigma|Upsilon|Phi|Psi|Omega|top|infty|prime)$"
)
SIZED = re.compile(r"\\(left|right|[bB]igg?[lr]?)\s*$")
COMMAND = re.compile(r"\\[a-zA-Z]+$")
ADVICE = r"write `\lvert … \rvert` (or `\left| … \right|`) for each absolute value"


def mark_bars(text: str) -> str:
    """Return ``text`` with each plain ``|`` marked as opening or closing.

    Raises:
        LatexError: Bars that pair two ways, or a bar left unpaired.
    """
    chars = list(text)
    depth = 0
    bars = [i for i, c in enumerate(text) if c == "|" and not _sized(text, i)]
    for n, at in enumerate(bars):
        if _opens(text, at) or depth == 0:
            if depth:
                raise LatexError(f"nested `|` is ambiguous: {ADVICE}", _where(text, at))
            chars[at], depth = OPEN, 1
            continue
        chars[at], depth = CLOSE, 0
        if n + 1 < len(bars) and _factor_follows(text, at):
            raise LatexError(
                f"`|` followed by a factor can be read two ways: {ADVICE}", _where(text, at)
            )
    if depth:
        raise LatexError(f"a `|` is not closed: {ADVICE}", _where(text, bars[-1]))
    return "".join(chars)


def _sized(text: str, at: int) -> bool:
    r"""True for ``\|`` and for the bar of ``\left|``, ``\bigr|``: the lexer reads those."""
    if at and text[at - 1] == "\\":
        return True
    return SIZED.search(text[:at]) is not None


def _opens(text: str, at: int) -> bool:
    """True where a factor may start: nothing before, or an operator or command."""
    before = text[:at].rstrip()
    if not before:
        return True
    last = before[-1]
    if last.isalnum() or last in ")]}'|" or last in (CLOSE,):
        command = COMMAND.search(before)
        return command is not None and VALUES.search(command.group()) is None
    return True


def _factor_follows(text: str, at: int) -> bool:
    """True when a factor starts right after the bar at ``at`` (no operator between)."""
    after = text[at + 1 :].lstrip()
    if not after:
        return False
    return after[0].isalnum() or (
        after[0] in "(|\\"
        and not after.startswith(
            ("\\cdot", "\\times", "\\le", "\\ge", "\\ne", "\\right", "\\\\", "\\quad", "\\,")
        )
    )


def _where(text: str, at: int) -> Position:
    line = text.count("\n", 0, at) + 1
    column = at - (text.rfind("\n", 0, at) + 1) + 1
    return Position("", line, column)
