"""Powers with a variable exponent as atoms of the zero test.

SymPy's ``cancel`` takes ``b^{γ − 1}`` as a generator of its own, unrelated to ``b^γ``
or to ``b``, and a base written two ways (``1 − σ(u)`` as ``1 − 1/(1 + e^{−u})`` or as
``1/(e^{u} + 1)``) as two bases: ``(1 − P)(1 − P)^{γ − 1} − (1 − P)^γ`` did not cancel.
:func:`power_atoms` writes each such power as ``c^n · A`` where ``c`` is the base
cancelled, ``n`` the integer part of the exponent and ``A`` an atom for ``c^r``, ``r``
the rest: one atom for ``c^r``, ``c^{−r}`` (``1/A``), ``(1/c)^{r}`` (``1/A``) and
``(1/c)^{−r}`` (``A``). That is valid wherever the power is real: for ``c > 0``
(``c^{n + r} = c^n c^r``, ``(1/c)^r = c^{−r} = 1/c^r``), and for an integer ``r`` with
``c ≠ 0``; the proof's side conditions already ask for ``c > 0``.
"""

from __future__ import annotations

import sympy as sp


def variable_power(node: sp.Basic) -> bool:
    """True for ``b^y`` whose exponent has a symbol and is not known to be an integer."""
    return (
        isinstance(node, sp.Pow)
        and bool(node.exp.free_symbols)
        and not node.exp.is_integer
        and node.base != sp.E
    )


def power_atoms(expr: sp.Expr) -> tuple[sp.Expr, dict[sp.Dummy, sp.Expr]]:
    """``expr`` with each variable power as an integer power of its base times an atom.

    Returns:
        The rewritten expression and each new atom with the power it stands for.
    """
    found = [p for p in expr.atoms(sp.Pow) if variable_power(p)]
    if not found:
        return expr, {}
    atoms: dict[tuple[sp.Expr, sp.Expr], sp.Dummy] = {}
    mapping = {}
    for power in sorted(found, key=sp.default_sort_key):
        base = sp.cancel(power.base)
        coeff, _ = power.exp.as_coeff_Add()
        whole = int(sp.floor(coeff)) if coeff.is_Rational else 0
        rest = power.exp - whole
        flipped = sp.cancel(1 / base)
        key, sign = (base, rest), 1
        if orientation(flipped) < orientation(base):
            key = (flipped, -rest)  # b^r = (1/b)^{−r}
        if key[1].could_extract_minus_sign():
            key, sign = (key[0], -key[1]), -1  # c^{−s} = 1/c^s
        if key not in atoms:
            atoms[key] = sp.Dummy(f"P{len(atoms)}")
        mapping[power] = base**whole * atoms[key] ** sign
    stands = {atom: sp.Pow(base, rest, evaluate=False) for (base, rest), atom in atoms.items()}
    return expr.xreplace(mapping), stands


def orientation(base: sp.Expr) -> tuple[bool, int, object]:
    """Which of ``c`` and ``1/c`` stands for both: one without a denominator, or a simpler."""
    denominator = sp.fraction(base)[1]
    return denominator != 1, sp.count_ops(denominator), sp.default_sort_key(base)
