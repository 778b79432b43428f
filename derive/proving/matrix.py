"""Matrix-form statements lowered to index form, entry by entry.

``(y − t)^T W2`` is a 1×H row; its entry ``(1, v)`` is ``Σ_k (y_k − t_k) W2_{kv}``.
The rules, for entry ``(a, b)``:

==============================  ==============================================
``M`` (a declared shape)        ``M_{ab}``; a column vector ``v_a``; 1×1 a scalar
``A^T``                         ``A_{ba}``
``A B``                         ``Σ_m A_{am} B_{mb}`` (no sum over a size of 1)
``A + B``, ``A ⊙ B``            ``A_{ab} + B_{ab}``, ``A_{ab} B_{ab}``
``A ⊙ A`` (HadamardPower)       ``A_{ab}^2``
``diag(v)``                     ``v_a δ_{ab}``
``1`` broadcast (OneMatrix)     ``1``
``f(M)`` elementwise            ``f(M_{ab})``
``∂F/∂v`` (numerator layout)    ``∂F_a/∂v_b`` (``∂F/∂v_b`` for a scalar ``F``)
``∂F/∂A`` (a matrix ``A``)       ``∂F/∂A_{ab}`` (denominator layout)
``M^{-1}``                      entry ``(a, b)`` of the inverse of ``(p, q) ↦ M_{pq}``
``det M`` (a scalar)            ``det`` of ``(p, q) ↦ M_{pq}`` (:func:`square_form`)
==============================  ==============================================
"""

from __future__ import annotations

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive import symbols
from derive.symbols import Elementwise, MatrixDerivative


class NotMatrix(Exception):
    """A matrix construct the lowering does not know."""


def lower(expr: sp.Basic, row: sp.Basic, col: sp.Basic) -> sp.Expr:
    """Return entry ``(row, col)`` of the matrix expression ``expr`` in index form."""
    if not isinstance(expr, sp.MatrixExpr):
        return expr
    if isinstance(expr, sp.MatrixSymbol):
        return element(expr, row, col)
    if isinstance(expr, sp.Transpose):
        return lower(expr.arg, col, row)
    if isinstance(expr, sp.MatMul):
        return product(expr, row, col)
    if isinstance(expr, sp.MatAdd):
        return sp.Add(*[lower(a, row, col) for a in expr.args])
    if isinstance(expr, sp.HadamardProduct):
        return sp.Mul(*[lower(a, row, col) for a in expr.args])
    if isinstance(expr, sp.HadamardPower):  # `h ⊙ h`, as SymPy folds it
        return lower(expr.base, row, col) ** expr.exp
    if isinstance(expr, DiagMatrix):
        return lower(expr.args[0], row, sp.S.One) * sp.KroneckerDelta(row, col)
    if isinstance(expr, sp.OneMatrix):
        return sp.S.One
    if isinstance(expr, sp.ZeroMatrix):
        return sp.S.Zero
    if isinstance(expr, sp.Identity):
        return sp.KroneckerDelta(row, col)
    if isinstance(expr, Elementwise):
        return expr.function(lower(expr.args[1], row, col))
    if isinstance(expr, MatrixDerivative):
        numerator, var = expr.args
        top = lower(numerator, row, sp.S.One) if isinstance(numerator, sp.MatrixExpr) else numerator
        if symbols.by_matrix(var):  # a scalar by a matrix: the shape of the matrix
            top = lower(numerator, sp.S.One, sp.S.One)
            return sp.Derivative(top, lower(var, row, col), evaluate=False)
        return sp.Derivative(top, lower(var, col, sp.S.One), evaluate=False)
    if isinstance(expr, symbols.Inverse):
        return square_form(expr.arg, row, col)
    raise NotMatrix(f"cannot take entries of {type(expr).__name__}")


def square_form(matrix: sp.MatrixExpr, *at: sp.Basic) -> sp.Expr:
    """``det`` of a square ``matrix`` in index form, or entry ``at`` of its inverse."""
    p = sp.Dummy("p", integer=True, positive=True)
    q = sp.Dummy("q", integer=True, positive=True)
    entry, size = lower(matrix, p, q), matrix.shape[0]
    if at:
        return symbols.InverseEntry(entry, p, q, size, *at)
    return symbols.Determinant(entry, p, q, size)


def element(matrix: sp.MatrixSymbol, row: sp.Basic, col: sp.Basic) -> sp.Expr:
    """Entry of a declared matrix: ``W_{ab}``, a vector's ``v_a``, a row's ``v_b``."""
    rows, cols = matrix.shape
    base = symbols.tensor(matrix.name)
    if rows == 1 and cols == 1:
        return symbols.scalar(matrix.name)
    if cols == 1:
        return base[row]
    if rows == 1:
        return base[col]
    return base[row, col]


def product(expr: sp.MatMul, row: sp.Basic, col: sp.Basic) -> sp.Expr:
    """``Σ_m A_{am} B_{mb}``, chained, with scalar factors pulled out."""
    scalars = [a for a in expr.args if not isinstance(a, sp.MatrixExpr)]
    matrices = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
    limits: list[tuple[sp.Basic, sp.Basic, sp.Basic]] = []
    left = row
    terms = []
    for position, factor in enumerate(matrices):
        if position == len(matrices) - 1:
            right = col
        elif factor.shape[1] == 1:
            right = sp.S.One
        else:
            right = sp.Dummy(f"m{len(limits) + 1}", integer=True, positive=True)
            limits.append((right, sp.S.One, factor.shape[1]))
        terms.append(lower(factor, left, right))
        left = right
    body = sp.Mul(*scalars, *terms)
    return sp.Sum(body, *limits) if limits else body


def shape_of(expr: sp.Basic) -> tuple[sp.Expr, sp.Expr] | None:
    """The shape of a matrix expression, ``None`` for a scalar."""
    if not isinstance(expr, sp.MatrixExpr):
        return None
    rows, cols = expr.shape
    return rows, cols
