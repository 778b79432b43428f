"""An independent float64 evaluator for cross-checking verdicts.

It shares nothing with the provers: sums are expanded by SymPy at concrete sizes, and
each derivative is a central finite difference of the expanded expression, evaluated
with SymPy's own ``evalf``.
"""

from __future__ import annotations

import random
from collections.abc import Mapping

import sympy as sp

STEP = 1e-6


def concrete(expr: sp.Expr, env: Mapping[sp.Symbol, int]) -> sp.Expr:
    """Substitute sizes and indices and expand every sum."""
    expr = expr.xreplace({s: sp.Integer(v) for s, v in env.items()})
    return expr.replace(lambda n: isinstance(n, sp.Sum), lambda n: n.doit())


def evaluate(expr: sp.Expr, env: Mapping[sp.Symbol, int],
             point: Mapping[sp.Basic, float]) -> float:
    """Evaluate ``expr`` at ``point``; derivatives by central differences."""
    expr = concrete(expr, env)
    for node in sorted(expr.atoms(sp.Derivative), key=lambda d: -sp.count_ops(d)):
        if node not in expr.atoms(sp.Derivative):
            continue
        (var,) = node.variables
        inner = node.expr
        up = dict(point)
        down = dict(point)
        up[var] = point[var] + STEP
        down[var] = point[var] - STEP
        slope = (value(inner, up) - value(inner, down)) / (2 * STEP)
        expr = expr.xreplace({node: sp.Float(slope)})
    return value(expr, point)


def value(expr: sp.Expr, point: Mapping[sp.Basic, float]) -> float:
    """Plain float64 value of an expression without derivatives."""
    return float(expr.xreplace({k: sp.Float(v) for k, v in point.items()}).evalf())


def random_point(expr: sp.Expr, env: Mapping[sp.Symbol, int], rng: random.Random,
                 solve: sp.Basic | None = None) -> dict[sp.Basic, float]:
    """Random values for every input of ``expr`` at these sizes (z in [-2, 2], rest in [0.1, 1])."""
    leaves = concrete(expr, env).atoms(sp.Indexed) | {
        s for s in concrete(expr, env).free_symbols
        if isinstance(s, sp.Symbol) and not s.is_integer}
    point: dict[sp.Basic, float] = {}
    for leaf in sorted(leaves, key=str):
        point[leaf] = rng.uniform(-2, 2) if str(leaf).startswith("z") else rng.uniform(0.1, 1)
    return point
