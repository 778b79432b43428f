r"""Norms: ``\|x\|``, ``\|x\|_2^2``, ``\lVert x \rVert``, ``\left\| … \right\|``, ``\|W\|_F``.

``\|`` opens and closes a norm alike, which an LALR grammar cannot pair, so before
lexing :func:`mark_norms` pairs them, left to right within one brace group, and writes
each as ``⟪`` (opening) or ``⟫`` (closing) followed by spaces, column for column. The
grammar reads ``⟪ expr ⟫`` and ``\lVert expr \rVert`` as one primary.

Meaning, for a column or row ``v`` and a matrix ``W``:

=====================  ===============================  ==================================
written                read as                          refused
=====================  ===============================  ==================================
``\|v\|``, ``\|v\|_2``  ``\sqrt{v^T v}``                 a scalar (write ``|x|``)
``\|W\|_F``            ``\sqrt{\sum_{a,b} W_{ab}^2}``   ``\|W\|``, ``\|W\|_2`` (spectral)
``\|v\|_1``            ``\sum_a |v_a|``                 ``\|W\|_1``, any other subscript
=====================  ===============================  ==================================
"""

from __future__ import annotations

import re
from typing import Any

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError
from derive.reading.latex.nodes import Node, position, source, subtrees

BAR = re.compile(
    r"\\left\s*(\\\||\\Vert(?![a-zA-Z]))|\\right\s*(\\\||\\Vert(?![a-zA-Z]))|\\\||\\Vert(?![a-zA-Z])|[{}]"
)
OPEN, CLOSE = "⟪", "⟫"


def mark_norms(text: str) -> str:
    r"""Return ``text`` with each ``\|`` (or ``\Vert``) written as an opening or closing mark.

    Within one brace group the bars pair left to right; ``\left\|`` always opens and
    ``\right\|`` always closes. The text keeps its length, so positions stay right.
    """
    chars = list(text)
    depth, open_at = 0, [False]
    for match in BAR.finditer(text):
        written = match.group(0)
        if written in "{}":
            depth += 1 if written == "{" else -1
            depth = max(depth, 0)
            open_at[depth + 1 :] = []
            open_at.extend([False] * (depth + 1 - len(open_at)))
            continue
        bar = match.group(1) or match.group(2) or written
        start = match.end() - len(bar)
        opening = match.group(1) is not None or (match.group(2) is None and not open_at[depth])
        open_at[depth] = opening
        chars[start : match.end()] = [OPEN if opening else CLOSE] + [" "] * (len(bar) - 1)
    return "".join(chars)


def norm_kind(reader: Any, subs: list[Tree[Token]]) -> str:
    """The norm's subscript, ``""``, ``"2"`` or ``"F"``; any other is refused."""
    if not subs:
        return ""
    if len(subs) > 1:
        raise LatexError("double subscript on a norm", position(subs[1]))
    inner = subs[0].children[0]
    written = source(reader.text, inner).strip().strip("{}").strip()
    if written in ("1", "2", "F"):
        return written
    raise LatexError(
        f"unsupported norm `_{{{written}}}`: derive reads `\\|x\\|`, `\\|x\\|_1`, `\\|x\\|_2` "
        "and `\\|W\\|_F`",
        position(subs[0]),
    )


def squared_norm(value: Any, kind: str, written: str, where: Node) -> sp.Expr:
    """The norm of ``value``, squared: ``v^T v`` of a vector, a matrix's sum of squares."""
    shape = value.shape if isinstance(value, sp.MatrixExpr) else None
    if shape is None:
        raise LatexError(
            f"`\\|{written}\\|` of a scalar: write `|{written}|` for its absolute value, or "
            f"declare `{written}` under [shapes]",
            position(where),
        )
    rows, cols = shape
    if cols == 1 and kind in ("", "2"):
        return symbols.Entry(sp.MatMul(sp.Transpose(value), value), sp.S.One, sp.S.One)
    if rows == 1 and kind in ("", "2"):
        return symbols.Entry(sp.MatMul(value, sp.Transpose(value)), sp.S.One, sp.S.One)
    if kind != "F":
        raise LatexError(
            f"`{written}` is a matrix ({rows} x {cols}): its norm could be the spectral or "
            f"the Frobenius norm; write `\\|{written}\\|_F` for the Frobenius norm",
            position(where),
        )
    a = sp.Dummy("nr1", integer=True, positive=True)
    b = sp.Dummy("nr2", integer=True, positive=True)
    return sp.Sum(symbols.Entry(value, a, b) ** 2, (a, 1, rows), (b, 1, cols))


def absolute_sum(value: Any, written: str, where: Node) -> sp.Expr:
    r"""``\|v\|_1`` of a column or row ``v``: the sum of its entries' absolute values."""
    shape = value.shape if isinstance(value, sp.MatrixExpr) else None
    if shape is None or 1 not in shape:
        what = "a scalar" if shape is None else f"a matrix ({shape[0]} x {shape[1]})"
        raise LatexError(
            f"`\\|{written}\\|_1` of {what}: derive reads the 1-norm of a column, "
            f"`\\|x\\|_1`; write the sum of absolute values, `\\sum_i |x_i|`",
            position(where),
        )
    a = sp.Dummy("nr1", integer=True, positive=True)
    rows, cols = shape
    entry = symbols.Entry(value, a, sp.S.One) if cols == 1 else symbols.Entry(value, sp.S.One, a)
    return sp.Sum(sp.Abs(entry), (a, 1, rows if cols == 1 else cols))


def read_norm(reader: Any, item: Tree[Token], scripts: list[Node]) -> Any:
    r"""The value of ``\|x\|`` with its subscript and power: ``\|x\|_2^2`` is ``x^T x``."""
    primary = item.children[0]
    assert isinstance(primary, Tree)
    subs = [s for s in scripts if isinstance(s, Tree) and s.data == "sub"]
    rest = [s for s in scripts if not (isinstance(s, Tree) and s.data == "sub")]
    kind = norm_kind(reader, subs)
    inner = subtrees(primary)[0]
    value = reader.value(inner)
    if kind == "1":
        norm1 = absolute_sum(value, source(reader.text, inner).strip(), primary)
        power1 = reader.power(item, rest)
        written = source(reader.text, primary)
        return norm1 if power1 is None else reader.raised(norm1, power1, written, item)
    squared = squared_norm(value, kind, source(reader.text, inner).strip(), primary)
    power = reader.power(item, rest)
    if power is not None and power.expr == 2:
        return squared
    norm = sp.sqrt(squared)
    return norm if power is None else reader.raised(norm, power, source(reader.text, primary), item)
