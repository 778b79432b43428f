"""Sums over the same range taken together, and summands that cancel as a whole.

The index calculus reduces each sum term by term, and each term that is not a constant
or a delta becomes an atom: ``Σ_n (σ_n − t_n) x_nj`` and ``Σ_n (−t_n/σ_n + (1 − t_n)/
(1 − σ_n)) σ_n (1 − σ_n) x_nj`` split into atoms that do not meet, though their
summands are the same rational function. Two rules close that gap:

* :func:`merge_sums`: ``c Σ_n f_n + d Σ_n g_n = Σ_n (c f_n + d g_n)`` for sums over the
  same limits (linearity; the variables renamed alike, ``c`` and ``d`` free of them);
* :func:`cancels`: a summand that is zero as a rational function of its atoms sums to
  zero (it is zero wherever it is defined, at every value of the variable).
"""

from __future__ import annotations

import sympy as sp

from derive.proving.nonzero import surely_nonzero

CANCEL_OPS = 400  # a summand larger than this is not cancelled as a whole


def merge_sums(expr: sp.Expr) -> sp.Expr:
    """Join the terms ``c · Σ(…)`` of a sum of terms whose sums have the same limits.

    Only sums whose limits mention no other summation variable are joined, and only
    when a summand divides (a rational function whose terms may cancel as a whole);
    polynomial summands, such as the pre-activations ``Σ_m p_m U_km`` of an LSTM's gates,
    stay apart: joined, they become new atoms the other terms do not share (its Jacobian
    took 80 s to cancel instead of 0.5 s). Terms with no sum or more than one stay too.
    """
    groups: dict[tuple[tuple[sp.Basic, sp.Basic], ...], list[tuple[sp.Expr, sp.Sum]]] = {}
    others: list[sp.Expr] = []
    for term in sp.Add.make_args(expr):
        found = lone_sum(term)
        if found is None:
            others.append(term)
            continue
        coeff, total = found
        key = tuple((lo, hi) for _, lo, hi in total.limits)
        groups.setdefault(key, []).append((coeff, total))
    if all(len(members) < 2 for members in groups.values()):
        return expr
    out = list(others)
    for key, members in groups.items():
        if len(members) < 2 or not any(divides(total.function) for _, total in members):
            out += [coeff * total for coeff, total in members]
            continue
        fresh = [sp.Dummy(integer=True, positive=True) for _ in key]
        body = sp.Add(*[coeff * renamed(total, fresh) for coeff, total in members])
        out.append(sp.Sum(body, *[(new, lo, hi) for new, (lo, hi) in zip(fresh, key, strict=True)]))
    return sp.Add(*out)


def divides(summand: sp.Expr) -> bool:
    """True when ``summand`` has a division (a power with a negative exponent)."""
    return any(p.exp.is_negative for p in summand.atoms(sp.Pow))


def lone_sum(term: sp.Expr) -> tuple[sp.Expr, sp.Sum] | None:
    """``(c, Σ)`` for a term ``c · Σ`` with exactly one sum factor, limits independent."""
    sums = [f for f in sp.Mul.make_args(term) if isinstance(f, sp.Sum)]
    if len(sums) != 1:
        return None
    total = sums[0]
    bound = {lim[0] for lim in total.limits}
    if any((lo.free_symbols | hi.free_symbols) & bound for _, lo, hi in total.limits):
        return None
    return sp.Mul(*[f for f in sp.Mul.make_args(term) if f is not total]), total


def renamed(total: sp.Sum, fresh: list[sp.Dummy]) -> sp.Expr:
    """The summand of ``total`` with its variables renamed to ``fresh``, in order."""
    return total.function.xreplace(
        {lim[0]: new for lim, new in zip(total.limits, fresh, strict=True)}
    )


def cancels(summand: sp.Expr) -> bool:
    """True when ``summand`` is zero as a rational function of its atoms.

    Its sums, products, entries and functions (Kronecker deltas too) are independent
    variables; a summand that a random point already shows nonzero, or one too large to
    cancel quickly, is not cancelled (False: not shown, not a refutation).
    """
    atoms = sorted(
        summand.atoms(sp.Sum, sp.Product, sp.Indexed, sp.Function), key=sp.default_sort_key
    )
    # xreplace meets an outer atom before the atoms inside it, so nesting is harmless
    plain = summand.xreplace({a: sp.Dummy(f"A{n}") for n, a in enumerate(atoms)})
    if sp.count_ops(plain) > CANCEL_OPS or surely_nonzero(plain):
        return False
    return bool(sp.cancel(plain) == 0)
