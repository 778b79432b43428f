r"""Concrete functions standing for a document's unspecified ones (``\text{act}``, ``C``).

Two kinds, used the same way on both sides of a claim:

- :class:`Shown`: the ones a counterexample names, simple enough to check by hand:
  ``act = tanh``, and a loss ``C(\mathbf{z}) = Σ_d g_d z_d`` whose gradient ``g`` (the
  tensor ``∂C/∂z``) is an input of the point;
- :class:`Drawn`: random ones for the second opinion, not linear and not tanh, so that a
  claim true only for a special function is not taken for an identity.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from derive import symbols
from derive.evaluating import functions as fn
from derive.evaluating.jets import Value, add, mul
from derive.model import FunctionDecl


@dataclass(frozen=True)
class Shown:
    """``act = tanh``; a loss is linear in its entries, with the point's gradient."""

    def scalar(self, name: str, it: Any, x: Value) -> Value:
        """``tanh``."""
        return fn.tanh(it.ctx, x)

    def opaque(
        self, decl: FunctionDecl, label: str, entries: list[tuple[tuple[int, ...], Value]], it: Any
    ) -> Value:
        """``Σ_d g_d z_d`` with ``g = ∂C/∂z`` read from the point."""
        gradient = symbols.gradient_base(decl.name, label)
        name = symbols.base_name(gradient) or ""
        total: Value = it.zero
        for combo, value in entries:
            total = add(total, mul(it.point.value((name, combo)), value))
        return total

    def describe(self, doc: Any) -> tuple[str, ...]:
        """What stands for each unspecified function of ``doc``, as a counterexample says."""
        out = []
        for name, decl in doc.functions.items():
            if decl.opaque:
                (argument,) = decl.params
                label = symbols.base_name(argument) or ""
                out.append(f"{name} = Σ_d ∂{name}/∂{label}_d · {label}_d")
            else:
                out.append(f"{name} = tanh")
        return tuple(out)


@dataclass(frozen=True)
class Drawn:
    """Random stand-ins: ``a + b x + c x² + d x³ + s sin x``; a loss quadratic in its entries."""

    seed: int

    def coefficients(self, *what: object) -> list[Fraction]:
        """Five small rational coefficients fixed by the seed and ``what``."""
        rng = random.Random(repr((self.seed, what)))
        return [Fraction(rng.randint(-9, 9), rng.randint(1, 5)) for _ in range(5)]

    def scalar(self, name: str, it: Any, x: Value) -> Value:
        """A random cubic plus a random multiple of ``sin``."""
        a, b, c, d, s = (it.ctx.mpf(q.numerator) / q.denominator for q in self.coefficients(name))
        x2 = mul(x, x)
        total = add(a, mul(b, x))
        total = add(total, mul(c, x2))
        total = add(total, mul(d, mul(x2, x)))
        return add(total, mul(s, fn.sin(it.ctx, x)))

    def opaque(
        self, decl: FunctionDecl, label: str, entries: list[tuple[tuple[int, ...], Value]], it: Any
    ) -> Value:
        """``Σ_d (g_d z_d + h_d z_d²)`` plus a product of two entries, random ``g`` and ``h``."""
        total: Value = it.zero
        for combo, value in entries:
            g, h, *_ = (
                it.ctx.mpf(q.numerator) / q.denominator for q in self.coefficients(decl.name, combo)
            )
            total = add(total, add(mul(g, value), mul(h, mul(value, value))))
        if len(entries) >= 2:
            total = add(total, mul(entries[0][1], entries[-1][1]))
        return total
