"""An independent float64 evaluator for cross-checking verdicts.

It shares nothing with the provers: sums are expanded by SymPy at concrete sizes, and
each derivative is a central finite difference of the expanded expression (nested, one
per variable, for second and higher derivatives), evaluated with SymPy's own ``evalf``.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

import sympy as sp

from derive import symbols
from derive.model import Claim, Document
from derive.proving import input_axes, with_uses
from derive.proving.expand import claim_meaning, meaning
from derive.verdict import Counterexample

STEP = 1e-6
HIGHER_STEP = 1e-4  # for second and higher derivatives: nested differences amplify rounding


def concrete(expr: sp.Expr, env: Mapping[sp.Symbol, int]) -> sp.Expr:
    """Substitute sizes and indices, make unspecified functions concrete, expand sums.

    ``act`` (and its primes) becomes ``tanh`` (and its derivatives); a loss ``C(z)``
    becomes the linear ``Σ_d ∂C/∂z[d] z[d]``, whose gradient is those inputs. The same
    expression at the same sizes is written out once (a point's inputs, then its value).
    """
    return written_out(expr, tuple(sorted(env.items(), key=lambda item: str(item[0]))))


@cache
def written_out(expr: sp.Expr, env: tuple[tuple[sp.Symbol, int], ...]) -> sp.Expr:
    """:func:`concrete`, remembered."""
    expr = expr.replace(lambda n: isinstance(n, symbols.Opaque), linear_loss)
    expr = expr.replace(symbols.is_undefined, tanh_family)
    expr = expr.xreplace({s: sp.Integer(v) for s, v in env})
    return expr.replace(lambda n: isinstance(n, sp.Sum), written_sum)


def written_sum(total: sp.Sum) -> sp.Expr:
    """A sum over integer limits, term by term (SymPy's ``doit`` looks for a closed form)."""
    terms = [total.function]
    for var, lo, hi in reversed(total.limits):
        if not (lo.is_Integer and hi.is_Integer):
            return total.doit()
        terms = [t.xreplace({var: sp.Integer(i)}) for t in terms for i in range(lo, hi + 1)]
    return sp.Add(*terms)


def linear_loss(node: symbols.Opaque) -> sp.Expr:
    """``Σ_d G[d] z[d]`` over the loss's limits."""
    indices = tuple(lim[0] for lim in node.limits)
    return sp.Sum(node.gradient[indices] * node.entry, *node.limits)


def tanh_family(node: sp.Function) -> sp.Expr:
    """``act`` with ``p`` primes: the ``p``-th derivative of ``tanh``."""
    name = type(node).derive_name
    order = len(name) - len(name.rstrip("'"))
    x = sp.Dummy("x")
    return sp.diff(sp.tanh(x), x, order).xreplace({x: node.args[0]})


def evaluate(expr: sp.Expr, env: Mapping[sp.Symbol, int], point: Mapping[sp.Basic, float]) -> float:
    """Evaluate ``expr`` at ``point``; derivatives by central differences."""
    expr = concrete(expr, env)
    for node in sorted(expr.atoms(sp.Derivative), key=lambda d: -sp.count_ops(d)):
        if node not in expr.atoms(sp.Derivative):
            continue
        step = STEP if len(node.variables) == 1 else HIGHER_STEP
        slope = difference(node.expr, point, list(node.variables), step)
        expr = expr.xreplace({node: sp.Float(slope)})
    return value(expr, point)


def difference(
    inner: sp.Expr, point: Mapping[sp.Basic, float], variables: list[sp.Basic], step: float
) -> float:
    """The derivative of ``inner`` by ``variables`` in turn, by nested central differences."""
    if not variables:
        return value(inner, point)
    var, rest = variables[0], variables[1:]
    up = {**point, var: point[var] + step}
    down = {**point, var: point[var] - step}
    return (difference(inner, up, rest, step) - difference(inner, down, rest, step)) / (2 * step)


def value(expr: sp.Expr, point: Mapping[sp.Basic, float]) -> float:
    """Plain float64 value of an expression without derivatives."""
    return float(expr.xreplace({k: sp.Float(v) for k, v in point.items()}).evalf())


def random_point(
    exprs: list[sp.Expr], env: Mapping[sp.Symbol, int], rng: random.Random
) -> dict[sp.Basic, float]:
    """Random values for the inputs of ``exprs`` (z in [-2, 2], the rest in [0.1, 1])."""
    leaves: set[sp.Basic] = set()
    for expr in exprs:
        flat = concrete(expr, env)
        leaves |= flat.atoms(sp.Indexed) | {
            s for s in flat.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer
        }
    point: dict[sp.Basic, float] = {}
    for leaf in sorted(leaves, key=str):
        point[leaf] = rng.uniform(-2, 2) if str(leaf).startswith("z") else rng.uniform(0.1, 1)
    return point


def impose_assumptions(
    document: Document,
    names: Iterable[str],
    env: Mapping[sp.Symbol, int],
    point: dict[sp.Basic, float],
) -> None:
    """Make ``Σ x = 1`` assumptions hold by rescaling the summed inputs."""
    for name in names:
        a = document.assumptions[name]
        difference = meaning(a.lhs - a.rhs, document)
        sums = list(difference.atoms(sp.Sum))
        assert len(sums) == 1 and a.rhs == 1, "only Σ x = 1 assumptions are rescaled here"
        terms = sp.Add.make_args(
            sums[0].xreplace({s: sp.Integer(v) for s, v in env.items()}).doit()
        )
        for term in terms:
            point.setdefault(term, random.random())
        total = sum(point[t] for t in terms)
        for term in terms:
            point[term] /= total


def holds_numerically(
    document: Document,
    claim: Claim,
    sizes: Sequence[int] | None = None,
    tries: int = 3,
    seed: str = "",
) -> bool:
    """True when ``claim`` holds at random points (finite differences, float64).

    By default at sizes 2, 3 and 5; with three sizes or more (a network's layers, written
    out at 5 each, take SymPy tens of seconds), at 2 and 3.
    """
    if sizes is None:
        sizes = (2, 3, 5) if len(document.sizes) < 3 else (2, 3)
    lhs, rhs = claim_meaning(claim, document)
    rng = random.Random(f"{seed}{claim.name}")
    indices = {symbols.index(i) for i in document.indices}
    free = sorted(symbols.free_symbols(lhs - rhs) & indices, key=str)
    for K in sizes:
        env = {symbols.size(s): K for s in document.sizes}
        for _ in range(tries):
            values = {i: rng.randint(1, K) for i in free}
            if any(
                c.left in values and c.right in values and values[c.left] == values[c.right]
                for c in claim.where
                if c.op == "!="
            ):
                continue
            env_i = {**env, **values}
            point = random_point([lhs, rhs], env_i, rng)
            impose_assumptions(document, claim.assume, env_i, point)
            try:
                left, right = evaluate(lhs, env_i, point), evaluate(rhs, env_i, point)
            except (TypeError, ZeroDivisionError):  # not a real number here: not an identity
                return False
            if abs(left - right) > 1e-4 * (1 + abs(left) + abs(right)):
                return False
    return True


def differs_at(
    document: Document, claim: Claim, example: Counterexample, digits: int = 50
) -> bool | None:
    """Evaluate both sides at a counterexample's point with SymPy at ``digits`` digits.

    Independent of the prover's evaluator: sums are expanded by SymPy, derivatives taken
    by SymPy's own ``diff`` on the expanded expressions. Returns True when the sides
    differ there, False when they agree, None when the point does not fix every input.
    """
    lhs, rhs = claim_meaning(claim, document)
    env = {symbols.size(n): v for n, v in example.sizes.items()}
    env |= {symbols.index(n): v for n, v in example.indices.items()}
    point = {}
    for name, indices, value in example.point:
        atom = symbols.tensor(name)[indices] if indices else symbols.scalar(name)
        point[atom] = sp.Rational(value) if "." not in value else sp.Float(value, digits)
    sides = []
    for side in (lhs, rhs):
        flat = concrete(side, env).doit()
        flat = flat.xreplace(padding(document, flat, env, lhs, rhs))
        number = flat.xreplace(point).evalf(digits)
        if not number.is_number or number.has(sp.zoo, sp.nan) or not number.is_real:
            return None
        sides.append(number)
    return bool(abs(sides[0] - sides[1]) > sp.Float(10) ** (5 - digits) * (1 + abs(sides[0])))


def padding(
    document: Document, flat: sp.Expr, env: dict[sp.Symbol, int], lhs: sp.Expr, rhs: sp.Expr
) -> dict[sp.Basic, sp.Expr]:
    """Entries of a zero-padded name outside its range (``x_3`` of an x over 2), as 0."""
    if not document.padded:
        return {}
    axes = with_uses(input_axes(document), document, lhs, rhs)
    zero: dict[sp.Basic, sp.Expr] = {}
    for atom in flat.atoms(sp.Indexed):
        name = symbols.base_name(atom)
        if name not in document.padded:
            continue
        sizes = [
            sp.sympify(sp.sympify(s).xreplace(env)) if s is not None else None
            for s in axes.get(name, ())
        ]
        for at, size in zip(map(sp.sympify, atom.indices), sizes, strict=False):
            if at.is_Integer and (at < 1 or (size is not None and size.is_Integer and at > size)):
                zero[atom] = sp.S.Zero
    return zero


def holds_at_50_digits(document: Document, claim: Claim, size: int = 3, seed: str = "") -> bool:
    """True when ``claim`` holds at a random rational point, evaluated at 50 digits.

    Sums are expanded and derivatives taken by SymPy's own ``doit``; assumptions
    ``Σ x = 1`` are made to hold exactly by rescaling.
    """
    lhs, rhs = claim_meaning(claim, document)
    rng = random.Random(f"mp{seed}{claim.name}")
    env = {symbols.size(s): size for s in document.sizes}
    indices = {symbols.index(i) for i in document.indices}
    free = sorted(symbols.free_symbols(lhs - rhs) & indices, key=str)
    for _ in range(20):  # index values meeting the claim's `where` conditions
        values = {i: rng.randint(1, size) for i in free}
        if not any(values.get(c.left, 0) == values.get(c.right, -1) for c in claim.where):
            break
    env |= values
    flat = [concrete(side, env).doit() for side in (lhs, rhs)]
    leaves = set()
    for side in flat:
        leaves |= side.atoms(sp.Indexed) | {
            s for s in side.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer
        }
    point = {  # logits in [-2, 2]; the rest odd twentieths in (0, 1), never 0 or 1
        leaf: sp.Rational(rng.randint(-20, 20), 10)
        if str(leaf).startswith("z")
        else sp.Rational(2 * rng.randint(1, 9) + 1, 20)
        for leaf in sorted(leaves, key=str)
    }
    for name in claim.assume:  # Σ x = 1, exactly
        a = document.assumptions[name]
        total = meaning(a.lhs - a.rhs, document).xreplace(env).doit() + 1
        terms = sp.Add.make_args(total)
        for term in terms:
            point.setdefault(term, sp.Rational(2 * rng.randint(1, 9) + 1, 20))
        scale = sum(point[t] for t in terms)
        for term in terms:
            point[term] /= scale
    left, right = (side.xreplace(point).evalf(50) for side in flat)
    return bool(abs(left - right) <= sp.Float(10) ** -40 * (1 + abs(left)))
