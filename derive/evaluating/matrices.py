"""Matrix expressions, evaluated as matrices: products, sums, transposes, Jacobians."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive import symbols
from derive.evaluating.determinants import matrix_inverse
from derive.evaluating.jets import add, mul
from derive.evaluating.points import Matrix, NotEvaluable, OutOfRange

if TYPE_CHECKING:
    from derive.evaluating.interpreter import Interpreter


def matrix_derivative(
    it: Interpreter, node: symbols.MatrixDerivative, env: Mapping[sp.Basic, Any]
) -> Matrix:
    """``∂F/∂v`` in numerator layout: entry ``(a, b)`` is ``∂F_a/∂v_b``."""
    top, var = node.args
    if isinstance(var, sp.MatrixSymbol) and var.shape[1] != 1:
        return by_matrix(it, top, var, env)
    if isinstance(var, sp.MatrixSymbol):
        n = it.integer(var.shape[0], env)
        variables = [(var.name, shaped(var, b, 1)) for b in range(1, n + 1)]
    else:
        variables = [it.variable(var, env)]
    columns = []
    for v in variables:
        d = it.differentiate(top, [v], env)
        columns.append([row[0] for row in d] if isinstance(d, tuple) else [d])
    rows = len(columns[0])
    return tuple(tuple(col[a] for col in columns) for a in range(rows))


def by_matrix(
    it: Interpreter, top: sp.Basic, var: sp.MatrixSymbol, env: Mapping[sp.Basic, Any]
) -> Matrix:
    """``∂F/∂A`` of a scalar ``F`` by a matrix ``A``: entry ``(a, b)`` is ``∂F/∂A_{ab}``."""
    rows, cols = (it.integer(d, env) for d in var.shape)

    def entry(a: int, b: int) -> Any:
        d = it.differentiate(top, [(var.name, shaped(var, a, b))], env)
        return d[0][0] if isinstance(d, tuple) else d

    return tuple(tuple(entry(a, b) for b in range(1, cols + 1)) for a in range(1, rows + 1))


# -- matrices -----------------------------------------------------------------------
def matrix(it: Interpreter, node: sp.MatrixExpr, env: Mapping[sp.Basic, Any]) -> Matrix:
    """Evaluate a matrix expression to its rows of entries."""
    if isinstance(node, sp.MatrixSymbol):
        rows, cols = (it.integer(d, env) for d in node.shape)
        return tuple(
            tuple(it.element(node.name, shaped(node, a, b)) for b in range(1, cols + 1))
            for a in range(1, rows + 1)
        )
    if isinstance(node, symbols.MatrixDerivative):
        return matrix_derivative(it, node, env)
    if isinstance(node, sp.Transpose):
        m = it.value(node.arg, env)
        return tuple(zip(*m, strict=True)) if m else m
    if isinstance(node, sp.MatMul):
        return product(it, node, env)
    if isinstance(node, sp.MatAdd):
        parts = [it.value(a, env) for a in node.args]
        return combine(parts, add)
    if isinstance(node, sp.HadamardProduct):
        parts = [it.value(a, env) for a in node.args]
        return combine(parts, mul)
    if isinstance(node, sp.HadamardPower):  # `h ⊙ h`, as SymPy folds it
        n = node.exp
        if not (n.is_Integer and n > 0):
            raise NotEvaluable(f"cannot evaluate the entrywise power {n}")
        return combine([it.value(node.base, env)] * int(n), mul)
    if isinstance(node, DiagMatrix):
        v = it.value(node.args[0], env)
        n = len(v)
        return tuple(tuple(v[a][0] if a == b else it.zero for b in range(n)) for a in range(n))
    if isinstance(node, sp.OneMatrix | sp.ZeroMatrix | sp.Identity):
        rows, cols = (it.integer(d, env) for d in node.shape)
        fill = it.one if isinstance(node, sp.OneMatrix) else it.zero
        return tuple(
            tuple(it.one if isinstance(node, sp.Identity) and a == b else fill for b in range(cols))
            for a in range(rows)
        )
    if isinstance(node, symbols.Elementwise):
        m = it.value(node.args[1], env)
        function = node.function
        return tuple(tuple(it.apply(function, x) for x in row) for row in m)
    if isinstance(node, symbols.Inverse):
        return matrix_inverse(it.value(node.arg, env), it.zero, it.ctx.dps)
    raise NotEvaluable(f"cannot evaluate the matrix {type(node).__name__}")


def product(it: Interpreter, node: sp.MatMul, env: Mapping[sp.Basic, Any]) -> Matrix:
    """A matrix product, with its scalar factors."""
    coeff: Any = it.one
    result: Matrix | None = None
    for factor in node.args:
        if not isinstance(factor, sp.MatrixExpr):
            coeff = mul(coeff, it.value(factor, env))
            continue
        m = it.value(factor, env)
        result = m if result is None else matmul(result, m, it.zero)
    assert result is not None
    return tuple(tuple(mul(coeff, x) for x in row) for row in result)


def shaped(node: sp.MatrixSymbol, row: int, col: int) -> tuple[int, ...]:
    """The subscripts of entry ``(row, col)`` of a shaped name: one per dimension not 1."""
    rows, cols = node.shape
    return tuple(i for i, d in ((row, rows), (col, cols)) if d != 1)


def entry_at(matrix: Matrix, ints: tuple[int, ...], name: str) -> Any:
    """Entry ``ints`` of a matrix value: ``(a, b)``, ``(a)`` of a column or row, or ``()``."""
    rows, cols = len(matrix), len(matrix[0]) if matrix else 0
    if len(ints) == 2:
        a, b = ints
    elif len(ints) == 1:
        a, b = (ints[0], 1) if cols == 1 else (1, ints[0])
    elif not ints:
        a, b = 1, 1
    else:
        raise NotEvaluable(f"`{name}` takes at most two subscripts")
    if not (1 <= a <= rows and 1 <= b <= cols):
        raise OutOfRange(f"{name}{list(ints)} is outside its {rows}×{cols} shape")
    return matrix[a - 1][b - 1]


def matmul(a: Matrix, b: Matrix, zero: Any) -> Matrix:
    """The matrix product of two evaluated matrices."""
    if len(a[0]) != len(b):
        raise NotEvaluable("matrix shapes do not fit")
    out = []
    for row in a:
        line = []
        for col in zip(*b, strict=True):
            total = zero
            for x, y in zip(row, col, strict=True):
                total = add(total, mul(x, y))
            line.append(total)
        out.append(tuple(line))
    return tuple(out)


def combine(parts: list[Any], op: Callable[[Any, Any], Any]) -> Matrix:
    """Entry by entry ``op`` over matrices of one shape."""
    first = parts[0]
    out = [list(row) for row in first]
    for m in parts[1:]:
        if len(m) != len(out) or len(m[0]) != len(out[0]):
            raise NotEvaluable("matrix shapes do not fit")
        for a, row in enumerate(m):
            for b, x in enumerate(row):
                out[a][b] = op(out[a][b], x)
    return tuple(tuple(row) for row in out)


def map_values(value: Any, f: Callable[[Any], Any]) -> Any:
    """``f`` on a value, or on every entry of a matrix."""
    if isinstance(value, tuple):
        return tuple(tuple(f(x) for x in row) for row in value)
    return f(value)


# -- the handlers, by SymPy class -------------------------------------------------------
