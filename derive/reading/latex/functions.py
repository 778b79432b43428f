r"""Function names: the built-in prefixes, ``\sigma``, ``\operatorname{diag}``, declared ones.

- ``\ln``, ``\exp``, ``\tanh``, … take the next factor (:data:`PREFIXES`);
- ``\sigma(x)`` is the logistic sigmoid; written alone, ``\sigma`` is a scalar;
- ``\operatorname{diag}(v)`` (or ``\text{diag}``) is the diagonal matrix of a column
  vector, unless the document declares a ``\text{diag}`` of its own;
- ``\operatorname{sign}(x)`` (or ``\operatorname{sgn}``) is 1, −1 or 0 by the sign of
  ``x``, a ``Piecewise``, unless the document declares a ``\text{sign}`` of its own;
- a name in ``Scope.functions`` is an undefined SymPy function of its arity; one of one
  argument also takes the next factor, ``\text{act } z_j``, and alone stands for itself
  (``C`` for a loss ``C(\mathbf{z})``). Primes name its derivative, ``\text{act}'(z)``,
  a function of its own.

Applied to a matrix, a function of one argument applies entry by entry (``Elementwise``).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sympy as sp

from derive import symbols
from derive.model import Scope
from derive.reading.latex import shapes
from derive.reading.latex.factors import Callee
from derive.reading.latex.nodes import Node
from derive.reading.latex.shapes import Operand

PREFIXES: dict[str, Any] = {
    r"\ln": sp.log,
    r"\exp": sp.exp,
    r"\sin": sp.sin,
    r"\cos": sp.cos,
    r"\tan": sp.tan,
    r"\sinh": sp.sinh,
    r"\cosh": sp.cosh,
    r"\tanh": sp.tanh,
}
SIGMA = r"\sigma"
DIAG = r"\text{diag}"
TRACE = (r"\text{tr}", r"\text{Tr}", r"\text{trace}")
SIGN = (r"\text{sign}", r"\text{sgn}")
_U = sp.Dummy("u", real=True)
SIGNUM = sp.Lambda(_U, sp.Piecewise((1, _U > 0), (-1, _U < 0), (0, True)))
DET = r"\text{det}"


def function_callee(scope: Scope, key: str, power: Operand | None, node: Node) -> Callee | None:
    r"""Return the function the name ``key`` stands for, or None when it is not one.

    Args:
        scope: The declared functions.
        key: The name's key, e.g. ``r"\text{act}'"``.
        power: A superscript written on the name, if any.
        node: The name's tree, for positions.
    """
    plain = key.rstrip("'")
    arity = scope.functions.get(key, scope.functions.get(plain))
    if arity is None and plain == SIGMA and key != SIGMA:  # `\sigma'`: the sigmoid's derivative
        derived = derivative_of(symbols.sigmoid, len(key) - len(plain))
        return Callee(key, 1, _entrywise(derived), None, power, node, prefix=True)
    if arity == 1:
        function = sp.Function(key)
        apply = _entrywise(function)
        return Callee(key, 1, apply, symbols.scalar(key), power, node, prefix=True)
    if arity is not None:
        function = sp.Function(key)
        return Callee(key, arity, lambda a: _apply(function, a), None, power, node)
    if key == SIGMA:
        alone = symbols.scalar(SIGMA)
        return Callee(key, 1, _entrywise(symbols.sigmoid), alone, power, node)
    if key == DIAG:
        label = r"\operatorname{diag}"
        return Callee(label, 1, lambda a: shapes.diag(a[0]), None, power, node, prefix=True)
    if key in TRACE and key not in scope.names:
        label = r"\operatorname{tr}"
        return Callee(label, 1, lambda a: shapes.trace(a[0]), None, power, node, prefix=True)
    if key in SIGN and key not in scope.names:
        label = r"\operatorname{sign}"
        return Callee(label, 1, _entrywise(SIGNUM), None, power, node, prefix=True)
    if key == DET and key not in scope.names:
        label = r"\det"
        return Callee(label, 1, lambda a: shapes.determinant(a[0]), None, power, node, prefix=True)
    return None


def derivative_of(function: Any, order: int) -> Any:
    r"""Return the ``order``-th derivative of a function of one argument, as a function.

    SymPy differentiates ``function`` at a dummy point: ``\sigma'(z)`` is
    ``σ(z)(1 − σ(z))`` and ``\tanh'(x)`` is ``1 − tanh(x)^2``.
    """
    point = sp.Dummy("x", real=True)
    derived = sp.diff(function(point), point, order)
    return lambda argument: derived.subs(point, argument)


def _entrywise(function: Any) -> Any:
    return lambda arguments: shapes.entrywise(function, arguments[0])


def _apply(function: Any, arguments: Sequence[Operand]) -> Any:
    r"""Apply a declared function of several arguments: scalars, whole vectors or views.

    A shaped name passes as the whole vector ``tensor(name)``, as ``\mathbf{z}`` does
    without shapes; any other matrix expression is refused.
    """
    return function(*(shapes.whole(argument) for argument in arguments))
