"""The lark LALR parser for ``grammar.lark``, built once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import lark

from derive.errors import LatexError
from derive.reading.latex.bars import mark_bars
from derive.reading.latex.decorations import blank_labels
from derive.reading.latex.diagnose import diagnose, end_position
from derive.reading.latex.norms import mark_norms

GRAMMAR = Path(__file__).with_name("grammar.lark")
STARTS = ("expression", "relation")


def build_parser(*, debug: bool = False, cache: bool = True) -> lark.Lark:
    """Build the LALR parser from ``grammar.lark``.

    Args:
        debug: Log grammar conflicts as warnings (the tests use it to prove there are none).
        cache: Let lark keep the built tables in a temporary file between processes.

    Returns:
        A parser whose start rules are ``expression`` and ``relation``.
    """
    return lark.Lark(
        GRAMMAR.read_text(encoding="utf-8"),
        parser="lalr",
        lexer="basic",
        start=list(STARTS),
        propagate_positions=True,
        cache=cache,
        debug=debug,
    )


@functools.cache
def parser() -> lark.Lark:
    """Return the process-wide parser, building it on first use.

    Built from no input, so not a :mod:`derive.memo` memo, and not cleared with them.
    """
    return build_parser()


def parse_tree(text: str, start: str) -> lark.Tree[lark.Token]:
    """Parse ``text`` from the rule ``start``; syntax errors become :class:`LatexError`.

    Args:
        text: The LaTeX source.
        start: ``"expression"`` or ``"relation"``.

    Returns:
        The parse tree.

    Raises:
        LatexError: The text is not in the grammar; the position is the offending token.
    """
    text = blank_labels(text)  # the labels of `\underbrace`, column for column
    text = mark_norms(text)  # `\|x\|`: which bar opens, which closes
    text = mark_bars(text)  # which plain `|` opens and which closes, column for column
    try:
        return parser().parse(text, start=start)
    except lark.exceptions.UnexpectedInput as err:
        raise diagnose(text, err, parser(), start) from None
    except lark.exceptions.LarkError as err:  # pragma: no cover - lark internals
        raise LatexError(f"cannot read the expression: {err}", end_position(text)) from None
