r"""Words in the mathematics: function names without a backslash, and runs of letters.

Notes write ``log x`` for ``\log x``, and ``net_j`` for a name. The grammar reads a
whole word that names a function as one ``WORD`` token; :func:`function_key` says which
function it is, or why it is not one. Any other run of letters is a product of
letters, ``net`` as ``n·e·t``: :func:`check_runs` refuses one that is more likely a word
than a product, so that no verdict rests on that misreading.

- A run is three or more letters written with nothing between them (``net``, ``abc``);
  the last may carry scripts (``net_j``), the others none. ``n e t`` with spaces, or
  ``t_k y_k``, is a product as written.
- It is refused unless every one of its letters is declared in the document (an index,
  a size, a shape, a defined or declared name); and always when it spells a common word
  (:data:`WORDS`) or starts with a function's name (``sinx``, ``logy``).
"""

from __future__ import annotations

from collections.abc import Sequence

from lark import Token, Tree

from derive.errors import LatexError
from derive.model import Scope
from derive.reading.latex.nodes import Node, position, tokens

# Bare names that are functions of the reader, and what they are read as.
BUILTIN = {
    "log": r"\log",
    "ln": r"\ln",
    "exp": r"\exp",
    "sin": r"\sin",
    "cos": r"\cos",
    "tan": r"\tan",
    "sinh": r"\sinh",
    "cosh": r"\cosh",
    "tanh": r"\tanh",
    "sigmoid": r"\sigma",
}
# Words that are never a product of their letters, whatever the document declares.
WORDS = frozenset(
    """net out loss cost err error grad pred prob act sum avg mean var std cov det
    arg argmax argmin norm diag dim rank lim sup inf sgn sign input output hidden bias
    weight target label logit logits score true false and for all the with where""".split()
)
MIN_RUN = 3
FUNCTIONS = tuple(sorted(BUILTIN, key=len, reverse=True))  # `sinx` is never s·i·n·x


def function_key(word: Token, scope: Scope) -> str:
    r"""The function a bare ``word`` stands for: ``"log"`` gives ``r"\log"``.

    A name the reader has no function for (``softmax``, ``max``) is the document's
    ``\text{…}`` function of that name when it declares one.

    Raises:
        LatexError: The document declares no such function.
    """
    spelled = str(word.value)
    if spelled in BUILTIN:
        return BUILTIN[spelled]
    declared = rf"\text{{{spelled}}}"
    if declared in scope.functions:
        return declared
    if spelled in ("max", "min"):
        raise LatexError(
            f"`{spelled}` is not supported: derive does not read `{spelled}` or "
            f"`\\{spelled}`; write the case you mean",
            position(word),
        )
    raise LatexError(
        f"`{spelled}` is not a function derive knows: declare `\\text{{{spelled}}}` under "
        "[functions] or [definitions] and it is read as that",
        position(word),
    )


def check_runs(children: Sequence[Node], text: str, scope: Scope) -> None:
    """Refuse a run of letters in a product that is more likely a word than a product.

    Args:
        children: The factors of one ``product`` tree.
        text: The source, for messages.
        scope: What the document declares.

    Raises:
        LatexError: At the first such run, saying how to write a name or a product.
    """
    for run in _runs(children):
        letters = [_letter(item) for item in run]
        spelled = "".join(letters)
        everyone = all(_declared(letter, scope) for letter in letters)
        if everyone and spelled.lower() not in WORDS and not spelled.startswith(FUNCTIONS):
            continue
        written = text[run[0].meta.start_pos : run[-1].meta.end_pos]
        factors = [text[item.meta.start_pos : item.meta.end_pos] for item in run]
        name = rf"\text{{{spelled}}}"
        function = next((f for f in FUNCTIONS if spelled.startswith(f)), None)
        if function is not None:
            advice = f"write `{BUILTIN[function]} {spelled[len(function) :]}` for the function"
        elif name in scope.names or name in scope.functions:
            advice = f"write `{name}`, which the document declares"
        else:
            advice = f"write `{name}` and define it under [definitions] for a name"
        raise LatexError(
            f"`{written}` would be the product {'·'.join(factors)} of single letters; "
            f"{advice}, or `{' '.join(factors)}` with spaces for a product",
            position(run[0]),
        )


def _runs(children: Sequence[Node]) -> list[list[Tree[Token]]]:
    """The runs of at least :data:`MIN_RUN` letters written with nothing between them."""
    runs: list[list[Tree[Token]]] = []
    current: list[Tree[Token]] = []
    for child in children:
        item = child if isinstance(child, Tree) and _letter(child) else None
        joined = (
            item is not None
            and bool(current)
            and len(current[-1].children) == 1
            and current[-1].meta.end_pos == item.meta.start_pos
        )
        if item is not None and not joined:
            if len(current) >= MIN_RUN:
                runs.append(current)
            current = [item]
        elif item is not None:
            current.append(item)
        else:
            if len(current) >= MIN_RUN:
                runs.append(current)
            current = []
    if len(current) >= MIN_RUN:
        runs.append(current)
    return runs


def _letter(item: Tree[Token]) -> str:
    r"""The letter of an ``item`` that is a plain letter, with any scripts; else ``""``.

    Euler's ``e`` with a power (``x e^{x}``) is not a letter of a word.
    """
    if item.data != "item" or item.meta.empty:
        return ""
    primary = item.children[0]
    if not isinstance(primary, Tree) or primary.data != "letter":
        return ""
    letter = str(tokens(primary)[0].value)
    powered = any(isinstance(s, Tree) and s.data == "sup" for s in item.children[1:])
    return "" if letter == "e" and powered else letter


def _declared(letter: str, scope: Scope) -> bool:
    """True for a letter the document declares: an index, size, shape or name."""
    return (
        letter in scope.indices
        or letter in scope.sizes
        or letter in scope.shapes
        or letter in scope.names
        or letter in scope.functions
    )
