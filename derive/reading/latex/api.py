"""The three entry points: an expression, a relation, the head of a definition."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import sympy as sp
from lark import Token, Tree

from derive.errors import DeriveError, LatexError, Position
from derive.model import Requirement, Scope
from derive.reading.latex.head import read_head
from derive.reading.latex.nodes import Node
from derive.reading.latex.parser import parse_tree
from derive.reading.latex.samples import sample_prefixes
from derive.reading.latex.shapes import Unsized, requirements, unsized_error
from derive.reading.latex.transform import Reader

T = TypeVar("T")
RELATIONS = {
    "=": "=",
    "<": "<",
    ">": ">",
    r"\lt": "<",
    r"\gt": ">",
    r"\ne": "!=",
    r"\neq": "!=",
    r"\le": "<=",
    r"\leq": "<=",
    r"\leqslant": "<=",
    r"\ge": ">=",
    r"\geq": ">=",
    r"\geqslant": ">=",
}


def parse_expression(
    text: str,
    scope: Scope,
    written: list[Requirement] | None = None,
    notes: list[str] | None = None,
) -> sp.Expr:
    r"""Read a LaTeX expression into SymPy.

    Names in ``scope.shapes`` make matrix expressions (``MatMul``, ``MatAdd``,
    ``Transpose``, ``HadamardProduct``, ``DiagMatrix``, ``Elementwise``,
    ``MatrixDerivative``), whose shapes are checked here.

    Args:
        text: LaTeX without ``$`` delimiters, e.g. ``r"\frac{e^{z_k}}{\sum_i e^{z_i}}"``.
        scope: The indices, sizes, names and functions the expression may use.
        written: If given, receives what the expression needs to be real as written.
        notes: If given, receives how the text was read where it was not as written,
            e.g. ``"read `log` as `\log`"`` for a name written without its backslash.

    Returns:
        The expression, built with :mod:`derive.symbols`.

    Raises:
        LatexError: A syntax error, an unsupported construct or a shape mismatch
            (position within ``text``).
        UnknownNameError: An undeclared index or undefined ``\text`` name.

    >>> from derive.reading.latex import Scope, parse_expression
    >>> parse_expression(r"\sum_k t_k", Scope({"k": "K"}, frozenset({"K"})))
    Sum(t[k], (k, 1, K))
    """

    def build() -> sp.Expr:
        value = Reader(text, scope, notes).value(_expression(text, scope))
        if isinstance(value, Unsized):
            raise unsized_error(Position("", 1, 1))
        return value

    return _guard(build, written)


def parse_relation(
    text: str,
    scope: Scope,
    written: list[Requirement] | None = None,
    notes: list[str] | None = None,
) -> tuple[sp.Expr, str, sp.Expr]:
    r"""Read ``left op right`` where op is ``=``, ``\neq``, ``<``, ``\leq``, ``>`` or ``\geq``.

    ``written`` and ``notes`` are as for :func:`parse_expression`.

    Returns:
        ``(left, op, right)`` with op one of ``"="``, ``"!="``, ``"<"``, ``"<="``,
        ``">"``, ``">="``.

    Raises:
        LatexError: As :func:`parse_expression`, no relation / more than one, or two
            sides of different shapes (a scalar against a matrix included).
        UnknownNameError: As :func:`parse_expression`.
    """

    def build() -> tuple[sp.Expr, str, sp.Expr]:
        tree = sample_prefixes(parse_tree(text, "relation"), scope)
        assert isinstance(tree, Tree)
        left, relation, right = tree.children
        assert isinstance(relation, Token)
        op = RELATIONS.get(str(relation), "!=")  # the rest are spellings of `\not=`
        a, b = Reader(text, scope, notes).relation(left, relation, right)
        return a, op, b

    return _guard(build, written)


def locate_use(text: str, scope: Scope, target: sp.Basic) -> Position | None:
    r"""Where ``text`` first writes ``target``; ``None`` when it cannot be found.

    ``target`` is a name's value, or ``Tuple(k, upper)`` for the range of a sum over
    ``k``. The text is read again with the names recorded as they are met: meaning errors
    are found on the values, and placed with this.
    """
    for start in ("expression", "relation"):
        reader = Reader(text, scope)
        try:
            tree = sample_prefixes(parse_tree(text, start), scope)
            if start == "relation":
                assert isinstance(tree, Tree)
                left, relation, right = tree.children
                assert isinstance(relation, Token)
                reader.relation(left, relation, right)
            else:
                assert isinstance(tree, Tree)
                reader.value(tree.children[0])
        except Exception:
            pass
        for value, where in reader.uses:
            if value == target:
                return where
    return None


def parse_head(text: str, scope: Scope) -> tuple[str, tuple[sp.Basic, ...]]:
    r"""Read the left side of a definition.

    Returns:
        The key being defined and its parameters: ``"y_k"`` gives ``("y", (k,))``;
        ``r"\text{soft}(\mathbf{z}, j)"`` gives ``(r"\text{soft}", (tensor("z"), j))``.

    Raises:
        LatexError: The text is not a name, an element or a function of names.
        UnknownNameError: A subscript letter is not a declared index.
    """
    return _guard(lambda: read_head(text, scope, _expression(text, scope)))


def _expression(text: str, scope: Scope) -> Node:
    """The tree of an expression, ``r_{z_j}`` read as ``{}^r z_j``."""
    return sample_prefixes(parse_tree(text, "expression").children[0], scope)


def _guard(build: Callable[[], T], written: list[Requirement] | None = None) -> T:
    """Run ``build``; any failure that is not already a DeriveError becomes a LatexError.

    ``written``, when given, receives what the expression needs to be real as written
    (each root's radicand ≥ 0, each logarithm's argument > 0, each divisor ≠ 0).
    """
    try:
        if written is None:
            return build()
        with requirements() as found:
            value = build()
        written.extend(found)
        return value
    except DeriveError:
        raise
    except RecursionError:
        raise LatexError("the expression is nested too deeply", Position("", 1, 1)) from None
    except Exception as err:  # SymPy may refuse a construct the grammar lets through.
        raise LatexError(
            f"cannot build the expression ({type(err).__name__}: {err})", Position("", 1, 1)
        ) from None
