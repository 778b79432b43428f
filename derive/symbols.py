r"""The SymPy vocabulary shared by every layer: one constructor per kind of name.

Every layer builds its symbols here so that the parser, the model and the provers
agree on SymPy assumptions (``Symbol("k", integer=True)`` and ``Symbol("k")`` are
different symbols to SymPy).

- an index ``k`` (ranges over ``1..size``): :func:`index`
- a size ``K`` (a positive integer): :func:`size`
- a free real scalar ``a`` or a non-subscripted defined name ``E``: :func:`scalar`
- a vector or matrix ``z`` (used as ``z[k]`` or ``w[i, j]``): :func:`tensor`
- the logistic sigmoid: :class:`sigmoid`
- ``\max_k f_k`` and ``\min_k f_k``: :class:`IndexMax`, :class:`IndexMin`
"""

from __future__ import annotations

import sympy as sp
from sympy.concrete.expr_with_limits import ExprWithLimits


def index(name: str) -> sp.Symbol:
    """Return the index symbol called ``name``."""
    return sp.Symbol(name, integer=True, positive=True)


def size(name: str) -> sp.Symbol:
    """Return the size symbol called ``name`` (a positive integer)."""
    return sp.Symbol(name, integer=True, positive=True)


def scalar(name: str) -> sp.Symbol:
    """Return the real scalar called ``name``."""
    return sp.Symbol(name, real=True)


def tensor(name: str) -> sp.IndexedBase:
    """Return the real vector or matrix called ``name``; index it as ``t[k]``.

    It carries no SymPy assumptions: every element would otherwise re-derive them when
    built, which dominated the cost of normalising nested sums. derive treats every
    element as real.
    """
    return sp.IndexedBase(name)


def base_name(expr: sp.Basic) -> str | None:
    """Return the name of a symbol, an indexed element, a vector or an application."""
    if isinstance(expr, sp.Indexed):
        expr = expr.base
    if isinstance(expr, sp.IndexedBase):
        label = expr.label
        return label.name if isinstance(label, sp.Symbol) else str(label)
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.core.function.AppliedUndef):
        return str(expr.func.__name__)
    return None


def rebuild(node: sp.Basic, args: list[sp.Basic] | tuple[sp.Basic, ...]) -> sp.Basic:
    """``node.func(*args)``, but ``ln`` and ``exp`` are built without evaluating.

    Their automatic simplification asks SymPy's assumption system whether the
    argument is zero or real, which on nested sums can take seconds, even minutes.
    """
    if isinstance(node, sp.log | sp.exp) and not args[0].is_Number:
        return node.func(*args, evaluate=False)
    if isinstance(node, sp.Derivative):
        return sp.Derivative(*args, evaluate=False)
    if isinstance(node, sp.Pow) and plain_power(*args):
        return sp.Pow(*args, evaluate=False)
    return node.func(*args)


def plain_power(base: sp.Basic, exponent: sp.Basic) -> bool:
    """True when SymPy would build ``base**exponent`` as it stands.

    That is so for a sum (``Sum`` or ``Add``) to an integer power other than 0 and 1,
    unless a term is a multiple of the imaginary unit (derive's never are). Building it
    evaluated would ask the assumption system whether each term is infinite, which on
    nested sums is slow.
    """
    if not (exponent.is_Integer and exponent not in (sp.S.Zero, sp.S.One)):
        return False
    if isinstance(base, sp.Sum):
        return True
    return isinstance(base, sp.Add) and not any(
        sp.I in sp.Mul.make_args(term) for term in base.args
    )


def free_symbols(expr: sp.Basic) -> set[sp.Basic]:
    """``expr.free_symbols``, plus the indices of derivative variables.

    SymPy leaves ``j`` out of ``Derivative(f, z[j]).free_symbols``; the value of such
    a node does depend on ``j``.
    """
    found = set(expr.free_symbols)
    for derivative in expr.atoms(sp.Derivative):
        for var in derivative.variables:
            found |= var.free_symbols
    return found - {vector.index for vector in expr.atoms(Vector)}


class sigmoid(sp.Function):
    """The logistic sigmoid ``σ(x) = 1 / (1 + e^{−x})``, kept whole for display."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """Return ``σ(x)(1 − σ(x))``."""
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-x, evaluate=False))

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"


class NonReal(sp.Expr):
    r"""A constant with no real value, as written: ``\sqrt{-1}``, ``\ln(-2)``.

    Kept whole so that SymPy cannot turn it back into a real number (``√−1 · √−1`` is
    ``−1`` to SymPy); a claim that holds one is undecided, "not real".
    """

    is_commutative = True

    def __new__(cls, written: str | sp.core.symbol.Str) -> NonReal:
        """Build the marker for the text ``written``."""
        return sp.Expr.__new__(cls, sp.core.symbol.Str(str(written)))

    @property
    def written(self) -> str:
        """The constant as the document writes it."""
        return str(self.args[0])

    def _sympystr(self, printer: object) -> str:
        return self.written

    def _latex(self, printer: object) -> str:
        return self.written


def real_or_marker(value: sp.Basic, written: str) -> sp.Basic:
    r"""``value``, or a :class:`NonReal` marker when it is a constant with no real value."""
    if not isinstance(value, sp.Expr) or not value.is_number or isinstance(value, NonReal):
        return value
    if value.has(sp.I, sp.zoo, sp.nan, sp.oo) or any(
        p.base.is_number and p.base.is_negative and not p.exp.is_integer
        for p in value.atoms(sp.Pow)
    ):
        return NonReal(written)
    return value


class Entry(sp.Expr):
    r"""Entry ``(row, col)`` of a matrix expression, as in ``(\partial E / \partial z)_j``.

    The prover lowers it to index form with the matrix rules. An entry is a real number,
    so it commutes (a norm ``\|x\|`` divides a vector).
    """

    is_commutative = True

    def __new__(cls, matrix: sp.MatrixExpr, row: sp.Basic, col: sp.Basic) -> Entry:
        """Build the entry."""
        return sp.Expr.__new__(cls, matrix, row, col)


class Vector(sp.Expr):
    r"""A vector given by its entry: ``(y_1 - t_1, \dots, y_K - t_K)``, ``∂E/∂\mathbf{z}``.

    ``Vector(y[n] - t[n], n, K)`` is ``n ↦ y_n − t_n`` for ``n = 1..K``. The length is
    ``0`` where it is that of the vector on the other side (``∂E/∂\mathbf{z}`` has as
    many entries as ``z``). A claim between vectors is checked at one entry, at a declared
    index over the length (:mod:`derive.proving.vectors`).
    """

    is_commutative = True

    def __new__(cls, entry: sp.Basic, index: sp.Symbol, length: sp.Basic) -> Vector:
        """Build the vector of ``entry`` over ``index = 1..length``."""
        return sp.Expr.__new__(cls, entry, index, length)

    @property
    def entry(self) -> sp.Expr:
        """The entry, in terms of :attr:`index`."""
        return self.args[0]

    @property
    def index(self) -> sp.Symbol:
        """The index the entry is written with (bound)."""
        return self.args[1]

    @property
    def length(self) -> sp.Basic:
        """The number of entries: a size, or ``0`` for the length of the other side."""
        return self.args[2]

    @property
    def free_symbols(self) -> set[sp.Basic]:
        """The entry's symbols but the bound index."""
        return (self.entry.free_symbols - {self.index}) | self.length.free_symbols


class VectorView(sp.Basic):
    r"""A whole vector seen through a sample prefix and/or without some components.

    ``{}^r \mathbf{z}`` is ``VectorView(z, (r,), ())``: the vector ``k ↦ z[r, k]``.
    ``\mathbf{z}_{\neq t}`` is ``VectorView(z, (), (t,))``: ``z`` without component
    ``t``, so a sum over its components skips ``t``.
    """

    # An argument such as `\text{soft}({}^r \mathbf{z}, j)` is then a commutative scalar:
    # without this, products of such applications keep their written order.
    is_commutative = True

    def __new__(
        cls,
        base: sp.IndexedBase,
        prefix: tuple[sp.Basic, ...] = (),
        exclude: tuple[sp.Basic, ...] = (),
    ) -> VectorView:
        """Build the view."""
        return sp.Basic.__new__(cls, base, sp.Tuple(*prefix), sp.Tuple(*exclude))

    @property
    def base(self) -> sp.IndexedBase:
        """The underlying vector or matrix."""
        return self.args[0]

    @property
    def prefix(self) -> tuple[sp.Basic, ...]:
        """Leading indices fixed by a pre-superscript."""
        return tuple(self.args[1])

    @property
    def exclude(self) -> tuple[sp.Basic, ...]:
        """Components left out."""
        return tuple(self.args[2])


def by_matrix(var: sp.Basic) -> bool:
    """True for a variable that is a matrix of more than one column."""
    return isinstance(var, sp.MatrixExpr) and var.shape[1] != 1


class MatrixDerivative(sp.MatrixExpr):
    r"""``∂F/∂v`` for a column vector or scalar ``v``, in numerator layout.

    A scalar ``F`` gives a row (1×n), ``\frac{\partial E}{\partial z}`` = ``(y − t)^T``;
    a column vector ``F`` (m×1) gives its Jacobian (m×n), or a column (m×1) for a
    scalar ``v``, ``\frac{\partial z}{\partial w_{uv}}``. A scalar ``F`` by a matrix
    ``A`` (n×m, m ≠ 1) gives the matrix of ``∂F/∂A_{ab}``, the shape of ``A``
    (denominator layout, as ``\frac{\partial}{\partial A} \operatorname{tr}(AB) = B^T``).
    """

    def __new__(cls, expr: sp.Basic, var: sp.Basic) -> MatrixDerivative:
        """Build the derivative; ``var`` must be a column vector or a scalar."""
        return sp.Basic.__new__(cls, expr, var)

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        """(rows of F, or 1 for a scalar) × (rows of v, or 1 for a scalar)."""
        expr, var = self.args
        if by_matrix(var):
            return tuple(var.shape)
        rows = expr.shape[0] if isinstance(expr, sp.MatrixExpr) else sp.S.One
        return (rows, var.shape[0] if isinstance(var, sp.MatrixExpr) else sp.S.One)


class Elementwise(sp.MatrixExpr):
    r"""A scalar function applied to each entry of a matrix: ``\sigma(z)`` for a vector ``z``."""

    def __new__(cls, function: sp.FunctionClass, matrix: sp.MatrixExpr) -> Elementwise:
        """Build the elementwise application."""
        return sp.Basic.__new__(cls, function, matrix)

    @property
    def function(self) -> sp.FunctionClass:
        """The scalar function."""
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        """The matrix's shape."""
        return self.args[1].shape


# A registry, not a memo (derive.memo leaves it alone): SymPy compares applications of
# functions by their class, so `act(x)` read before and after a new class was made for
# `act` would differ. It never forgets and is never cleared. It is bounded by what is
# read: one class per unspecified function a document declares, and one per derivative
# taken of it (`act'`, `act''`), each a small class.
_UNDEFINED: dict[str, type[sp.Function]] = {}


def is_undefined(node: sp.Basic) -> bool:
    """True for an application of an :func:`undefined_function`."""
    return isinstance(node, sp.Function) and hasattr(type(node), "derive_name")


def undefined_function(name: str) -> type[sp.Function]:
    r"""Return the unspecified scalar function ``name`` whose derivative is ``name'``.

    ``\text{act}`` differentiates to ``\text{act}'``, which differentiates to
    ``\text{act}''``: the chain rule stays flat, with no ``Subs`` or nested
    ``Derivative`` objects.
    """
    found = _UNDEFINED.get(name)
    if found is None:

        def fdiff(self: sp.Function, argindex: int = 1) -> sp.Expr:
            return undefined_function(name + "'")(*self.args)

        def reduce(self: sp.Function) -> tuple[object, ...]:
            return (apply_undefined, (name, self.args))  # pickled by name, for workers

        namespace = {"fdiff": fdiff, "nargs": 1, "derive_name": name, "__reduce__": reduce}
        found = type(name, (sp.Function,), namespace)
        _UNDEFINED[name] = found
    return found


def apply_undefined(name: str, args: tuple[sp.Basic, ...]) -> sp.Expr:
    """``name(*args)`` for an :func:`undefined_function` (what unpickling calls)."""
    return undefined_function(name)(*args)


def gradient_base(function: str, argument: str) -> sp.IndexedBase:
    """The tensor of partial derivatives of ``function`` with respect to ``argument``."""
    return tensor(rf"\partial {function}/\partial {argument}")


class Opaque(sp.Expr):
    r"""An unspecified scalar function of every entry of a tensor, such as a loss ``C(z)``.

    Args (SymPy): the function's name (a Symbol), the argument's name (a Symbol), the
    entry ``z[d1, d2]`` as an expression of dummy indices, and one ``(d, 1, size)``
    limit per index. Its derivative is ``Σ_d ∂C/∂z[d] · ∂z[d]/∂x``: the upstream
    gradient ``∂C/∂z`` is a tensor of free inputs (see :func:`gradient_base`).
    """

    is_commutative = True

    def __new__(
        cls,
        function: sp.Symbol,
        argument: sp.Symbol,
        entry: sp.Expr,
        *limits: tuple[sp.Basic, sp.Basic, sp.Basic],
    ) -> Opaque:
        """Build ``function(argument)`` whose entries are ``entry`` over ``limits``."""
        return sp.Expr.__new__(cls, function, argument, entry, *[sp.Tuple(*lim) for lim in limits])

    @property
    def entry(self) -> sp.Expr:
        """One entry of the argument, in the dummy indices."""
        return self.args[2]

    @property
    def limits(self) -> tuple[sp.Tuple, ...]:
        """``(d, 1, size)`` for each index of the argument."""
        return tuple(self.args[3:])

    @property
    def gradient(self) -> sp.IndexedBase:
        """The upstream gradient tensor ``∂C/∂z``."""
        return gradient_base(self.args[0].name, self.args[1].name)

    def _eval_derivative(self, x: sp.Basic) -> sp.Expr:
        indices = tuple(lim[0] for lim in self.limits)
        return sp.Sum(self.gradient[indices] * sp.diff(self.entry, x), *self.limits)

    @property
    def free_symbols(self) -> set[sp.Basic]:
        """Symbols of the entry that do not involve the dummy indices, and the sizes."""
        bound = {lim[0] for lim in self.limits}
        inner = {
            s
            for s in self.entry.free_symbols
            if s not in bound and not (isinstance(s, sp.Indexed) and s.free_symbols & bound)
        }
        return inner.union(*(lim[2].free_symbols for lim in self.limits))


class Extremum(ExprWithLimits):
    r"""``\max_k f_k`` or ``\min_k f_k``: the largest or smallest value of a body over an index.

    Args (SymPy): the body, then one limit ``(k, lower, upper)``. No rule of the index
    calculus knows it: at concrete bounds :meth:`doit` gives SymPy's ``Max`` (``Min``)
    of the terms, and the evaluators compare the terms (a tie under a derivative is a
    kink, where the derivative is undefined).
    """

    is_commutative = True
    largest = True

    def _eval_is_extended_real(self) -> bool | None:
        result: bool | None = self.function.is_extended_real
        return result

    def doit(self, **hints: object) -> sp.Expr:
        """SymPy's ``Max`` (``Min``) of the terms, when the bounds are numbers."""
        var, lo, hi = self.limits[0]
        if not (lo.is_Integer and hi.is_Integer) or hi < lo:
            return self
        terms = [self.function.xreplace({var: sp.Integer(n)}) for n in range(int(lo), int(hi) + 1)]
        result: sp.Expr = (sp.Max if self.largest else sp.Min)(*terms)
        return result


class IndexMax(Extremum):
    r"""``\max_k f_k``."""

    largest = True


class IndexMin(Extremum):
    r"""``\min_k f_k``."""

    largest = False


class Det(sp.Expr):
    r"""``\det M`` of a square matrix expression ``M``, as read (a real number).

    The prover lowers it to :class:`Determinant` (index form); the evaluator of the
    second opinion computes it from ``M``'s entries.
    """

    is_commutative = True

    def __new__(cls, matrix: sp.MatrixExpr) -> Det:
        """Build the determinant of ``matrix``."""
        return sp.Expr.__new__(cls, matrix)


class Inverse(sp.MatrixExpr):
    r"""``M^{-1}`` of a square matrix expression ``M`` (defined where ``\det M ≠ 0``)."""

    def __new__(cls, matrix: sp.MatrixExpr) -> Inverse:
        """Build the inverse of ``matrix``."""
        return sp.Basic.__new__(cls, matrix)

    @property
    def arg(self) -> sp.MatrixExpr:
        """The matrix inverted."""
        return self.args[0]

    @property
    def shape(self) -> tuple[sp.Expr, sp.Expr]:
        """The shape of the matrix inverted."""
        return self.args[0].shape


class SquareForm(sp.Expr):
    """A function of a square matrix given by its entry, ``(p, q) ↦ entry``, ``p, q ≤ n``.

    Args (SymPy): the entry in the bound indices ``p`` and ``q``, then ``p``, ``q`` and
    the size ``n``, then (for an inverse) the entry's row and column.
    """

    is_commutative = True

    @property
    def entry(self) -> sp.Expr:
        """Entry ``(p, q)`` of the matrix, in the bound indices."""
        return self.args[0]

    @property
    def bound(self) -> tuple[sp.Symbol, sp.Symbol]:
        """The bound row and column indices ``p`` and ``q``."""
        return self.args[1], self.args[2]

    @property
    def size(self) -> sp.Basic:
        """The number of rows (and columns)."""
        return self.args[3]

    @property
    def free_symbols(self) -> set[sp.Basic]:
        """Symbols of the entry that do not involve the bound indices, and the rest."""
        bound = set(self.bound)
        inner = {
            s
            for s in self.entry.free_symbols
            if s not in bound and not (isinstance(s, sp.Indexed) and s.free_symbols & bound)
        }
        return inner.union(*(a.free_symbols for a in self.args[3:]))


class Determinant(SquareForm):
    r"""``\det`` of the matrix whose entry ``(p, q)`` is ``entry`` (index form)."""

    def __new__(cls, entry: sp.Basic, p: sp.Symbol, q: sp.Symbol, n: sp.Basic) -> Determinant:
        """Build the determinant."""
        return sp.Expr.__new__(cls, entry, p, q, n)


class InverseEntry(SquareForm):
    r"""Entry ``(i, j)`` of the inverse of the matrix whose entry ``(p, q)`` is ``entry``."""

    def __new__(
        cls, entry: sp.Basic, p: sp.Symbol, q: sp.Symbol, n: sp.Basic, i: sp.Basic, j: sp.Basic
    ) -> InverseEntry:
        """Build the entry."""
        return sp.Expr.__new__(cls, entry, p, q, n, i, j)

    @property
    def at(self) -> tuple[sp.Basic, sp.Basic]:
        """The row and column of the inverse's entry."""
        return self.args[4], self.args[5]

    def determinant(self) -> Determinant:
        """The determinant of the matrix inverted (nonzero where this is defined)."""
        return Determinant(*self.args[:4])
