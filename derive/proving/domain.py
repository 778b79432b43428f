r"""Where a claim's two sides are real: the side conditions a proof rests on.

The normal form treats ``ln``, roots and quotients as the algebra of positive reals
and non-zero denominators: ``ln(x²) = 2 ln x`` and ``√x √x = x`` hold where ``x > 0``,
``(x² − 1)/(x − 1) = x + 1`` where ``x ≠ 1``. So a proof lists what it needs:

=================================  ==============================
``ln a``                           ``a > 0``
``b^r``, ``r`` not an integer      ``b ≥ 0`` (``b > 0`` if ``r < 0``)
``b^y``, ``y`` not a number        ``b > 0``
``1 / d``                          ``d ≠ 0``
``(M^{-1})_{ij}``                  ``det M ≠ 0``
=================================  ==============================

collected from both sides and from their derivatives, less what holds everywhere: a
small sign analysis knows that ``e^x``, ``σ(x)``, sizes, squares plus a positive, and
sums of positive terms are positive, and that ``Σ_i u_i − u_k ≥ 0`` for ``u > 0``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import sympy as sp

from derive.symbols import InverseEntry, sigmoid

POSITIVE, NONNEGATIVE, NONZERO = "> 0", "≥ 0", "≠ 0"


@dataclass(frozen=True)
class Condition:
    """``expr`` must be ``> 0``, ``≥ 0`` or ``≠ 0`` (``relation``)."""

    expr: sp.Expr
    relation: str


def conditions(
    *exprs: sp.Basic,
    bounds: Bounds | None = None,
    written: Iterable[tuple[sp.Expr, str]] = (),
) -> list[Condition]:
    """The conditions for every ``ln``, root and quotient in ``exprs`` to be real.

    Those that always hold (at sizes from ``bounds`` on) are left out; the rest come
    once each, in order.
    """
    found: dict[tuple[sp.Expr, str], None] = {}
    given = [Condition(e, r) for e, r in written]
    for cond in given:
        cond = simpler(cond)
        if not holds(cond, bounds or {}):
            found[(cond.expr, cond.relation)] = None
    for expr in exprs:
        for cond in collect(expr):
            cond = simpler(cond)
            if not holds(cond, bounds or {}):
                found[(cond.expr, cond.relation)] = None
    implied = {  # x ≠ 0 and x ≥ 0 say less than x > 0
        (e, r) for e, r in found if r != POSITIVE and (e, POSITIVE) in found
    }
    return [Condition(e, r) for e, r in found if (e, r) not in implied]


def simpler(cond: Condition) -> Condition:
    """``x² > 0`` is ``x ≠ 0``; ``x² ≠ 0`` is too."""
    e = cond.expr
    if isinstance(e, sp.Pow) and e.exp.is_Integer and e.exp > 0:
        if e.exp % 2 == 0 and cond.relation in (POSITIVE, NONZERO):
            return Condition(e.base, NONZERO)
        if cond.relation == NONZERO:
            return Condition(e.base, NONZERO)
    return cond


def collect(node: sp.Basic) -> Iterable[Condition]:
    """Every condition ``node`` needs, before any is ruled out."""
    if not isinstance(node, sp.Basic) or not node.args:
        return
    if isinstance(node, sp.log):
        yield Condition(node.args[0], POSITIVE)
    elif isinstance(node, sp.Pow):
        base, exponent = node.args
        if exponent.is_Integer or (exponent.is_integer and not exponent.is_Number):
            # `a_k^{1 − δ_kj}` (a factor of `∏_{k ≠ j}`) is a power 0 or 1: defined everywhere
            natural = not exponent.is_Integer and signs(exponent, {}) <= NONNEG
            if exponent.is_negative or not (exponent.is_Integer or natural):
                yield Condition(base, NONZERO)
        elif exponent.is_Rational or isinstance(exponent, sp.Float):
            yield Condition(base, POSITIVE if exponent < 0 else NONNEGATIVE)
        elif base is not sp.E:
            yield Condition(base, POSITIVE)
    elif isinstance(node, sp.tan):
        yield Condition(sp.cos(node.args[0]), NONZERO)
    elif isinstance(node, InverseEntry):
        yield Condition(node.determinant(), NONZERO)
    for arg in node.args:
        if isinstance(arg, sp.Basic) and not isinstance(arg, type):
            yield from collect(arg)


def holds(cond: Condition, bounds: Bounds) -> bool:
    """True when the condition holds wherever the inputs are real."""
    found = signs(cond.expr, bounds)
    if cond.relation == POSITIVE:
        return found == POS
    if cond.relation == NONNEGATIVE:
        return found <= NONNEG
    return 0 not in found


Signs = frozenset[int]  # the signs (−1, 0, 1) an expression can take
Bounds = Mapping[sp.Symbol, int]  # the least value of each size
POS: Signs = frozenset({1})
NONNEG: Signs = frozenset({0, 1})
ANY: Signs = frozenset({-1, 0, 1})


def signs(e: sp.Basic, bounds: Bounds) -> Signs:
    """The signs ``e`` can take over real inputs (a superset: unknown is every sign)."""
    if e.is_Number:
        return frozenset({int(sp.sign(e))})
    if e in (sp.E, sp.pi):
        return POS
    if isinstance(e, sp.Symbol):
        return POS if e.is_integer and e.is_positive else ANY  # sizes and indices
    if isinstance(e, sp.exp | sigmoid | sp.cosh):
        return POS
    if isinstance(e, sp.KroneckerDelta):
        return NONNEG
    if isinstance(e, sp.Abs):
        return POS if 0 not in signs(e.args[0], bounds) else NONNEG
    if isinstance(e, sp.Mul):
        out = frozenset({1})
        for f in e.args:
            out = frozenset(a * b for a in out for b in signs(f, bounds))
        return out
    if isinstance(e, sp.Pow):
        return power_signs(e, bounds)
    if isinstance(e, sp.Add):
        return add_signs(e, bounds)
    if isinstance(e, sp.Sum):
        inner = signs(e.function, bounds)
        if inner <= NONNEG:
            return POS if inner == POS and nonempty(e, bounds) else NONNEG
        if inner <= frozenset({-1, 0}):
            return frozenset({-1}) if inner == {-1} and nonempty(e, bounds) else frozenset({-1, 0})
    return ANY


def power_signs(e: sp.Pow, bounds: Bounds) -> Signs:
    """Signs of ``b^x``: even powers are ≥ 0, roots of what is ≥ 0 too."""
    base, exponent = e.args
    inner = signs(base, bounds)
    if exponent.is_Integer:
        n = int(exponent)
        if n % 2 == 0:
            return POS if 0 not in inner else NONNEG
        return inner - {0} if n < 0 else inner
    if inner == POS:
        return POS
    return NONNEG


def add_signs(e: sp.Add, bounds: Bounds) -> Signs:
    """Signs of a sum: terms of one sign, or a quotient put over one denominator."""
    parts = [signs(t, bounds) for t in e.args]
    if all(p <= NONNEG for p in parts):
        return POS if any(p == POS for p in parts) else NONNEG
    if all(p <= frozenset({-1, 0}) for p in parts):
        return frozenset({-1}) if any(p == {-1} for p in parts) else frozenset({-1, 0})
    skipping = skips_one_term(e, bounds)
    if skipping is not None:
        return skipping
    if one_minus_delta(e):
        return NONNEG
    if any(
        isinstance(f, sp.Pow) and f.exp.is_negative for t in e.args for f in sp.Mul.make_args(t)
    ):
        num, den = sp.fraction(sp.together(e))
        if (den != 1 and not isinstance(num, sp.Add)) or num != e:
            top, bottom = signs(num, bounds), signs(den, bounds) - {0}
            if bottom:
                return frozenset(a * b for a in top for b in bottom)
    return ANY


def nonempty(s: sp.Sum, bounds: Bounds) -> bool:
    """True when every range of the sum has at least one value (``1..K``, ``1..j``)."""
    return all(lo == 1 and signs(hi, bounds) == POS for _, lo, hi in s.limits)


def skips_one_term(e: sp.Add, bounds: Bounds) -> Signs | None:
    """``Σ_i f_i − f_x`` with every ``f_i > 0``: the sum less one of its terms.

    Nonnegative; positive when the sum has two terms or more (its size's bound ≥ 2).
    """
    sums = [t for t in e.args if isinstance(t, sp.Sum) and len(t.limits) == 1]
    rest = [t for t in e.args if t not in sums]
    if len(sums) != 1 or len(rest) != 1:
        return None
    (total,) = sums
    var, lo, hi = total.limits[0]
    if signs(total.function, bounds) != POS:
        return None
    term = -rest[0]
    if not any(
        total.function.xreplace({var: x}) == term
        for x in term.free_symbols
        if isinstance(x, sp.Symbol) and x.is_integer
    ):
        return None
    return POS if lo == 1 and bounds.get(hi, 1) >= 2 else NONNEG


def one_minus_delta(e: sp.Add) -> bool:
    """``1 − δ_{ij}``."""
    return (
        len(e.args) == 2
        and sp.S.One in e.args
        and any(isinstance(-t, sp.KroneckerDelta) for t in e.args)
    )
