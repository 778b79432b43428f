"""The quick nonzero test that spares ``cancel`` a slip's residual."""

import sympy as sp

from derive.proving.index_calculus import zero_test
from derive.proving.nonzero import surely_nonzero

x, y = sp.symbols("x y")
i, j, k = sp.symbols("i j k", integer=True)


def unevaluated(*terms: sp.Expr) -> sp.Expr:
    """A sum SymPy does not simplify on its own."""
    return sp.Add(*terms, evaluate=False)


def test_zero_as_a_rational_function_is_never_called_nonzero() -> None:
    """Identities SymPy leaves unsimplified evaluate to zero at every point."""
    square = unevaluated((x + 1) ** 2, -(x**2), -2 * x, -1)
    fractions = unevaluated(x / (x + y), y / (x + y), -1)
    nested = unevaluated(1 / (1 + 1 / x), -x / (x + 1))
    for expr in (square, fractions, nested):
        assert sp.cancel(expr) == 0
        assert not surely_nonzero(expr)
        assert zero_test(expr) == 0


def test_a_nonzero_rational_function_is_found_nonzero() -> None:
    """A residual that is not zero gives a nonzero value, and zero_test keeps it."""
    slip = unevaluated(1 / (x + 1), -1 / x)
    off_by_one = unevaluated((x + 1) ** 2, -(x**2), -2 * x)
    for expr in (slip, off_by_one):
        assert sp.cancel(expr) != 0
        assert surely_nonzero(expr)
        assert zero_test(expr) != 0


def test_deltas_are_atoms_as_cancel_takes_them() -> None:
    """δ_ij δ_ik − δ_ij δ_jk is not zero as a rational function of the deltas."""
    delta = sp.KroneckerDelta
    expr = delta(i, j) * delta(i, k) - delta(i, j) * delta(j, k)
    assert sp.cancel(expr) != 0
    assert surely_nonzero(expr)


def test_constructs_it_cannot_value_are_left_to_cancel() -> None:
    """Roots and floats are not valued: the answer is "not shown", never "nonzero"."""
    root = unevaluated(sp.sqrt(x) ** 2, -x)
    assert not surely_nonzero(root)
    assert not surely_nonzero(unevaluated(sp.Float(0.5) * x, -x / 2))
    assert not surely_nonzero(sp.Integer(0))


def test_a_small_residual_is_still_cancelled_for_the_reader() -> None:
    """Only a large residual is left as it is; a small one is shown cancelled (``1``)."""
    residual = unevaluated((x**2 - 1) / (x - 1), -x)
    assert zero_test(residual) == 1
