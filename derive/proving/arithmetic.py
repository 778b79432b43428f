"""Number systems for exact evaluation: integers modulo a prime, and mpmath reals.

- :class:`ModP`: integers modulo the prime ``2^61 − 1``. Every input gets a random
  value, ``e^{z_k}`` gets a random value of its own (``z_k`` and ``e^{z_k}`` are
  algebraically independent), and ``e^x`` or ``ln x`` of anything else is a random
  function of ``x``. Used for Schwartz–Zippel zero tests.
- :class:`Real`: mpmath numbers at a chosen precision, true ``exp`` and ``ln``; used
  to confirm a counterexample and to show both sides, and, at random points, for claims
  with roots, non-integer powers or trigonometric functions, which have no exact
  counterpart modulo p (:class:`NotExact`).
"""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from derive.memo import Memo

P = 2**61 - 1  # a default modulus (tests); checks draw theirs with :func:`primes`
BITS = (127, 521)  # the sizes of the primes a run draws


def primes(seed: int) -> tuple[int, ...]:
    """The run's moduli: a random prime of each size in :data:`BITS`, fixed by ``seed``.

    Drawn afresh with each run's seed, so that no literal can be written to vanish
    modulo them, as ``2^{61} − 1`` or ``2^{61} − 1 ≡ 0`` would for a fixed prime.
    """
    found = _PRIMES.get(seed)
    if found is None:
        rng = random.Random(f"primes {seed}")
        found = tuple(sp.nextprime(rng.getrandbits(bits) | 1 << (bits - 1)) for bits in BITS)
        _PRIMES[seed] = found
    return found


# One run, one seed: the bound leaves room for the few seeds tests switch between.
_PRIMES: Memo[int, tuple[int, ...]] = Memo("arithmetic.PRIMES", 4)
Key = tuple[Any, ...]  # a leaf: (name,) for a scalar, (name, (i, j)) for an element


class Undefined(Exception):
    """The expression has no value at this point (division by zero, ``ln`` of x ≤ 0)."""


class NotSupported(Exception):
    """The expression has a construct the interpreter cannot evaluate."""


class NotExact(NotSupported):
    """Exact evaluation modulo p cannot stand for the reals here (a root, ``sin``, …)."""


@dataclass
class ModP:
    """Arithmetic modulo the prime ``p`` with random leaf values drawn from ``seed``."""

    seed: int
    p: int = P
    values: dict[Key, int] = field(default_factory=dict)
    touched: list[Key] = field(default_factory=list)

    def number(self, r: sp.Rational) -> int:
        """Return the residue of a rational number (its denominator is prime to p)."""
        if int(r.q) % self.p == 0:
            raise NotExact("a denominator divisible by p")
        return int(r.p) % self.p * pow(int(r.q) % self.p, -1, self.p) % self.p

    def leaf(self, key: Key) -> int:
        """Return (drawing once) the value of an input."""
        self.touched.append(key)
        if key not in self.values:
            self.values[key] = self.draw("leaf", key)
        return self.values[key]

    def exp_leaf(self, key: Key) -> int:
        """Return the value of ``e^{leaf}``: independent of the leaf's own value."""
        return self.leaf(("exp", *key))

    def draw(self, *what: object) -> int:
        """A value in ``1..p-1`` fixed by the seed and ``what``."""
        value = 0
        for part in range(1 + self.p.bit_length() // 448):  # 64 bits to spare
            text = repr((self.seed, what, part)).encode()
            value = value << 512 | int.from_bytes(hashlib.blake2b(text).digest(), "big")
        return value % (self.p - 1) + 1

    def add(self, a: int, b: int) -> int:
        """Return ``a + b``."""
        return (a + b) % self.p

    def mul(self, a: int, b: int) -> int:
        """Return ``a b``."""
        return a * b % self.p

    def power(self, a: int, n: int) -> int:
        """Return ``a^n`` for an integer ``n ≥ 0``."""
        return pow(a, n, self.p)

    def inv(self, a: int) -> int:
        """Return ``1 / a``."""
        if a % self.p == 0:
            raise Undefined("division by zero modulo p")
        return pow(a, -1, self.p)

    def root(self, a: int, r: sp.Rational) -> int:
        """A non-integer power has no exact counterpart modulo p."""
        raise NotExact(f"a power {r} that is not an integer")

    def elementary(self, name: str, a: int) -> int:
        """``sin``, ``arctan``, ``|x|``…: no exact counterpart modulo p."""
        raise NotExact(f"the function {name}")

    def real_only(self, what: str) -> None:
        """Refuse ``what``, which has no exact counterpart modulo p.

        ``b^y`` for a variable ``y`` is ``e^{y ln b}``, and modulo p ``e`` and ``ln`` are
        random functions, not inverses: ``b · b^{y − 1}`` and ``b^y`` would differ there.
        """
        raise NotExact(what)

    def exp(self, a: int) -> int:
        """``e^a`` for a non-linear exponent: a random function of ``a``."""
        return self.draw("exp", a)

    def log(self, a: int) -> int:
        """``ln a``: a random function of ``a`` (undefined at 0)."""
        if a % self.p == 0:
            raise Undefined("logarithm of zero")
        return self.draw("log", a)

    def function(self, name: str, a: int) -> int:
        """An unspecified function (``act``, ``act'``): a random function of ``a``."""
        return self.draw("function", name, a)

    def constant(self, c: sp.Basic) -> int:
        """A transcendental constant (π, e, ln 2): a random value fixed by its form."""
        return self.draw("const", sp.srepr(c))

    def equal(self, a: int, b: int) -> bool:
        """Exact equality."""
        return (a - b) % self.p == 0


TIES = "ties"  # the kind of real point whose inputs are −1, 0 or 1


@dataclass
class Real:
    """mpmath arithmetic at ``digits`` significant digits; leaves from ``values``.

    With ``seed``, an input not in ``values`` gets a random rational value, drawn once:
    of any sign (``mode`` ``"signed"``), positive, negative, of any sign and large
    (``"wide"``), strictly between 0 and 1 (``"unit"``), or −1, 0 or 1 (``"ties"``).
    """

    values: dict[Key, Any]
    digits: int = 50
    touched: list[Key] = field(default_factory=list)
    seed: int | None = None
    mode: str = "signed"
    agree: int = 0  # digits two values must share to be equal (0: two thirds of ``digits``)

    def __post_init__(self) -> None:
        """Use a private mpmath context at the requested precision."""
        self.mp = mpmath.mp.clone()
        self.mp.dps = self.digits

    def number(self, r: sp.Rational) -> Any:
        """Return a rational number as an mpf."""
        return self.mp.mpf(int(r.p)) / int(r.q)

    def leaf(self, key: Key) -> Any:
        """Return the value given for an input."""
        self.touched.append(key)
        if key not in self.values:
            if self.seed is None:
                raise NotSupported(f"no value for {key}")
            rng = random.Random(repr((self.seed, self.mode, key)))
            # negative points reach below −7: `√(x² + 4x + 4) = x + 2` fails only below −2
            low, high = {"positive": (1, 30), "negative": (-100, -1), "wide": (-100, 100)}.get(
                self.mode, (-30, 30)
            )
            denominator = rng.choice((7, 11, 13))
            if self.mode == "unit":  # strictly between 0 and 1: a probability
                low, high = 1, denominator - 1
            if self.mode == TIES:  # −1, 0 or 1: kinks and ties of piecewise claims
                low, high, denominator = -1, 1, 1
            self.values[key] = Fraction(rng.randint(low, high), denominator)
        value = self.values[key]
        if isinstance(value, Fraction):
            return self.mp.mpf(value.numerator) / value.denominator
        return self.mp.mpf(value)

    def exp_leaf(self, key: Key) -> Any:
        """Return ``e^{leaf}``."""
        return self.mp.exp(self.leaf(key))

    def add(self, a: Any, b: Any) -> Any:
        """Return ``a + b``."""
        return a + b

    def mul(self, a: Any, b: Any) -> Any:
        """Return ``a b``."""
        return a * b

    def power(self, a: Any, n: int) -> Any:
        """Return ``a^n`` for an integer ``n ≥ 0``."""
        return a**n

    def inv(self, a: Any) -> Any:
        """Return ``1 / a``."""
        if a == 0:
            raise Undefined("division by zero")
        return 1 / a

    def root(self, a: Any, r: sp.Rational) -> Any:
        """``a^r`` for a non-integer ``r``: real for ``a ≥ 0`` only."""
        if a < 0 or (a == 0 and r < 0):
            raise Undefined("a root or power of a negative number")
        return a ** (self.mp.mpf(int(r.p)) / int(r.q))

    def elementary(self, name: str, a: Any) -> Any:
        """``sin``, ``cos``, ``tan``, ``arctan`` or ``|x|`` of ``a``."""
        if name == "tan" and abs(self.mp.cos(a)) < self.mp.mpf(10) ** (-self.digits // 2):
            raise Undefined("tan at a pole")
        return {
            "sin": self.mp.sin,
            "cos": self.mp.cos,
            "tan": self.mp.tan,
            "atan": self.mp.atan,
            "Abs": abs,
        }[name](a)

    def real_only(self, what: str) -> None:
        """Nothing to refuse: the reals are what ``what`` means."""

    def exp(self, a: Any) -> Any:
        """Return ``e^a``."""
        return self.mp.exp(a)

    def log(self, a: Any) -> Any:
        """Return ``ln a`` (undefined for a ≤ 0)."""
        if a <= 0:
            raise Undefined("logarithm of a number ≤ 0")
        return self.mp.log(a)

    def function(self, name: str, a: Any) -> Any:
        """An unspecified function is taken to be ``tanh``; each prime differentiates it."""
        order = len(name) - len(name.rstrip("'"))
        return self.mp.tanh(a) if order == 0 else self.mp.diff(self.mp.tanh, a, order)

    def constant(self, c: sp.Basic) -> Any:
        """Return a numeric constant."""
        return self.mp.mpf(str(sp.N(c, self.digits + 5)))

    def equal(self, a: Any, b: Any) -> bool:
        """Equal up to rounding: to ``agree`` digits (the extra ones absorb cancellation)."""
        tol = self.mp.mpf(10) ** (-(self.agree or self.digits * 2 // 3))
        return bool(abs(a - b) <= tol * (1 + abs(a) + abs(b)))
