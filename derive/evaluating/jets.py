"""Real numbers with infinitesimals: exact derivatives of any order, by forward mode.

A value is a plain mpmath number, or a :class:`Jet` ``Σ_S c_S ε_S`` over sets ``S`` of
infinitesimal tags with ``ε_i² = 0``: each derivative being taken gets a tag of its own,
so ``∂²f/∂x∂y`` is the coefficient of ``ε_1 ε_2`` in ``f(x + ε_1, y + ε_2)``. A function
of a jet is its Taylor series, which stops after as many terms as there are tags; the
derivatives of ``exp``, ``ln``, powers, ``sin`` and ``cos`` are known in closed form, and
every other function is built from those. Nothing here is approximate beyond mpmath's
rounding at the working precision.

Outside its domain a function raises :class:`Undefined` (``ln 0``, ``1/0``, a root of a
negative number): derive works over the reals.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Number = Any  # an mpmath mpf of the interpreter's context
Value = Any  # Number | Jet


class Undefined(Exception):
    """No real value here: a logarithm of x ≤ 0, a division by zero, a root of x < 0."""


class Jet:
    """``Σ c_S ε_S``: a value (the coefficient of the empty set, mask 0) and its parts."""

    __slots__ = ("_hash", "terms")

    def __init__(self, terms: dict[int, Number]) -> None:
        """``terms`` maps a bit mask of tags to its coefficient."""
        self.terms = terms
        self._hash: int | None = None

    def __eq__(self, other: object) -> bool:
        """Equal as sums of terms."""
        return isinstance(other, Jet) and self.terms == other.terms

    def __hash__(self) -> int:
        """Hash by terms (jets key memo tables)."""
        if self._hash is None:
            self._hash = hash(tuple(sorted(self.terms.items())))
        return self._hash

    def __repr__(self) -> str:
        """``Jet({0: 1.0, 1: 2.0})``."""
        return f"Jet({self.terms!r})"


def real(x: Value) -> Number:
    """The value of ``x`` without its infinitesimal parts."""
    if isinstance(x, Jet):
        return x.terms.get(0, 0)
    return x


def jet(terms: dict[int, Number]) -> Value:
    """A jet, or a plain number when it has no infinitesimal part.

    A part whose coefficient is 0 is kept: the value still depends on the variable
    (``(x + 3)²`` at ``x = −3``), and a root of it has no derivative there.
    """
    if set(terms) <= {0}:
        return terms.get(0, 0)
    return Jet(terms)


def infinitesimal(tag: int, zero: Number, one: Number) -> Jet:
    """``ε_tag``: the jet with coefficient 1 on the tag alone."""
    return Jet({0: zero, 1 << tag: one})


def part(x: Value, tag: int, zero: Number) -> Value:
    """The coefficient of ``ε_tag`` in ``x`` (a jet in the other tags): ``∂x``."""
    if not isinstance(x, Jet):
        return zero
    bit = 1 << tag
    found = {m & ~bit: c for m, c in x.terms.items() if m & bit}
    if not found:
        return zero
    found.setdefault(0, zero)
    return jet(found)


def add(a: Value, b: Value) -> Value:
    """``a + b``."""
    if not isinstance(a, Jet) and not isinstance(b, Jet):
        return a + b
    ta, tb = terms_of(a), terms_of(b)
    out = dict(ta)
    for m, c in tb.items():
        out[m] = out.get(m, 0) + c
    return jet(out)


def mul(a: Value, b: Value) -> Value:
    """``a b``; a term survives only where the tags of its factors are disjoint."""
    if not isinstance(a, Jet) and not isinstance(b, Jet):
        return a * b
    if not isinstance(a, Jet):
        return jet({m: a * c for m, c in b.terms.items()})
    if not isinstance(b, Jet):
        return jet({m: c * b for m, c in a.terms.items()})
    out: dict[int, Number] = {}
    for ma, ca in a.terms.items():
        for mb, cb in b.terms.items():
            if ma & mb == 0:
                out[ma | mb] = out.get(ma | mb, 0) + ca * cb
    return jet(out)


def scale(a: Value, c: Number) -> Value:
    """``c a`` for a plain number ``c``."""
    return mul(a, c)


def terms_of(x: Value) -> dict[int, Number]:
    """The terms of a jet; a number is the jet with one term."""
    return x.terms if isinstance(x, Jet) else {0: x}


Derivatives = Callable[[Number, int], list[Number]]  # f and its first n derivatives at x


def apply(derivatives: Derivatives, x: Value) -> Value:
    """``f(x)`` for a jet ``x = x0 + n``: ``Σ_m f⁽ᵐ⁾(x0) nᵐ / m!`` (``n`` is nilpotent)."""
    if not isinstance(x, Jet):
        return derivatives(x, 0)[0]
    x0 = x.terms.get(0, 0)
    nil = Jet({m: c for m, c in x.terms.items() if m})
    mask = 0
    for m in nil.terms:
        mask |= m
    order = bin(mask).count("1")
    values = derivatives(x0, order)
    out: dict[int, Number] = {0: values[0]}
    power: Value = nil
    factorial = 1
    for m in range(1, order + 1):
        factorial *= m
        coeff = values[m] / factorial
        for k, c in terms_of(power).items():
            out[k] = out.get(k, 0) + coeff * c
        power = mul(power, nil)
        if not isinstance(power, Jet) and power == 0:
            break
    return jet(out)


def power_derivatives(r: Number, integer: bool) -> Derivatives:
    """``x^r`` for a constant ``r``: the falling factorials ``r(r−1)… x^{r−m}``."""

    def derivatives(x: Number, n: int) -> list[Number]:
        if x == 0 and (r < 0 or (not integer and n > 0)):
            raise Undefined("division by zero" if r < 0 else "a root's derivative at 0")
        if x < 0 and not integer:
            raise Undefined("a root or non-integer power of a negative number")
        out = []
        coeff = 1
        for m in range(n + 1):
            out.append(coeff * x ** (r - m) if coeff != 0 else 0 * x)
            coeff *= r - m
        return out

    return derivatives


def integer_power(x: Value, n: int) -> Value:
    """``x^n`` for an integer ``n`` by repeated squaring (``1/x`` first when ``n < 0``)."""
    if n < 0:
        x = inverse(x)
        n = -n
    result: Value = 1
    base = x
    while n:
        if n & 1:
            result = mul(result, base)
        n >>= 1
        if n:
            base = mul(base, base)
    return result


def inverse(x: Value) -> Value:
    """``1/x``."""
    if real(x) == 0:
        raise Undefined("division by zero")
    if not isinstance(x, Jet):
        return 1 / x
    return apply(power_derivatives(-1, True), x)


def root_power(x: Value, r: Number) -> Value:
    """``x^r`` for a constant non-integer ``r``: real only for ``x ≥ 0``."""
    return apply(power_derivatives(r, False), x)
