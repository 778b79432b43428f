"""Concrete sizes: exact zero tests modulo a prime at random points (Schwartz–Zippel).

At concrete sizes every claim of the softmax family is a rational function of the
inputs and of ``u_k = e^{z_k}``. If ``left − right`` is not identically zero, a random
point of GF(p)^n is a root of its numerator with probability at most ``D/p`` (``D`` a
bound on the numerator's degree, computed from the expression), so zeros at ``n``
points leave an error probability of at most ``(D/p)^n``. A nonzero value is only a
lead: a refutation is reported once a real counterexample confirms it.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from derive.prover.arithmetic import ModP, P, Undefined
from derive.prover.evaluate import Evaluator, impose

POINTS = 4
RESAMPLE = 3
FAILING_SIZES = 2

Instance = tuple[sp.Expr, Mapping[sp.Symbol, int]]


@dataclass(frozen=True)
class Problem:
    """A claim at concrete sizes: what to compare, over which indices, under what."""

    lhs: sp.Expr
    rhs: sp.Expr
    free: tuple[sp.Symbol, ...]  # the claim's free indices
    ranges: Mapping[sp.Symbol, sp.Expr]  # index -> size symbol (or a fixed number)
    distinct: tuple[tuple[sp.Basic, sp.Basic], ...] = ()
    equal: tuple[tuple[sp.Basic, sp.Basic], ...] = ()
    assumptions: tuple[tuple[sp.Expr, tuple[sp.Symbol, ...]], ...] = ()


@dataclass
class ModularResult:
    """What the modular check found over a list of size assignments."""

    checked: list[dict[sp.Symbol, int]] = field(default_factory=list)
    undefined: list[dict[sp.Symbol, int]] = field(default_factory=list)
    failures: list[tuple[dict[sp.Symbol, int], dict[sp.Symbol, int]]] = field(default_factory=list)
    error_bound: float = 0.0
    points: int = POINTS


def check_sizes(
    problem: Problem, size_list: Sequence[dict[sp.Symbol, int]], seed: int = 1
) -> ModularResult:
    """Test ``lhs − rhs`` for zero at each size assignment.

    Stops after :data:`FAILING_SIZES` sizes with a nonzero value, keeping every index
    assignment where it was nonzero: each is a place to look for a real counterexample.
    """
    result = ModularResult()
    for sizes in size_list:
        outcome = check_one(problem, sizes, seed)
        if outcome == "undefined":
            result.undefined.append(sizes)
            continue
        result.checked.append(sizes)
        if isinstance(outcome, list):
            result.failures.extend((sizes, indices) for indices in outcome)
            if len({tuple(f[0].items()) for f in result.failures}) >= FAILING_SIZES:
                return result
            continue
        result.error_bound = max(result.error_bound, float(outcome))
    return result


def check_one(
    problem: Problem, sizes: dict[sp.Symbol, int], seed: int
) -> float | list[dict[sp.Symbol, int]] | str:
    """Return the error bound if zero, the failing index values if not, or ``"undefined"``."""
    degree, bounded = 1, False
    vary = indices_in_limits(problem)  # else one degree bound serves every index value
    for point in range(POINTS):
        for attempt in range(RESAMPLE):
            arith = ModP(seed * 1_000_003 + point * 101 + attempt)
            try:
                impose(arith, sizes, instances(problem, sizes))
                evaluator = Evaluator(arith, sizes)
                failing = []
                for indices in assignments(problem, sizes):
                    evaluator.env.update(indices)
                    left, right = evaluator.value(problem.lhs), evaluator.value(problem.rhs)
                    if left != right:
                        failing.append(dict(indices))
                    elif point == 0 and (vary or not bounded):
                        bounded = True
                        at = {**sizes, **indices}
                        degree = max(degree, degree_bound(problem.lhs - problem.rhs, at))
                if failing:
                    return failing
                break
            except Undefined:
                continue
        else:
            return "undefined"
    return min(1.0, degree / P) ** POINTS


def defined_at(problem: Problem, sizes: dict[sp.Symbol, int], seed: int = 1) -> bool:
    """True when both sides have a value at these sizes (some random point works).

    At ``K = 1`` the per-class cross-entropy divides by ``Σ_{s≠t} e^{z_s} = 0``: every
    point is undefined, and this says so.
    """
    for attempt in range(RESAMPLE):
        arith = ModP(seed * 7919 + attempt)
        try:
            impose(arith, sizes, instances(problem, sizes))
            evaluator = Evaluator(arith, sizes)
            for indices in assignments(problem, sizes):
                evaluator.env.update(indices)
                evaluator.value(problem.lhs)
                evaluator.value(problem.rhs)
            return True
        except Undefined:
            continue
    return False


def instances(problem: Problem, sizes: Mapping[sp.Symbol, int]) -> list[Instance]:
    """Every assumption once per value of its free indices."""
    out: list[Instance] = []
    for expr, free in problem.assumptions:
        ranges = [range(1, top(problem, sizes, i) + 1) for i in free]
        for values in itertools.product(*ranges):
            out.append((expr, dict(zip(free, values, strict=True))))
    return out


def assignments(problem: Problem, sizes: Mapping[sp.Symbol, int]) -> Iterator[dict[sp.Symbol, int]]:
    """Values of the free indices to test.

    Without literal indices the claim is symmetric under relabelling, so one
    representative per pattern of equal indices suffices (values 1, 2, …); with them,
    every combination is tested.
    """
    free = problem.free
    if mentions_literal_index(problem):
        candidates: Iterator[tuple[int, ...]] = itertools.product(
            *[range(1, top(problem, sizes, i) + 1) for i in free]
        )
    else:
        candidates = (tuple(blocks) for blocks in patterns(len(free)))
    for values in candidates:
        chosen = dict(zip(free, values, strict=True))
        if all(chosen[i] <= top(problem, sizes, i) for i in free) and satisfies(problem, chosen):
            yield chosen


def patterns(n: int) -> Iterator[list[int]]:
    """Restricted growth strings: each pattern of equalities among ``n`` items once."""
    if n == 0:
        yield []
        return
    for head in patterns(n - 1):
        for value in range(1, max(head, default=0) + 2):
            yield [*head, value]


def satisfies(problem: Problem, chosen: Mapping[sp.Symbol, int]) -> bool:
    """True when the values meet the claim's ``where`` conditions.

    A condition on an index the claim does not have free says nothing about it.
    """

    def known(*xs: sp.Basic) -> bool:
        return all(isinstance(x, sp.Integer) or x in chosen for x in xs)

    def value(x: sp.Basic) -> int:
        return int(x) if isinstance(x, sp.Integer) else chosen[x]

    return all(value(a) != value(b) for a, b in problem.distinct if known(a, b)) and all(
        value(a) == value(b) for a, b in problem.equal if known(a, b)
    )


def mentions_literal_index(problem: Problem) -> bool:
    """True when an index position holds a number (``z_1``, ``δ_{1j}``)."""
    for expr in (problem.lhs, problem.rhs):
        for element in expr.atoms(sp.Indexed):
            if any(isinstance(i, sp.Integer) for i in element.indices):
                return True
        for delta in expr.atoms(sp.KroneckerDelta):
            if any(isinstance(i, sp.Integer) for i in delta.args):
                return True
    return False


def indices_in_limits(problem: Problem) -> bool:
    """True when a sum's limits depend on a free index (then degrees differ by index)."""
    free = set(problem.free)
    return any(
        free & set().union(*(lo.free_symbols | hi.free_symbols for _, lo, hi in s.limits))
        for side in (problem.lhs, problem.rhs)
        for s in side.atoms(sp.Sum)
    )


def degree_bound(expr: sp.Basic, env: Mapping[sp.Symbol, int]) -> int:
    """A bound on the numerator degree of ``expr`` as a rational function of the inputs."""
    num, den = degrees(expr, dict(env))
    return max(1, num + den)


def degrees(node: sp.Basic, env: dict[sp.Symbol, int]) -> tuple[int, int]:
    """Return (numerator, denominator) degree bounds of ``node``."""
    if node.is_Number or node.is_NumberSymbol or (isinstance(node, sp.Symbol) and node in env):
        return 0, 0
    if isinstance(node, (sp.Symbol, sp.Indexed)):
        return 1, 0
    if isinstance(node, sp.Add):
        n, d = 0, 0
        for arg in node.args:
            an, ad = degrees(arg, env)
            n, d = max(n + ad, an + d), d + ad
        return n, d
    if isinstance(node, sp.Mul):
        parts = [degrees(arg, env) for arg in node.args]
        return sum(p[0] for p in parts), sum(p[1] for p in parts)
    if isinstance(node, sp.Pow) and node.exp.is_Integer:
        n, d = degrees(node.base, env)
        e = int(node.exp)
        return (e * n, e * d) if e >= 0 else (-e * d, -e * n)
    if isinstance(node, sp.Sum):
        var, lo, hi = node.limits[0]
        count = (
            int(hi.xreplace({s: sp.Integer(v) for s, v in env.items()}))
            - int(lo.xreplace({s: sp.Integer(v) for s, v in env.items()}))
            + 1
        )
        n, d = degrees(node.function, {**env, var: 1})
        return n + max(count - 1, 0) * d, max(count, 1) * d
    if isinstance(node, sp.Derivative):
        n, d = degrees(node.expr, env)
        return n + d, 2 * d
    if isinstance(node, sp.exp):
        n, d = degrees(node.args[0], env)
        return n + len(node.args[0].free_symbols) + 1, d  # u-variables and the rest
    if isinstance(node, sp.KroneckerDelta):
        return 0, 0
    if node.args:
        parts = [degrees(arg, env) for arg in node.args]
        return 1 + sum(p[0] + p[1] for p in parts), sum(p[1] for p in parts) + 1
    return 1, 0


def top(problem: Problem, sizes: Mapping[sp.Symbol, int], index: sp.Symbol) -> int:
    """The largest value of ``index`` at these sizes (a fixed size is a number)."""
    size = problem.ranges[index]
    return int(size) if isinstance(size, sp.Integer) else sizes[size]
