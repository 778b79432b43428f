"""Turn lark's syntax errors into :class:`LatexError` messages a LaTeX writer can act on."""

from __future__ import annotations

import re
from dataclasses import dataclass

import lark

from derive.errors import LatexError, Position

# What each terminal of grammar.lark stands for, in the writer's terms.
TERMINALS = {
    "PLUS": "`+`",
    "MINUS": "`-`",
    "MUL": "`\\cdot`",
    "DIV": "`/`",
    "REL": "a relation such as `=`",
    "LETTER": "a letter",
    "NUMBER": "a number",
    "PRIME": "`'`",
    "TOP": "`\\top`",
    "GREEK": "a Greek letter",
    "ACCENT": "an accent such as `\\hat`",
    "BOLD": "`\\mathbf`",
    "CALLIGRAPHIC": "`\\mathcal`",
    "CAL": "`{\\cal C}`",
    "TEXT": "a name such as `\\text{soft}`",
    "ONE": "`\\mathbb{1}`",
    "FUNC": "a function such as `\\ln`",
    "LOG": "`\\log`",
    "WORD": "a function such as `log`",
    "SUM": "`\\sum`",
    "PROD": "`\\prod`",
    "_FRAC": "`\\frac`",
    "_OVER": "`\\over`",
    "_NABLA": "`\\nabla`",
    "_PARTIAL": "`\\partial`",
    "_SQRT": "`\\sqrt`",
    "_SUBSTACK": "`\\substack`",
    "_ROWSEP": "`\\\\`",
    "_LPAR": "`(`",
    "_RPAR": "`)`",
    "_LSQB": "`[`",
    "_RSQB": "`]`",
    "_LNORM": "`\\|`",
    "_RNORM": "a closing `\\|`",
    "_LCURLY": "`\\{`",
    "_RCURLY": "`\\}`",
    "_LBAR": "`|`",
    "_RBAR": "`|`",
    "MAXMIN": "`\\max`",
    "_LBRACE": "`{`",
    "_RBRACE": "`}`",
    "_CARET": "`^`",
    "_UNDERSCORE": "`_`",
    "_COMMA": "`,`",
    "DOTS": "`\\dots`",
    "_BEGIN_CASES": "`\\begin{cases}`",
    "_END_CASES": "`\\end{cases}`",
    "MATRIX_BEGIN": "`\\begin{pmatrix}`",
    "_MATRIX_END": "`\\end{pmatrix}`",
    "_AMP": "`&`",
    "_PERIOD": "`.`",
    "CONDWORD": "`\\text{if}`",
    "$END": "the end of the expression",
}
ORDER = list(TERMINALS)

# Terminals that can begin a factor; when all of these are acceptable we say "an expression".
FACTOR_START = frozenset(
    "LETTER NUMBER GREEK ACCENT BOLD CALLIGRAPHIC CAL TEXT ONE FUNC LOG WORD SUM PROD _FRAC _SQRT "
    "_LPAR _LSQB _LCURLY _LBRACE DOTS _BEGIN_CASES MATRIX_BEGIN _NABLA _LNORM _LBAR MAXMIN".split()
)
# Acceptable right after a complete factor: we say "an operator".
AFTER_FACTOR = frozenset("PLUS MINUS MUL DIV _CARET _UNDERSCORE PRIME".split())
OPENERS = {
    "_LPAR": "_RPAR",
    "_LSQB": "_RSQB",
    "_LCURLY": "_RCURLY",
    "_LBRACE": "_RBRACE",
    "_LBAR": "_RBAR",
}
CLOSERS = frozenset(OPENERS.values())
# Commands whose `{` argument we name in messages (`\frac{`, `_{`).
BRACE_OWNERS = frozenset("_FRAC _SQRT _SUBSTACK _CARET _UNDERSCORE ACCENT BOLD".split())


@dataclass(frozen=True)
class Opened:
    r"""An unclosed bracket: its label, its closer, and whether it is ``\frac``'s first."""

    label: str
    closer: str
    frac_first: bool


def end_position(text: str) -> Position:
    """Return the position just past the end of ``text``."""
    line = text.count("\n") + 1
    return Position("", line, len(text) - (text.rfind("\n") + 1) + 1)


def diagnose(
    text: str, err: lark.exceptions.UnexpectedInput, parser: lark.Lark, start: str
) -> LatexError:
    """Return the :class:`LatexError` for a lark syntax error in ``text``.

    Args:
        text: The source that failed to parse.
        err: Lark's exception.
        parser: The parser (to re-lex ``text`` up to the error).
        start: The start rule, ``"expression"`` or ``"relation"``.
    """
    if isinstance(err, lark.exceptions.UnexpectedToken):
        return _unexpected_token(text, err, parser, start)
    if isinstance(err, lark.exceptions.UnexpectedCharacters):
        where = Position("", err.line, err.column)
        return LatexError(_unexpected_character(text, err.pos_in_stream or 0), where)
    return LatexError("unexpected end of the expression", end_position(text))


def _unexpected_character(text: str, pos: int) -> str:
    rest = text[pos:]
    command = re.match(r"\\(?:[a-zA-Z]+|.?)", rest, re.DOTALL)
    if command:
        name = command.group()
        if name in ("\\left", "\\right") or re.fullmatch(r"\\[bB]igg?[lr]?", name):
            return f"unsupported delimiter after `{name}`: use `(`, `[` or `\\{{`"
        if name == "\\cal":
            return "`\\cal` styles the rest of its group: write `{\\cal C}` or `\\mathcal{C}`"
        if re.fullmatch(r"\\(text|operatorname|mathrm|textrm|mathit|textit)", name):
            return f"expected a plain name in braces after `{name}`, e.g. `{name}{{soft}}`"
        if name in ("\\vdots", "\\ddots"):
            return (
                f"`{name}` (a pattern down a matrix) is not read: write the matrix's entry, "
                "or `\\operatorname{diag}(…)`"
            )
        return f"unsupported LaTeX command `{name}`"
    char = rest[:1]
    if char == "$":
        return "unexpected `$`: give the mathematics without `$` delimiters"
    shown = f"`{char}`" if char.isprintable() else repr(char)
    return f"unexpected character {shown}"


def _unexpected_token(
    text: str, err: lark.exceptions.UnexpectedToken, parser: lark.Lark, start: str
) -> LatexError:
    token = err.token
    at_end = token.type == "$END"
    stop = len(text) if at_end else (token.start_pos or 0)
    where = end_position(text) if at_end else Position("", token.line or 1, token.column or 1)
    before = _tokens_before(text, stop, parser)
    expected = set(err.expected)
    stack = _open_brackets(before)
    found = "" if at_end else f"unexpected `{token.value}`"
    hint = _hint(token, before[-1] if before else None, start) or _ones(token, before)
    if hint:
        return LatexError(f"{found}: {hint}", where)
    if stack and stack[-1].closer in expected:
        closer = TERMINALS[stack[-1].closer]
        if stack[-1].label.startswith("\\left"):
            closer = f"`\\right{closer[1:]}"
        message = f"expected {closer} to close `{stack[-1].label}`"
        return LatexError(f"{found}: {message}" if found else message, where)
    if token.type in CLOSERS and not stack:
        return LatexError(f"unmatched `{token.value}`", where)
    after = f" after `{before[-1].value}`" if before else ""
    if found:
        return LatexError(f"{found}{after}: expected {_describe(expected)}", where)
    return LatexError(f"expected {_describe(expected)}{after}", where)


def _hint(token: lark.Token, previous: lark.Token | None, start: str) -> str:
    """Return advice for a known mistake at ``token``, or an empty string."""
    if previous is not None and previous.type == "_NABLA" and token.type == "_CARET":
        return (
            "the Laplacian `\\nabla^2` is not read: write the sum of second derivatives, "
            "e.g. `\\sum_i \\frac{\\partial^2 f}{\\partial x_i^2}`"
        )
    if token.type == "_PARTIAL":
        return "write a derivative as `\\frac{\\partial y}{\\partial x}`"
    if token.type == "_OVER":
        return (
            "`\\over` divides the whole brace group around it: write `{a \\over b}` "
            "in braces of its own, or `\\frac{a}{b}`"
        )
    if token.type == "REL" and start == "expression":
        return "expected an expression, not a relation"
    if token.type == "REL":
        return "a relation has exactly one of `=`, `\\neq`, `<`, `\\leq`, `>`, `\\geq`"
    return ""


def _ones(token: lark.Token, before: list[lark.Token]) -> str:
    r"""Advice for ``\mathbf{1}`` and for ``\partial \sigma(z)``, which derive does not read."""
    if token.type == "_LPAR" and len(before) >= 2 and before[-2].type == "_PARTIAL":
        return (
            "cannot differentiate with respect to a function's value such as "
            "`\\sigma(z)`: name the value, e.g. define `a` as `\\sigma(z)` and write "
            "`\\frac{\\partial}{\\partial a}`"
        )
    if token.type != "NUMBER" or len(before) < 2 or before[-2].type != "BOLD":
        return ""
    return (
        "a vector of ones such as `\\mathbf{1}` is not read: write its entries, "
        "e.g. `\\sum_k x_k` for `\\mathbf{1}^T \\mathbf{x}`"
    )


def _describe(expected: set[str]) -> str:
    phrases = []
    rest = set(expected)
    if "LETTER" in rest:
        rest.discard("TOP")  # `^T` says as much as `^\top`
    if "_CARET" not in rest:
        rest.discard("MUL")  # only the `*` of `^*`: not after a whole factor
    if "MUL" in rest:
        phrases.append("an operator")
        rest -= AFTER_FACTOR | FACTOR_START
    elif "_LPAR" in rest:
        phrases.append("an expression")
        rest -= FACTOR_START | {"PLUS", "MINUS"}
    phrases += [TERMINALS[name] for name in ORDER if name in rest]
    phrases += sorted(name for name in rest if name not in TERMINALS)
    if len(phrases) == 1:
        return phrases[0]
    return ", ".join(phrases[:-1]) + " or " + phrases[-1]


def _tokens_before(text: str, stop: int, parser: lark.Lark) -> list[lark.Token]:
    found: list[lark.Token] = []
    try:
        for token in parser.lex(text):
            if (token.start_pos or 0) >= stop:
                break
            found.append(token)
    except lark.exceptions.LarkError:
        pass
    return found


def _open_brackets(tokens: list[lark.Token]) -> list[Opened]:
    stack: list[Opened] = []
    previous: lark.Token | None = None
    frac_second = ""
    for token in tokens:
        if token.type in OPENERS:
            label, first = str(token.value), False
            if token.type == "_LBRACE" and frac_second:
                label = frac_second
            elif token.type == "_LBRACE" and previous is not None:
                if previous.type in BRACE_OWNERS:
                    label = f"{previous.value}{{"
                    first = previous.type == "_FRAC"
            stack.append(Opened(label, OPENERS[token.type], first))
            frac_second = ""
        elif token.type in CLOSERS and stack:
            closed = stack.pop()
            frac_second = closed.label if closed.frac_first else ""
        else:
            frac_second = ""
        previous = token
    return stack
