"""Symbolic differentiation for derive's expressions, without SymPy's ``diff`` overhead.

SymPy's ``diff`` recomputes free symbols at every level (a sum's free symbols cost a
substitution each time), which made differentiating an expanded two-layer network
take most of a second. The rules here are the textbook ones, memoised by subtree:

============================  =================================================
``∂z_{k}/∂z_{j}``             ``δ_kj`` (one delta per index position)
``∂(a + b)``, ``∂(a b)``      sum rule, product rule
``∂ a^n`` (``n`` constant)    ``n a^{n−1} ∂a``; otherwise ``a^b (∂b ln a + b ∂a / a)``
``∂ e^a``, ``∂ ln a``         ``e^a ∂a``, ``∂a / a``
``∂ Σ_k f``                   ``Σ_k ∂f``
``∂ f(a)`` (one argument)     ``f'(a) ∂a`` (σ' = σ(1 − σ), ``act`` → ``act'``)
``∂ C(z)`` (a loss)           ``Σ_d ∂C/∂z_d ∂z_d``
============================  =================================================
"""

from __future__ import annotations

import sympy as sp

from derive.symbols import Opaque, SquareForm


def differentiate(expr: sp.Basic, var: sp.Basic) -> sp.Expr:
    """Return ``∂expr/∂var`` for an input ``var`` (an element ``z[j]`` or a scalar)."""
    return Differentiation(var).go(expr)


class Differentiation:
    """One derivative, memoised by subtree."""

    def __init__(self, var: sp.Basic) -> None:
        """Differentiate with respect to ``var``."""
        self.var = var
        self.label = var.base.label if isinstance(var, sp.Indexed) else var
        self.memo: dict[sp.Basic, sp.Expr] = {}
        self.mentions: dict[sp.Basic, bool] = {}

    def go(self, node: sp.Basic) -> sp.Expr:
        """The derivative of ``node``."""
        found = self.memo.get(node)
        if found is None:
            found = self.compute(node) if self.mentioned(node) else sp.S.Zero
            self.memo[node] = found
        return found

    def mentioned(self, node: sp.Basic) -> bool:
        """True when ``node`` may depend on the variable (its name occurs in it)."""
        found = self.mentions.get(node)
        if found is None:
            if isinstance(node, sp.Indexed):
                found = node.base.label == self.label
            elif isinstance(node, sp.Symbol):
                found = node == self.label
            else:
                found = any(self.mentioned(a) for a in node.args)
            self.mentions[node] = found
        return found

    def compute(self, node: sp.Basic) -> sp.Expr:
        """Apply the rule for ``node``'s head."""
        var = self.var
        if node == var:
            return sp.S.One
        if isinstance(node, sp.Indexed):
            if not isinstance(var, sp.Indexed) or len(node.indices) != len(var.indices):
                return sp.S.Zero
            return sp.Mul(
                *[sp.KroneckerDelta(a, b) for a, b in zip(node.indices, var.indices, strict=True)]
            )
        if isinstance(node, sp.Symbol | sp.KroneckerDelta) or node.is_Number:
            return sp.S.Zero
        if isinstance(node, sp.Add):
            return sp.Add(*[self.go(a) for a in node.args])
        if isinstance(node, sp.Mul):
            return self.product(node)
        if isinstance(node, sp.Pow):
            return self.power(node)
        if isinstance(node, sp.exp):
            return node * self.go(node.args[0])
        if isinstance(node, sp.log):
            return self.go(node.args[0]) / node.args[0]
        if isinstance(node, sp.Sum):
            inner = self.go(node.function)
            return sp.Sum(inner, *node.limits) if inner != 0 else sp.S.Zero
        if isinstance(node, Opaque):
            indices = tuple(lim[0] for lim in node.limits)
            inner = self.go(node.entry)
            return sp.Sum(node.gradient[indices] * inner, *node.limits) if inner != 0 else sp.S.Zero
        if isinstance(node, sp.Derivative):
            inner = node.expr
            for v in node.variables:
                inner = differentiate(inner, v)
            return self.go(inner)
        if isinstance(node, SquareForm):  # SymPy's rules would miss its bound entries
            raise NotImplementedError(
                "a derivative of a determinant or inverse by a defined quantity: write it "
                "by the inputs"
            )
        if isinstance(node, sp.Function) and len(node.args) == 1:
            return node.fdiff(1) * self.go(node.args[0])
        return sp.diff(node, var)  # anything else: SymPy's own rules

    def product(self, node: sp.Mul) -> sp.Expr:
        """Product rule."""
        args = node.args
        terms = []
        for n, arg in enumerate(args):
            d = self.go(arg)
            if d != 0:
                terms.append(sp.Mul(*args[:n], d, *args[n + 1 :]))
        return sp.Add(*terms)

    def power(self, node: sp.Pow) -> sp.Expr:
        """Power rule, or the general rule when the exponent depends on the variable."""
        base, exponent = node.args
        if not self.mentioned(exponent):
            return exponent * base ** (exponent - 1) * self.go(base)
        return node * (self.go(exponent) * sp.log(base) + exponent * self.go(base) / base)
