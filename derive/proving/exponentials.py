"""The rational form: ``u = e^{z}`` for inputs, atoms for other exponentials, logs split.

After these rewrites every claim of the softmax family is a rational function of the
``u`` variables, the inputs and a few atoms (sums, ``ln`` of sums, ``e^{T}``).
"""

from __future__ import annotations

from collections.abc import Callable

import sympy as sp

from derive import symbols
from derive.symbols import base_name, rebuild


def exp_of(var: sp.Basic) -> sp.Basic:
    """Return the positive variable ``u`` standing for ``e^{var}``."""
    if isinstance(var, sp.Indexed):
        return sp.IndexedBase(f"e^{{{var.base.label}}}")[var.indices]
    return sp.Symbol(f"e^{{{var}}}", positive=True)


def log_of(u: sp.Basic) -> sp.Basic | None:
    """Return ``var`` when ``u`` stands for ``e^{var}``, else ``None``."""
    name = base_name(u)
    if name is None or not name.startswith("e^{"):
        return None
    inner = name[3:-1]
    if isinstance(u, sp.Indexed):
        return symbols.tensor(inner)[u.indices]
    return sp.Symbol(inner, real=True)


def rewrite(expr: sp.Basic, rule: Callable[[sp.Basic], sp.Basic | None]) -> sp.Basic:
    """Apply ``rule`` bottom-up (``None`` keeps a node), each distinct subtree once.

    SymPy's ``replace`` does the same but rebuilds and re-walks far more.
    """
    memo: dict[sp.Basic, sp.Basic] = {}

    def go(node: sp.Basic) -> sp.Basic:
        found = memo.get(node)
        if found is not None:
            return found
        rebuilt = node
        if node.args and not isinstance(node, sp.Indexed | sp.IndexedBase):
            args = [go(a) for a in node.args]
            if any(new is not old for new, old in zip(args, node.args, strict=True)):
                rebuilt = rebuild(node, args)
        out = rule(rebuilt)
        memo[node] = rebuilt if out is None else out
        return memo[node]

    return go(expr)


def is_input(var: sp.Basic) -> bool:
    """True for an input element ``z_k`` or a real scalar ``z`` (not an index or size)."""
    return isinstance(var, sp.Indexed) or (
        isinstance(var, sp.Symbol) and bool(var.is_real) and not var.is_integer
    )


def distribute(expr: sp.Expr) -> sp.Expr:
    """Multiply out products and integer powers of sums, and nothing else.

    Plain ``expand`` also turns ``e^{Σ f}`` into ``Π e^{f}`` and splits logarithms.
    """
    return sp.expand(expr, power_exp=False, power_base=False, log=False)


class exp_atom(sp.Function):
    """``e^{T}`` for a ``T`` that is not a sum of inputs: a positive atom.

    Unlike ``exp`` it does not absorb powers (``exp(T)**2`` becomes ``exp(2T)``), so
    ``e^{2T}`` and ``(e^{T})^2`` meet as the same atom squared.
    """

    is_positive = True
    is_real = True

    def _latex(self, printer: object) -> str:
        return "e^{" + printer._print(self.args[0]) + "}"  # type: ignore[attr-defined]


def to_u(expr: sp.Expr) -> sp.Expr:
    """Write ``e^{c_1 z_1 + c_2 T + ...}`` (integer ``c``) as ``u_1^{c_1} (e^T)^{c_2} ...``.

    Each input ``z`` gets the variable ``u = e^{z}``; any other term ``T`` gets the atom
    :class:`exp_atom` ``(T)``.
    """

    def convert(node: sp.exp) -> sp.Expr:
        out = sp.S.One
        rest = sp.S.Zero
        for term in sp.Add.make_args(distribute(node.args[0])):
            coeff, var = term.as_coeff_Mul()
            if not coeff.is_Integer:
                rest += term
            elif is_input(var):
                out *= exp_of(var) ** coeff
            elif var != 1:
                out *= exp_atom(var) ** coeff
            else:
                rest += term
        return out * (sp.exp(rest) if rest != 0 else 1)

    return rewrite(expr, lambda n: convert(n) if isinstance(n, sp.exp) else None)


def split_log(arg: sp.Expr) -> sp.Expr:
    """``ln(p/q) = ln p − ln q`` over the factors of ``p`` and ``q``; ``ln u = z``."""
    num, den = sp.fraction(sp.cancel(sp.together(arg)))
    return log_product(num) - log_product(den)


def log_product(expr: sp.Expr) -> sp.Expr:
    """Return the logarithm of a product of positive factors, term by term."""
    coeff, rest = expr.as_coeff_Mul()
    if coeff < 0:
        return sp.log(expr, evaluate=False)  # sign unknown factor by factor: keep it whole
    total = sp.log(coeff) if coeff != 1 else sp.S.Zero
    for factor in sp.Mul.make_args(rest):
        base, power = factor.as_base_exp()
        var = log_of(base)
        if var is None:
            var = sp.log(base) if base.is_Number else sp.log(base, evaluate=False)
        total += power * var
    return total
