r"""Matrix operands, their shapes, and the matrix algebra the parser builds, checked.

A name listed in ``Scope.shapes`` and written without a subscript is a ``MatrixSymbol``
(a vector is a column). SymPy builds ``MatMul(W, z)`` for a ``K x H`` times a ``K x 1``
without complaint when the sizes are symbols, so every operation on operands goes
through this module, which compares shapes structurally (``H == H`` as symbols) and
names both operands when they do not fit. A scalar is not a 1 x 1 matrix: ``1 - y``
broadcasts the 1 over ``y``'s shape, and a scalar side against a matrix side of a
relation is a mismatch.

Matrix results are built with ``evaluate=True`` for ``MatMul``/``MatAdd`` (flattened,
scalar factors gathered, what ``W * x`` and ``y - t`` give), and unevaluated for
``Transpose``, ``HadamardProduct`` and ``DiagMatrix`` (kept as written).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

import sympy as sp
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive import symbols
from derive.errors import LatexError, Position
from derive.model import Requirement, Scope

Shape = tuple[sp.Expr, sp.Expr]
POSITIVE, NONNEGATIVE, NONZERO = "> 0", "≥ 0", "≠ 0"
# What the expression being read needs to be real, as written: SymPy simplifies
# (x^{1/3})^3 to x and x/x to 1, and the condition would be lost.
_WRITTEN: ContextVar[list[Requirement] | None] = ContextVar("written", default=None)


@contextmanager
def requirements() -> Iterator[list[Requirement]]:
    """Collect, while reading, what each root, logarithm and quotient needs."""
    found: list[Requirement] = []
    token = _WRITTEN.set(found)
    try:
        yield found
    finally:
        _WRITTEN.reset(token)


def require(expr: Any, relation: str) -> None:
    """Note that ``expr`` must be ``relation`` (not for a number: that is checked as read)."""
    found = _WRITTEN.get()
    if found is not None and isinstance(expr, sp.Expr) and not expr.is_number:
        found.append((expr, relation, ()))


def mark() -> int:
    """Where the requirements read from here on start (for :func:`inside`)."""
    found = _WRITTEN.get()
    return 0 if found is None else len(found)


def inside(start: int, ranges: Any, excluded: Any) -> None:
    """The requirements read since ``start`` sit in a sum over ``ranges``."""
    found = _WRITTEN.get()
    if found is None:
        return
    over = tuple((var, lo, hi, tuple(excluded)) for var, lo, hi in ranges)
    found[start:] = [(e, r, (*over, *s)) for e, r, s in found[start:]]


TRANSPOSE = symbols.scalar(r"\top")  # the exponent of `^\top`
VIEW_HINT = r"use it as the argument of a function, e.g. `\text{soft}(…, j)`"
# SymPy computes powers of plain numbers exactly; beyond this many bits (about 3,000
# digits) the number is surely a typo, computing it could hang, and Python would not
# print it.
MAX_BITS = 10_000


IDENTITY_NAMES = ("I", r"\mathbf{I}")


@dataclass(frozen=True)
class Unsized:
    """``c I``: the identity matrix times a scalar, sized by what it meets (``A + λI``)."""

    coeff: sp.Expr


def unsized_error(where: Position) -> LatexError:
    """The identity met nothing that gives it a size."""
    return LatexError(
        "the identity matrix `I` takes its size from the matrix it is added to or multiplies; "
        "here it has none: write `I_D` with its size `D` (for a scalar named `I`, list it "
        "under `names = ['I']`)",
        where,
    )


def identity(key: str, indices: tuple[sp.Basic, ...] | None, scope: Scope) -> Any:
    r"""``I`` (``\mathbf{I}``) undeclared in a document with [shapes]: the identity matrix.

    ``I_D`` with a size ``D`` is sized; plain ``I`` is sized by what it meets. None when
    ``I`` is the document's own (declared, defined, listed under ``names``).
    """
    if key not in IDENTITY_NAMES or not scope.shapes:
        return None
    declared = (scope.sizes, scope.indices, scope.names, scope.functions, scope.shapes)
    if any(key in table for table in declared):
        return None
    if indices is None:
        return Unsized(sp.S.One)
    if len(indices) == 1 and str(indices[0]) in scope.sizes:
        return sp.Identity(indices[0])
    return None


def sized(value: Any, shape: Shape | None, where: Position) -> Any:
    """``c I`` as the square matrix of ``shape``; any other value as it is."""
    if not isinstance(value, Unsized):
        return value
    if shape is None or shape[0] != shape[1]:
        raise unsized_error(where)
    return sp.MatMul(value.coeff, sp.Identity(shape[0]), evaluate=True)


@dataclass(frozen=True)
class Operand:
    """A value with the text it was written as and where it starts, for messages."""

    expr: Any  # a SymPy scalar, matrix expression or VectorView
    written: str
    where: Position


def matrix(key: str, scope: Scope) -> sp.MatrixSymbol:
    """Return the matrix a shaped name stands for, ``MatrixSymbol(key, rows, cols)``."""
    rows, cols = scope.shapes[key]
    return sp.MatrixSymbol(key, _dimension(rows), _dimension(cols))


def _dimension(name: str) -> sp.Expr:
    return sp.Integer(1) if name == "1" else symbols.size(name)


def shape_of(expr: object) -> Shape | None:
    """Return ``(rows, cols)`` of a matrix expression, or None for a scalar."""
    return tuple(expr.shape) if isinstance(expr, sp.MatrixExpr) else None


def describe(expr: object) -> str:
    """Say what ``expr`` is in a message: ``"H x N"`` or ``"a scalar"``."""
    shape = shape_of(expr)
    return "a scalar" if shape is None else f"{shape[0]} x {shape[1]}"


def indices_wanted(key: str, scope: Scope) -> int:
    """Return how many subscript indices an element of a shaped name takes."""
    return sum(1 for d in scope.shapes[key] if d != "1")


def plain(operand: Operand) -> Any:
    """Return the operand's value; a whole-vector view is only a function's argument."""
    if isinstance(operand.expr, Unsized):
        raise unsized_error(operand.where)
    if isinstance(operand.expr, symbols.VectorView):
        raise LatexError(f"`{operand.written}` is a whole vector: {VIEW_HINT}", operand.where)
    return operand.expr


def scalar(operand: Operand, context: str) -> sp.Expr:
    """Return the operand's value, which must be a scalar (``context`` says why)."""
    value = plain(operand)
    if shape_of(value) is not None:
        raise LatexError(
            f"`{operand.written}` is a matrix ({describe(value)}); {context}", operand.where
        )
    return value


def _mismatch(left: Operand, right: Operand, why: str, where: Position) -> LatexError:
    return LatexError(
        f"shape mismatch: `{left.written}` is {describe(left.expr)} but `{right.written}` "
        f"is {describe(right.expr)}; {why}",
        where,
    )


def add(left: Operand, right: Operand, sign: str, where: Position) -> Any:
    """Return ``left + right`` (or ``-``); a scalar beside a matrix is broadcast."""
    if isinstance(left.expr, Unsized) and isinstance(right.expr, Unsized):
        coeff = right.expr.coeff if sign == "+" else -right.expr.coeff
        return Unsized(left.expr.coeff + coeff)
    if isinstance(left.expr, Unsized):
        left = Operand(sized(left.expr, shape_of(right.expr), left.where), left.written, left.where)
    if isinstance(right.expr, Unsized):
        value = sized(right.expr, shape_of(left.expr), right.where)
        right = Operand(value, right.written, right.where)
    a, b = plain(left), plain(right)
    shape_a, shape_b = shape_of(a), shape_of(b)
    if shape_a is None and shape_b is None:
        return a + b if sign == "+" else a - b
    if shape_a is not None and shape_b is not None and shape_a != shape_b:
        raise _mismatch(left, right, f"`{sign}` needs both sides the same shape", where)
    if shape_a is None:
        assert shape_b is not None
        a = _broadcast(a, shape_b)
    if shape_b is None:
        assert shape_a is not None
        b = _broadcast(b, shape_a)
    if sign == "-":
        b = sp.MatMul(-1, b, evaluate=True)
    return sp.MatAdd(a, b, evaluate=True)


def _broadcast(value: sp.Expr, shape: Shape) -> sp.MatrixExpr:
    ones = sp.OneMatrix(*shape)
    return ones if value == 1 else sp.MatMul(value, ones, evaluate=True)


def negate(operand: Operand) -> Any:
    """Return ``-operand``."""
    if isinstance(operand.expr, Unsized):
        return Unsized(-operand.expr.coeff)
    value = plain(operand)
    return -value if shape_of(value) is None else sp.MatMul(-1, value, evaluate=True)


def product(left: Operand, right: Operand, op: str, where: Position) -> Any:
    r"""Return ``left op right``; ``op`` is ``""`` (juxtaposition) or the operator written.

    Two matrices multiply as matrices under juxtaposition, ``\cdot`` and ``\times``,
    entry by entry under ``\odot`` and ``*``; ``/`` divides by a scalar. The identity
    ``I`` takes the size that fits the other factor.
    """
    if isinstance(left.expr, Unsized) or isinstance(right.expr, Unsized):
        return _times_identity(left, right, op, where)
    a, b = plain(left), plain(right)
    shape_a, shape_b = shape_of(a), shape_of(b)
    if op == "/":
        return _divide(left, right)
    if shape_a is None and shape_b is None:
        return a * b
    if op == r"\odot" or (op == "*" and shape_a is not None and shape_b is not None):
        if shape_a != shape_b:
            raise _mismatch(left, right, f"`{op}` needs both sides the same shape", where)
        return sp.HadamardProduct(*_factors_of(a), *_factors_of(b))
    if shape_a is not None and shape_b is not None and shape_a[1] != shape_b[0]:
        why = (
            f"a product needs the columns of the left ({shape_a[1]}) to equal the rows "
            f"of the right ({shape_b[0]})"
        )
        raise _mismatch(left, right, why + _product_hint(shape_a, shape_b), where)
    return sp.MatMul(a, b, evaluate=True)


def _times_identity(left: Operand, right: Operand, op: str, where: Position) -> Any:
    """``c I`` times a scalar (still unsized) or a matrix (sized to fit, as ``I A = A``)."""
    if isinstance(left.expr, Unsized) and isinstance(right.expr, Unsized) and op == "":
        return Unsized(left.expr.coeff * right.expr.coeff)
    if op not in ("", r"\cdot", r"\times", "/"):
        raise unsized_error(where)
    for one, other in ((left, right), (right, left)):
        if not isinstance(one.expr, Unsized) or isinstance(other.expr, Unsized):
            continue
        value = plain(other)
        shape = shape_of(value)
        if shape is None:
            if op == "/" and one is left:
                require(value, NONZERO)
                return Unsized(one.expr.coeff / value)
            if op == "/":
                raise unsized_error(where)
            return Unsized(one.expr.coeff * value)
        if op == "/":
            raise unsized_error(where)
        side = shape[0] if one is left else shape[1]
        identity = sp.MatMul(one.expr.coeff, sp.Identity(side), evaluate=True)
        pair = (identity, value) if one is left else (value, identity)
        return sp.MatMul(*pair, evaluate=True)
    raise unsized_error(where)


def _factors_of(value: sp.MatrixExpr) -> tuple[sp.MatrixExpr, ...]:
    return tuple(value.args) if isinstance(value, sp.HadamardProduct) else (value,)


def _product_hint(left: Shape, right: Shape) -> str:
    if left == right and left[1] == 1:
        return r"; for an inner product write `u^T v`, for entrywise `u \odot v`"
    if left[1] == right[1]:
        return "; transpose the right operand, `(…)^T`?"
    if left[0] == right[0]:
        return "; transpose the left operand, `(…)^T`?"
    return ""


def _divide(left: Operand, right: Operand) -> Any:
    a, b = plain(left), plain(right)
    if shape_of(b) is not None:
        raise LatexError(
            f"cannot divide by the matrix `{right.written}` ({describe(b)})", right.where
        )
    require(b, NONZERO)
    if shape_of(a) is None:
        return a / b
    return sp.MatMul(1 / b, a, evaluate=True)


def power(base: Operand, exponent: Operand) -> Any:
    r"""Return ``base ^ exponent``; on a matrix the only power is ``^T`` (``^\top``).

    Raises:
        LatexError: A power of a matrix other than the transpose, ``^\top`` on a
            scalar, a matrix exponent, or an exact power too large to compute.
    """
    value, exp = plain(base), plain(exponent)
    if shape_of(exp) is not None and not _is_transpose(exp):
        raise LatexError(
            f"the exponent `{exponent.written}` is a matrix ({describe(exp)}); an exponent "
            "is a scalar (entry by entry: `\\exp(…)`)",
            exponent.where,
        )
    if shape_of(value) is not None:
        return matrix_power(base, value, exp, exponent)
    if exp in (TRANSPOSE, -TRANSPOSE):
        what = "`^\\top` transposes" if exp == TRANSPOSE else "`^{-\\top}` inverts and transposes"
        raise LatexError(f"{what} a matrix, but `{base.written}` is a scalar", exponent.where)
    if exp.is_number and not exp.is_integer:
        require(value, NONNEGATIVE if exp.is_positive else POSITIVE)
    elif exp.is_number and exp.is_negative:
        require(value, NONZERO)
    elif not exp.is_number and not exp.is_integer:
        require(value, POSITIVE)
    if isinstance(value, sp.Rational) and isinstance(exp, sp.Integer):
        bits = max(abs(value.p).bit_length(), abs(value.q).bit_length(), 1)
        if bits * abs(int(exp)) > MAX_BITS:
            raise LatexError("number too large: the exact power would not fit", base.where)
    return symbols.real_or_marker(value**exp, f"{base.written}^{{{exponent.written}}}")


def matrix_power(base: Operand, value: Any, exp: Any, exponent: Operand) -> Any:
    r"""``A^T``, ``A^{-1}``, ``A^{-T}`` (``A^{-\top}``) of a matrix; any other power is refused."""
    if _is_transpose(exp):
        return sp.Transpose(value)
    inverse = exp == -1
    if not inverse and not (_is_transpose(-exp) and isinstance(exp, sp.Mul)):
        raise LatexError(
            f"unsupported power of the matrix `{base.written}` ({describe(value)}): "
            "the only ones are the transpose `^T`, the inverse `^{-1}` and `^{-T}`",
            exponent.where,
        )
    square(value, base, "an inverse `^{-1}`")
    return symbols.Inverse(value) if inverse else sp.Transpose(symbols.Inverse(value))


def square(value: Any, operand: Operand, what: str) -> None:
    """Refuse a scalar or a matrix that is not square for ``what``."""
    shape = shape_of(value)
    if shape is None or shape[0] != shape[1]:
        raise LatexError(
            f"{what} takes a square matrix, but `{operand.written}` is {describe(value)}",
            operand.where,
        )


def determinant(argument: Operand) -> Any:
    r"""``\det M`` of a square matrix ``M``."""
    value = plain(argument)
    square(value, argument, "`\\det`")
    return symbols.Det(value)


def is_letter_t(exponent: object) -> bool:
    """True for the exponent ``T``: a transpose on a matrix, a power on a scalar."""
    return isinstance(exponent, sp.Symbol) and str(exponent.name) == "T"


def _is_transpose(exponent: object) -> bool:
    if exponent == TRANSPOSE:
        return True
    return isinstance(exponent, (sp.Symbol, sp.MatrixSymbol)) and str(exponent.name) == "T"


def entrywise(function: Any, argument: Operand) -> Any:
    r"""Apply a scalar function; to a matrix it applies entry by entry (``Elementwise``).

    A function declared by the document (an undefined SymPy function) may also take a
    whole-vector view, ``\text{act}({}^r \mathbf{z})``.
    """
    value = argument.expr
    declared = isinstance(function, sp.core.function.UndefinedFunction)
    if not (declared and isinstance(value, symbols.VectorView)):
        value = plain(argument)
    if shape_of(value) is not None:
        return symbols.Elementwise(function, value)
    if function is sp.log:
        require(value, POSITIVE)
    return symbols.real_or_marker(function(value), f"{function}({argument.written})")


def whole(argument: Operand) -> Any:
    r"""Return an argument of a function of several arguments, ``\text{soft}(\mathbf{z}, j)``.

    A matrix name stands for its whole vector, ``tensor(name)``, as an unshaped
    ``\mathbf{z}`` does; a view passes as it is; any other matrix expression is refused.
    """
    value = argument.expr
    if isinstance(value, sp.MatrixSymbol):
        return symbols.tensor(str(value.name))
    if shape_of(value) is not None:
        raise LatexError(
            f"`{argument.written}` is a matrix ({describe(value)}); a function of several "
            "arguments takes scalars, indices or a vector by name, e.g. `\\mathbf{z}`",
            argument.where,
        )
    return value


def scalar_function(function: Any, label: str, argument: Operand) -> Any:
    r"""Apply a function defined on scalars only, such as ``\log_a``."""
    value = function(scalar(argument, f"`{label}` takes a scalar; write `\\ln(…)` for a matrix"))
    return symbols.real_or_marker(value, f"{label}({argument.written})")


def diag(argument: Operand) -> Any:
    r"""Return ``\operatorname{diag}(v)`` of a column vector, a ``DiagMatrix``."""
    value = plain(argument)
    shape = shape_of(value)
    if shape is None or shape[1] != 1:
        raise LatexError(
            f"`\\operatorname{{diag}}` takes a column vector, but `{argument.written}` is "
            f"{describe(value)}",
            argument.where,
        )
    return DiagMatrix(value)


def derivative(body: Operand, var: Operand) -> Any:
    """Return ``∂body/∂var``: a ``Derivative``, or a ``MatrixDerivative`` by a column vector.

    Raises:
        LatexError: A variable that is a matrix or a row, or a numerator that is not a
            scalar or a column.
    """
    value, by = plain(body), plain(var)
    if isinstance(value, sp.IndexedBase | symbols.Vector):
        raise LatexError(
            f"`{body.written}` is a whole vector, and its derivative a Jacobian: write an "
            "entry, e.g. `\\frac{\\partial y_i}{\\partial z_j}`",
            body.where,
        )
    if isinstance(by, sp.IndexedBase):  # `∂E/∂\mathbf{z}`: the vector of `∂E/∂z_n`
        n = sp.Dummy("n", integer=True)
        return symbols.Vector(
            sp.Derivative(
                scalar(body, "a vector's gradient is of a scalar"), by[n], evaluate=False
            ),
            n,
            sp.S.Zero,
        )
    shape, by_shape = shape_of(value), shape_of(by)
    if (
        by_shape is not None
        and by_shape[1] != 1
        and by_shape[0] != 1
        and (shape is None or shape == (1, 1))
    ):
        return symbols.MatrixDerivative(value, by)  # the shape of `by` (denominator layout)
    if by_shape is not None and by_shape[1] != 1:
        raise LatexError(
            f"cannot differentiate with respect to `{var.written}`, which is "
            f"{describe(by)}: use a column vector or an element such as `W_{{uv}}`",
            var.where,
        )
    if by_shape is None and shape is not None and shape[1] != 1:
        raise LatexError(
            f"unsupported derivative of the matrix `{body.written}` ({describe(value)}) "
            f"with respect to the scalar `{var.written}`: differentiate an element, e.g. "
            "`W_{uv}`",
            body.where,
        )
    if by_shape is None and shape is None:
        return sp.Derivative(value, by, evaluate=False)
    if shape is not None and shape[1] != 1:
        raise LatexError(
            f"unsupported derivative of `{body.written}`, which is {describe(value)}: "
            "differentiate a scalar or a column vector",
            body.where,
        )
    return symbols.MatrixDerivative(value, by)


COLUMN_NOTE = "read `{}` as the column gradient (denominator layout)"
JACOBIAN_NOTE = (
    "read the derivative of a vector by a vector as its Jacobian (numerator layout: "
    "row i holds the derivatives of entry i)"
)


def jacobian(expr: object) -> bool:
    """True when ``expr`` holds ``∂y/∂x`` of a column ``y`` by a column ``x`` (both n ≠ 1).

    Denominator layout would give its transpose, so the reading is noted.
    """
    if not isinstance(expr, sp.Basic):
        return False
    for found in expr.atoms(symbols.MatrixDerivative):
        numerator, var = found.args
        if symbols.by_matrix(var) or not isinstance(var, sp.MatrixExpr):
            continue
        if isinstance(numerator, sp.MatrixExpr) and numerator.shape[0] != 1 != var.shape[0]:
            return True
    return False


def gradient_row(expr: object) -> bool:
    """True for ``∂F/∂v`` of a scalar ``F`` by a column ``v`` (n ≠ 1), times scalars only."""
    if isinstance(expr, sp.MatMul):
        factors = [a for a in expr.args if isinstance(a, sp.MatrixExpr)]
        return len(factors) == 1 and gradient_row(factors[0])
    if not isinstance(expr, symbols.MatrixDerivative):
        return False
    numerator, var = expr.args
    rows = var.shape[0] if isinstance(var, sp.MatrixExpr) else sp.S.One
    scalar = not isinstance(numerator, sp.MatrixExpr) or numerator.shape == (1, 1)
    return scalar and rows != 1 and var.shape[1] == 1


def in_layout(side: object, other: object) -> bool:
    r"""True when ``side`` is a row gradient and ``other`` a column of its length.

    ``\frac{\partial L}{\partial w} = \frac{2}{N} X^\top (X w - y)``: the right side is the
    gradient in denominator layout, a column; the left side is then read as the column.
    """
    shape, wanted = shape_of(side), shape_of(other)
    return (
        gradient_row(side)
        and shape is not None
        and wanted is not None
        and wanted == (shape[1], shape[0])
    )


def _one_by_one(side: Operand, other: Operand) -> Operand:
    """A 1×1 matrix against a scalar, as its entry; any other side as it is."""
    if shape_of(side.expr) == (1, 1) and shape_of(other.expr) is None:
        if not isinstance(other.expr, Unsized | symbols.VectorView):
            entry = symbols.Entry(side.expr, sp.S.One, sp.S.One)
            return Operand(entry, side.written, side.where)
    return side


def layouts(left: Operand, right: Operand, notes: list[str]) -> tuple[Operand, Operand]:
    r"""Transpose a row gradient that stands against a column of its length, with a note.

    An identity ``I`` alone on one side takes the other side's (square) shape, and a 1×1
    matrix against a scalar (``x^T x = \|x\|^2``) is its only entry.
    """
    left, right = _one_by_one(left, right), _one_by_one(right, left)
    if (jacobian(left.expr) or jacobian(right.expr)) and JACOBIAN_NOTE not in notes:
        notes.append(JACOBIAN_NOTE)
    if isinstance(left.expr, Unsized):
        left = Operand(sized(left.expr, shape_of(right.expr), left.where), left.written, left.where)
    if isinstance(right.expr, Unsized):
        value = sized(right.expr, shape_of(left.expr), right.where)
        right = Operand(value, right.written, right.where)
    for side, other in ((left, right), (right, left)):
        if in_layout(side.expr, other.expr):
            column = Operand(sp.Transpose(side.expr), side.written, side.where)
            note = COLUMN_NOTE.format(side.written)
            if note not in notes:
                notes.append(note)
            return (column, right) if side is left else (left, column)
    return left, right


def trace(argument: Operand) -> Any:
    r"""``\operatorname{tr}(M)`` of a square matrix: the sum of its diagonal entries."""
    value = plain(argument)
    shape = shape_of(value)
    if shape is None or shape[0] != shape[1]:
        raise LatexError(
            f"`\\operatorname{{tr}}` takes a square matrix, but `{argument.written}` is "
            f"{describe(value)}",
            argument.where,
        )
    m = sp.Dummy("tr1", integer=True, positive=True)
    return sp.Sum(symbols.Entry(value, m, m), (m, 1, shape[0]))


def same_shape(left: Operand, right: Operand, relation: str, where: Position) -> None:
    """Check that the two sides of a relation have the same shape (or are both scalars)."""
    plain(left), plain(right)
    if shape_of(left.expr) != shape_of(right.expr):
        why = f"the two sides of `{relation}` need the same shape"
        raise _mismatch(left, right, why, where)
