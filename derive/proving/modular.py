"""Concrete sizes: exact zero tests modulo a prime at random points (Schwartz–Zippel).

At concrete sizes every claim of the softmax family is a rational function of the
inputs and of ``u_k = e^{z_k}``. If ``left − right`` is not identically zero, a random
point of GF(p)^n is a root of its numerator with probability at most ``D/p`` (``D`` a
bound on the numerator's degree, computed from the expression), so zeros at ``n``
points leave an error probability of at most ``(D/p)^n`` for each assignment of the
free indices. The prime is drawn at random for each run (127 bits; 521 where the
degree needs it), so that no literal can be made to vanish modulo it; it must divide
none of the claim's literals and leave ``D/p`` below ``2^-40``. The points come from the
run's seed too. A claim with a root, a non-integer power or a trigonometric
function has no exact counterpart modulo p: it is evaluated with mpmath at random real
points instead, and said to be so. A nonzero value is only a lead: a refutation is
reported once a real counterexample confirms it.

The free indices take every value at small sizes (up to 8, and 64 assignments); beyond,
each index takes 1, 2, 3, its size − 1 and its size, and each literal of the claim with
its two neighbours, in every combination: no symmetry is assumed.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field

import sympy as sp

from derive import symbols
from derive.defaults import run_seed
from derive.proving.arithmetic import TIES, ModP, NotExact, P, Real, Undefined, primes
from derive.proving.evaluate import Evaluator, impose

POINTS = 4
REAL_POINTS = 12  # numeric checks, at their first two sizes: points of every sign
MODES = ("signed", "positive", "negative", "wide")
RESAMPLE = 4
UNIT = "unit"  # the kind of real point tried after the others: inputs in (0, 1)
FAILING_SIZES = 2
MAX_ASSIGNMENTS = 64
FULL = 8  # up to this size, every value of every index is tried
SPARE_BITS = 40  # D/p must stay below 2^-40
DIGITS = 50  # real arithmetic, where exact evaluation is impossible
KINKED = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign)  # piecewise values
NOT_EXACT = (sp.sin, sp.cos, sp.tan, sp.atan, sp.Abs, sp.Piecewise, sp.Max, sp.Min, sp.Heaviside)

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
    axes: Mapping[str, tuple[sp.Expr | None, ...]] = field(default_factory=dict)  # inputs' sizes
    domain: tuple[tuple[sp.Expr, str], ...] = ()  # what the sides need as written
    padded: frozenset[str] = frozenset()  # inputs whose entries outside their axes are 0
    digits: int = 50  # real arithmetic's precision: more where the claim writes long numbers


@dataclass
class ModularResult:
    """What the concrete check found over a list of size assignments.

    ``prime`` is the modulus of an exact check, or ``None`` where the claim was
    evaluated with mpmath at random real points (not exact, no error bound).
    ``vacuous`` lists the sizes at which no index values meet the claim's conditions.
    """

    checked: list[dict[sp.Symbol, int]] = field(default_factory=list)
    undefined: list[dict[sp.Symbol, int]] = field(default_factory=list)
    vacuous: list[dict[sp.Symbol, int]] = field(default_factory=list)
    failures: list[tuple[dict[sp.Symbol, int], dict[sp.Symbol, int]]] = field(default_factory=list)
    error_bound: float = 0.0
    points: int = POINTS
    prime: int | None = P


def check_sizes(
    problem: Problem, size_list: Sequence[dict[sp.Symbol, int]], seed: int = 1
) -> ModularResult:
    """Test ``lhs − rhs`` for zero at each size assignment.

    Exact modulo a prime where the claim allows it, else with mpmath at random real
    points. Stops after :data:`FAILING_SIZES` sizes with a nonzero value, keeping every
    index assignment where it was nonzero: each is a place to look for a real
    counterexample.
    """
    try:
        return check_all(problem, size_list, seed, choose_prime(problem, size_list))
    except NotExact:
        return check_all(problem, size_list, seed, None)


def check_all(
    problem: Problem, size_list: Sequence[dict[sp.Symbol, int]], seed: int, prime: int | None
) -> ModularResult:
    """:func:`check_sizes` in one arithmetic."""
    result = ModularResult(prime=prime)
    for sizes in size_list:
        many = prime is None and len(result.checked) < 2  # numerically: more at first
        outcome = check_one(problem, sizes, seed, prime, REAL_POINTS if many else POINTS)
        if outcome == "undefined":
            result.undefined.append(sizes)
            continue
        if outcome == "vacuous":
            result.vacuous.append(sizes)
            continue
        result.checked.append(sizes)
        if isinstance(outcome, list):
            result.failures.extend((sizes, indices) for indices in outcome)
            if len({tuple(f[0].items()) for f in result.failures}) >= FAILING_SIZES:
                return result
            continue
        result.error_bound = max(result.error_bound, float(outcome))
    result.points = POINTS if prime is not None else REAL_POINTS
    return result


def arithmetic(
    prime: int | None,
    seed: int,
    attempt: int,
    point: int = 0,
    digits: int = DIGITS,
    kinked: bool = False,
) -> ModP | Real:
    """Exact arithmetic modulo ``prime``, or mpmath reals at random points.

    Real points take turns being of any sign, positive, negative and large; a point
    drawn again (a side was undefined) takes the next kind, and after :data:`RESAMPLE`
    kinds, inputs strictly between 0 and 1 (``(1 − p)^γ ln p`` is defined there only).
    A ``kinked`` claim (a piecewise value) also takes points of −1, 0 and 1, where
    conditions sit on their boundaries and terms tie (``[y > 0]`` against ``[y ≥ 0]``).
    """
    if prime is None:
        modes = (TIES, *MODES) if kinked else MODES  # ties first: at every size
        mode = modes[(point + attempt) % len(modes)] if attempt < RESAMPLE else UNIT
        extra = (digits - DIGITS) // 3  # the digits of the claim's longest number
        return Real({}, digits, seed=seed, mode=mode, agree=DIGITS * 2 // 3 + 2 * extra)
    return ModP(seed, prime)


def check_one(
    problem: Problem,
    sizes: dict[sp.Symbol, int],
    seed: int,
    prime: int | None,
    points: int = POINTS,
) -> float | list[dict[sp.Symbol, int]] | str:
    """The error bound if zero, else the failing index values, or a word for no check.

    The word is ``"undefined"`` (no point where both sides have a value), or
    ``"vacuous"`` (no index values meet the claim's conditions).
    """
    cases = list(assignments(problem, sizes))
    if not cases:
        return "vacuous"
    degree = 1
    if prime is not None:  # the largest index values make the longest sums
        top_values = {i: top(problem, sizes, i) for i in problem.free}
        degree = degree_bound(problem.lhs - problem.rhs, {**sizes, **top_values})
    kinked = (problem.lhs - problem.rhs).has(*KINKED, symbols.Extremum)
    for point in range(points):
        for attempt in range(RESAMPLE + (prime is None)):  # reals: a point in (0, 1) last
            where = seed * 1_000_003 + point * 101 + attempt
            arith = arithmetic(prime, where, attempt, point, problem.digits, kinked)
            try:
                impose(arith, sizes, instances(problem, sizes))
                evaluator = Evaluator(arith, sizes, problem.axes, problem.padded)
                failing = []
                for indices in cases:
                    evaluator.env.update(indices)
                    left, right = evaluator.value(problem.lhs), evaluator.value(problem.rhs)
                    if not arith.equal(left, right):
                        failing.append(dict(indices))
                if failing:
                    return failing
                break
            except Undefined:
                continue
        else:
            return "undefined"
    if prime is None:
        return 0.0
    return min(1.0, len(cases) * (degree / prime) ** POINTS)


def choose_prime(problem: Problem, size_list: Sequence[dict[sp.Symbol, int]]) -> int:
    """The smallest prime that divides no literal of the claim and leaves ``D/p < 2^-40``.

    Raises:
        NotExact: no prime qualifies (a literal such as ``2^{127} − 1``, or a degree
            too high), or the claim has a construct with no exact counterpart.
    """
    exprs = [problem.lhs, problem.rhs, *(a for a, _ in problem.assumptions)]
    for expr in exprs:
        if expr.has(*NOT_EXACT) or any(not_exact_power(x) for x in expr.atoms(sp.Pow)):
            raise NotExact("a root, a non-integer power, a trigonometric or piecewise function")
    literals = {abs(int(n)) for e in exprs for r in e.atoms(sp.Rational) for n in (r.p, r.q)}
    degree = 1
    for sizes in size_list[-1:]:  # the largest sizes come last (size 1 excepted)
        largest = {s: max(v, *(other.get(s, 1) for other in size_list)) for s, v in sizes.items()}
        at = {**largest, **{i: top(problem, largest, i) for i in problem.free}}
        degree = degree_bound(problem.lhs - problem.rhs, at)
    for prime in primes(run_seed()):
        if all(n % prime for n in literals if n) and degree < prime >> SPARE_BITS:
            return prime
    raise NotExact("no prime avoids the claim's literals and its degree")


def not_exact_power(power: sp.Pow) -> bool:
    """True for a root, a fractional power, or a power with a variable real exponent.

    ``b^{γ − 1}`` is ``e^{(γ − 1) ln b}``, and modulo p ``e`` and ``ln`` are random
    functions, not inverses: ``b · b^{γ − 1}`` and ``b^γ`` differ there, though they are
    equal over the reals. An integer exponent (a size, an index) is exact.
    """
    exponent = power.exp
    if exponent.is_integer or power.base == sp.E:
        return False
    return bool(exponent.is_Rational or isinstance(exponent, sp.Float) or exponent.free_symbols)


def defined_at(
    problem: Problem, sizes: dict[sp.Symbol, int], seed: int = 1, prime: int | None = P
) -> bool:
    """True when both sides have a value at these sizes (some random point works).

    At ``K = 1`` the per-class cross-entropy divides by ``Σ_{s≠t} e^{z_s} = 0``: every
    point is undefined, and this says so. False too where no index values meet the
    claim's conditions.
    """
    cases = list(assignments(problem, sizes))
    if not cases:
        return False
    for attempt in range(RESAMPLE + 1):  # reals: a point in (0, 1) last
        arith = arithmetic(prime, seed * 7919 + attempt, attempt, digits=problem.digits)
        try:
            impose(arith, sizes, instances(problem, sizes))
            evaluator = Evaluator(arith, sizes, problem.axes, problem.padded)
            for indices in cases:
                evaluator.env.update(indices)
                evaluator.value(problem.lhs)
                evaluator.value(problem.rhs)
            return True
        except Undefined:
            continue
        except NotExact:
            prime = None
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
    """Values of the free indices to test: every combination at small sizes.

    Past size 8 or :data:`MAX_ASSIGNMENTS` combinations, each index takes 1, 2, 3, its
    size − 1, its size, and every literal of the claim with its neighbours, in every
    combination.
    """
    free = problem.free
    tops = [top(problem, sizes, i) for i in free]
    total = 1
    for t in tops:
        total *= t
    values: list[Sequence[int]]
    if total <= MAX_ASSIGNMENTS and max(tops, default=0) <= FULL:
        values = [range(1, t + 1) for t in tops]
    else:
        near = {n + d for n in literals(problem) for d in (-1, 0, 1)}
        values = [sorted({v for v in {1, 2, 3, t - 1, t, *near} if 1 <= v <= t}) for t in tops]
    for combo in itertools.product(*values):
        chosen = dict(zip(free, combo, strict=True))
        if satisfies(problem, chosen):
            yield chosen


def literals(problem: Problem) -> set[int]:
    """The positive integers written in the claim (indices, bounds, coefficients)."""
    found: set[int] = set()
    for expr in (problem.lhs, problem.rhs, *(a for a, _ in problem.assumptions)):
        found |= {int(n) for n in expr.atoms(sp.Integer) if 0 < n <= 10_000}
    for a, b in (*problem.distinct, *problem.equal):
        found |= {int(x) for x in (a, b) if isinstance(x, sp.Integer)}
    return found


def satisfies(problem: Problem, chosen: Mapping[sp.Symbol, int]) -> bool:
    """True when the values meet the claim's ``where`` conditions.

    A condition on an index the claim does not have free says nothing about it; one
    between two literals holds or fails as it stands.
    """

    def known(*xs: sp.Basic) -> bool:
        return all(isinstance(x, sp.Integer) or x in chosen for x in xs)

    def value(x: sp.Basic) -> int:
        return int(x) if isinstance(x, sp.Integer) else chosen[x]

    return all(value(a) != value(b) for a, b in problem.distinct if known(a, b)) and all(
        value(a) == value(b) for a, b in problem.equal if known(a, b)
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
    if isinstance(node, sp.Sum | sp.Product):
        count, inner = 1, dict(env)
        for var, lo, hi in node.limits:  # a bound on the number of terms
            values = {s: sp.Integer(v) for s, v in env.items()}
            try:
                span = int(hi.xreplace(values)) - int(lo.xreplace(values)) + 1
            except TypeError:  # a limit bound by an outer sum: its largest value
                span = max(env.values(), default=1)
            count *= max(span, 1)
            inner[var] = 1
        n, d = degrees(node.function, inner)
        if isinstance(node, sp.Product):
            return count * n, count * d
        return n + max(count - 1, 0) * d, count * d
    if isinstance(node, sp.Derivative):
        n, d = degrees(node.expr, env)
        return n + d, 2 * d
    if isinstance(node, sp.exp):
        n, d = degrees(node.args[0], env)
        return n + len(node.args[0].free_symbols) + 1, d  # u-variables and the rest
    if isinstance(node, sp.KroneckerDelta):
        return 0, 0
    if isinstance(node, symbols.SquareForm):
        return square_degrees(node, env)
    if node.args:
        parts = [degrees(arg, env) for arg in node.args if isinstance(arg, sp.Basic)]
        return 1 + sum(p[0] + p[1] for p in parts), sum(p[1] for p in parts) + 1
    return 1, 0


def square_degrees(node: symbols.SquareForm, env: dict[sp.Symbol, int]) -> tuple[int, int]:
    """Degree bounds for ``det`` of an ``n×n`` matrix, or an entry of its inverse.

    ``det`` sums products of ``n`` entries over ``n²`` denominators; an inverse's
    entry is a cofactor over that ``det``.
    """
    n = int(node.size.xreplace({s: sp.Integer(v) for s, v in env.items()}))
    inner = {**env, **dict.fromkeys(node.bound, 1)}
    num, den = degrees(node.entry, inner)
    det = (n * num + n * n * den, n * n * den)
    if isinstance(node, symbols.InverseEntry):
        return sum(det), sum(det)
    return det


def top(problem: Problem, sizes: Mapping[sp.Symbol, int], index: sp.Symbol) -> int:
    """The largest value of ``index`` at these sizes (a fixed size is a number)."""
    size = problem.ranges[index]
    return int(size) if isinstance(size, sp.Integer) else sizes[size]
