"""A quick, certain test that a rational function of its atoms is not zero.

:func:`~derive.proving.index_calculus.zero_test` cancels ``left − right`` as a rational
function of its atoms, and a slip's residual can take SymPy's ``cancel`` a minute to
expand (the LSTM cell's Jacobian through four gates). Evaluating the expression tree
modulo a large prime at a random point is quick, and a nonzero value there is a proof
that the rational function is not zero: evaluation is a ring homomorphism wherever no
denominator vanishes, so an expression that is zero as a rational function is zero at
every such point. A zero value proves nothing, and then ``cancel`` decides.
"""

from __future__ import annotations

import random

import sympy as sp

PRIME = 2**127 - 1  # a Mersenne prime
TRIES = 2  # points tried before leaving the question to ``cancel``


class GiveUp(Exception):
    """The expression has a construct the quick test leaves to ``cancel``."""


def surely_nonzero(expr: sp.Expr, seed: int = 0) -> bool:
    """True when ``expr`` is certainly not zero as a rational function of its atoms.

    Its atoms are its symbols and the nodes ``cancel`` treats as generators (Kronecker
    deltas, functions); each gets a random value modulo :data:`PRIME`. False means
    "not shown": a zero value, a vanishing denominator, or a construct not handled
    (a non-integer power, a float).
    """
    for attempt in range(TRIES):
        rng = random.Random(f"nonzero {seed} {attempt}")
        try:
            if Point(rng).value(expr) != 0:
                return True
        except GiveUp:
            return numerically_nonzero(expr, seed)
    return False


def numerically_nonzero(expr: sp.Expr, seed: int = 0) -> bool:
    """True when ``expr`` is far from zero at a random point of positive values, in mpmath.

    For a root or a float, which modulo a prime has no value: at 40 digits, an
    expression that is zero as a function is within 1e-25 of it; one that is 1e-6 away
    (relative to its terms) is not zero. Not a proof, and not used as one: it only spares
    ``cancel`` a residual (a claim whose residual is not cancelled is not proved, and a
    refutation still needs a counterexample confirmed by the second opinion).
    """
    free = sorted(expr.free_symbols, key=str)
    rng = random.Random(f"numeric nonzero {seed}")
    values = {s: sp.Rational(rng.randint(1, 97), rng.randint(1, 13)) for s in free}
    try:
        value = sp.N(expr.xreplace(values), 40)
        scale = sum(abs(sp.N(t.xreplace(values), 40)) for t in sp.Add.make_args(expr))
    except (TypeError, ValueError, ZeroDivisionError, ArithmeticError):
        return False
    if not (value.is_number and scale.is_number):  # complex is fine: a root of a negative
        return False  # is a value of the same function, and zero stays zero
    return bool(abs(value) > sp.Float("1e-6", 40) * (1 + abs(scale)))


class Point:
    """One random point modulo :data:`PRIME`; shared subexpressions are valued once."""

    def __init__(self, rng: random.Random) -> None:
        """Start with no values drawn."""
        self.rng = rng
        self.known: dict[sp.Basic, int] = {}

    def value(self, node: sp.Basic) -> int:
        """The value of ``node`` modulo :data:`PRIME` at this point."""
        found = self.known.get(node)
        if found is None:
            found = self.known[node] = self.compute(node)
        return found

    def compute(self, node: sp.Basic) -> int:
        """:meth:`value` without the memory."""
        if isinstance(node, sp.Rational):  # integers too
            return self.inverse(int(node.q)) * int(node.p) % PRIME
        if isinstance(node, sp.Add):
            return sum(self.value(a) for a in node.args) % PRIME
        if isinstance(node, sp.Mul):
            out = 1
            for a in node.args:
                out = out * self.value(a) % PRIME
            return out
        if isinstance(node, sp.Pow):
            exponent = node.exp
            if not isinstance(exponent, sp.Integer):
                raise GiveUp
            base = self.value(node.base)
            power = int(exponent)
            return pow(self.inverse(base) if power < 0 else base, abs(power), PRIME)
        if isinstance(node, sp.Symbol | sp.KroneckerDelta):
            return self.rng.randrange(1, PRIME)
        raise GiveUp

    @staticmethod
    def inverse(value: int) -> int:
        """``1 / value`` modulo :data:`PRIME` (give up on a vanishing denominator)."""
        if value % PRIME == 0:
            raise GiveUp
        return pow(value, -1, PRIME)
