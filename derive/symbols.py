"""The SymPy vocabulary shared by every layer: one constructor per kind of name.

Every layer builds its symbols here so that the parser, the model and the provers
agree on SymPy assumptions (``Symbol("k", integer=True)`` and ``Symbol("k")`` are
different symbols to SymPy).

- an index ``k`` (ranges over ``1..size``): :func:`index`
- a size ``K`` (a positive integer): :func:`size`
- a free real scalar ``a`` or a non-subscripted defined name ``E``: :func:`scalar`
- a vector or matrix ``z`` (used as ``z[k]`` or ``w[i, j]``): :func:`tensor`
- the logistic sigmoid: :class:`sigmoid`
"""

from __future__ import annotations

import sympy as sp


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
    """Return the real vector or matrix called ``name``; index it as ``t[k]``."""
    return sp.IndexedBase(name, real=True)


def base_name(expr: sp.Basic) -> str | None:
    """Return the name of a symbol, an indexed element, a vector or an application."""
    if isinstance(expr, sp.Indexed):
        return str(expr.base.label)
    if isinstance(expr, sp.IndexedBase):
        return str(expr.label)
    if isinstance(expr, sp.Symbol):
        return expr.name
    if isinstance(expr, sp.core.function.AppliedUndef):
        return str(expr.func.__name__)
    return None


def free_symbols(expr: sp.Basic) -> set[sp.Basic]:
    """``expr.free_symbols``, plus the indices of derivative variables.

    SymPy leaves ``j`` out of ``Derivative(f, z[j]).free_symbols``; the value of such
    a node does depend on ``j``.
    """
    found = set(expr.free_symbols)
    for derivative in expr.atoms(sp.Derivative):
        for var in derivative.variables:
            found |= var.free_symbols
    return found


class sigmoid(sp.Function):
    """The logistic sigmoid ``σ(x) = 1 / (1 + e^{−x})``, kept whole for display."""

    nargs = 1

    def fdiff(self, argindex: int = 1) -> sp.Expr:
        """Return ``σ(x)(1 − σ(x))``."""
        return self * (1 - self)

    def _eval_rewrite_as_exp(self, x: sp.Expr, **kwargs: object) -> sp.Expr:
        return 1 / (1 + sp.exp(-x))

    def _latex(self, printer: sp.printing.latex.LatexPrinter) -> str:
        return rf"\sigma\left({printer._print(self.args[0])}\right)"
