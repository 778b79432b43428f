r"""derive's own calculus against SymPy's ``diff``, exactly, at concrete sizes.

:func:`derive.proving.calculus.differentiate` works on the symbolic expression: a sum
over ``k = 1..K`` stays a sum, ``∂z_k/∂z_j`` becomes ``δ_kj``. SymPy's ``diff`` is the
oracle on the expression written out: ``K`` replaced by 1..4, every sum expanded with
``doit``, the derivative taken with respect to one concrete element. Both derivatives
are then evaluated at random rational points and compared exactly: every ``e^q`` (``q``
rational) becomes a power of one variable standing for ``e``, and every other
transcendental number (``ln 2``, ``e^{e^{1/2}}``) a variable of its own, so equal
values are equal rational functions and ``cancel`` decides.
"""

from __future__ import annotations

import math
import random
from collections.abc import Iterator, Mapping

import pytest
import sympy as sp
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from derive import symbols
from derive.proving.calculus import differentiate
from derive.proving.index_calculus import IndexCalculus
from derive.proving.index_calculus import differentiate as evaluate_derivatives
from derive.symbols import sigmoid

K = symbols.size("K")
i, j, k, q = (symbols.index(n) for n in "ijkq")
z, t, w = symbols.tensor("z"), symbols.tensor("t"), symbols.tensor("w")
x = symbols.scalar("x")
KD = sp.KroneckerDelta
SIZES = (1, 2, 3, 4)
UNDEFINED = (sp.zoo, sp.nan, sp.oo, -sp.oo)


def S(body: sp.Expr, var: sp.Symbol = k, hi: sp.Expr = K) -> sp.Sum:
    """``Σ_{var=1}^{hi} body``."""
    return sp.Sum(body, (var, 1, hi))


def softmax(at: sp.Expr) -> sp.Expr:
    """``y_at = e^{z_at} / Σ_q e^{z_q}``."""
    return sp.exp(z[at]) / S(sp.exp(z[q]), q)


# -- exact comparison ------------------------------------------------------------------


def inputs(*exprs: sp.Expr) -> list[sp.Basic]:
    """The variables of written-out expressions: concrete elements and scalars."""
    found: set[sp.Basic] = set()
    for expr in exprs:
        found |= expr.atoms(sp.Indexed)
        found |= {s for s in expr.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer}
    return sorted(found, key=sp.default_sort_key)


def random_point(variables: list[sp.Basic], rng: random.Random) -> dict[sp.Basic, sp.Rational]:
    """A random rational for each variable (small numerators and denominators)."""
    return {v: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for v in variables}


def undefined(value: sp.Basic) -> bool:
    """True when a value has a division by zero or an infinity in it."""
    return value.has(*UNDEFINED) or value.has(sp.I)


def exactly_zero(value: sp.Expr) -> bool:
    """True when a number built from rationals, ``e^q`` and logarithms is exactly zero.

    Powers of ``e`` are combined first, so ``e^{-a} e^{a}`` is 1 whatever ``a`` is.

    Each ``e^q`` with rational ``q`` becomes ``V^{qL}`` for one variable ``V`` (``L`` the
    common denominator), so ``e^{1/2} e^{1/3} = e^{5/6}`` holds of the stand-ins too;
    every other transcendental subterm becomes an independent variable. Zero as a
    rational function of those variables means zero.
    """
    value = sp.powsimp(value, combine="exp", deep=True)  # e^{-a} e^{a} = 1, a not rational
    exps = [e for e in value.atoms(sp.exp) if e.args[0].is_Rational]
    common = math.lcm(1, *(int(e.args[0].q) for e in exps))
    v = sp.Dummy("V", positive=True)
    mapping: dict[sp.Basic, sp.Basic] = {e: v ** (e.args[0] * common) for e in exps}
    mapping[sp.E] = v**common
    value = value.xreplace(mapping)
    others = value.atoms(sp.exp, sp.log, sp.Function) - {sp.E}
    value = value.xreplace({a: sp.Dummy() for a in others})
    return sp.cancel(sp.together(value)) == 0


def agree(
    ours: sp.Expr, theirs: sp.Expr, rng: random.Random, *, points: int = 2, tries: int = 8
) -> bool:
    """True when two written-out expressions are exactly equal at random rational points.

    A point where either side is undefined is skipped; at least one point must be found.
    """
    variables = inputs(ours, theirs)
    checked = 0
    for _ in range(tries):
        at = random_point(variables, rng)
        left, right = ours.xreplace(at), theirs.xreplace(at)
        if undefined(left) or undefined(right):
            continue
        if not exactly_zero(left - right):
            return False
        checked += 1
        if checked == points:
            return True
    assert checked, f"no point where both sides are defined: {ours} vs {theirs}"
    return True


def written_out(expr: sp.Expr, env: Mapping[sp.Basic, sp.Basic]) -> sp.Expr:
    """``expr`` at a concrete size and index values, every sum expanded."""
    return expr.xreplace(dict(env)).doit()


def concrete_cases(
    free: tuple[sp.Symbol, ...], sizes: tuple[int, ...] = SIZES
) -> Iterator[dict[sp.Basic, sp.Basic]]:
    """Every size in ``sizes`` with every value of the free indices in ``1..K``."""
    for n in sizes:
        for values in _index_values(len(free), n):
            yield {K: sp.Integer(n), **dict(zip(free, map(sp.Integer, values), strict=True))}


def _index_values(count: int, n: int) -> Iterator[tuple[int, ...]]:
    """All tuples of ``count`` values in ``1..n``."""
    if count == 0:
        yield ()
        return
    for first in range(1, n + 1):
        for rest in _index_values(count - 1, n):
            yield (first, *rest)


def check_against_sympy(expr: sp.Expr, var: sp.Basic, rng: random.Random) -> None:
    """Assert derive's ``∂expr/∂var`` equals SymPy's at every size 1..4 and index value."""
    ours = differentiate(expr, var)
    free = tuple(
        sorted(
            (s for s in symbols.free_symbols(expr + var) if s.is_integer and s != K),
            key=str,
        )
    )
    for env in concrete_cases(free):
        theirs = sp.diff(written_out(expr, env), var.xreplace(env))
        mine = written_out(ours, env)
        assert agree(mine, theirs, rng), f"∂({expr})/∂{var} at {env}: {mine} ≠ {theirs}"


# -- chosen expressions ----------------------------------------------------------------

CASES: list[tuple[str, sp.Expr, sp.Basic]] = [
    ("sum of squares", S(z[k] ** 2), z[j]),
    ("sum of exponentials", S(sp.exp(z[k])), z[j]),
    ("log-sum-exp", sp.log(S(sp.exp(z[k]))), z[j]),
    ("softmax entry", softmax(i), z[j]),
    ("cross-entropy", -S(t[k] * sp.log(softmax(k))), z[j]),
    ("cross-entropy in t", -S(t[k] * sp.log(softmax(k))), t[j]),
    ("offset index", S(z[k + 1] * z[k], k, K - 1), z[j]),
    ("reversed index", S(z[k] * z[K + 1 - k]), z[j]),
    ("literal element", z[1] * S(z[k] ** 3), z[j]),
    ("quotient", 1 / (1 + S(z[k] ** 2)), z[j]),
    ("negative power", (2 + S(z[k])) ** -3, z[j]),
    ("variable exponent", (1 + z[i] ** 2) ** z[j], z[j]),
    ("sigmoid", S(t[k] * sigmoid(z[k])), z[j]),
    ("tanh", sp.tanh(S(z[k] * t[k])), z[j]),
    ("two indices", S(S(w[k, q] * z[q], q) ** 2), w[i, j]),
    ("matrix-vector in z", S(S(w[k, q] * z[q], q) ** 2), z[j]),
    ("delta in the summand", S(KD(k, i) * z[k] ** 2), z[j]),
    ("scalar", S(sp.exp(x * z[k])) + x**3, x),
    ("not mentioned", S(t[k] ** 2) + x, z[j]),
    ("derivative node", sp.Derivative(S(z[k] ** 3), z[i], evaluate=False), z[j]),
    ("second derivative node", sp.Derivative(sp.log(S(sp.exp(z[k]))), (z[i], 2)), z[j]),
]


@pytest.mark.parametrize(("expr", "var"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_matches_sympy_at_concrete_sizes(expr: sp.Expr, var: sp.Basic) -> None:
    """∂expr/∂var equals SymPy's derivative of the written-out expression, K = 1..4."""
    check_against_sympy(expr, var, random.Random(str(expr)))


def test_elements_differentiate_into_deltas() -> None:
    """∂z_k/∂z_j is δ_kj, one delta per index; another vector's elements give 0."""
    assert differentiate(z[k], z[j]) == KD(k, j)
    assert differentiate(w[k, q], w[i, j]) == KD(k, i) * KD(q, j)
    assert differentiate(t[k], z[j]) == 0
    assert differentiate(z[k], z[k]) == 1
    assert differentiate(S(z[k] ** 2), z[j]) == S(2 * z[k] * KD(k, j))
    assert differentiate(S(t[k]), z[j]) == 0


def test_deltas_sift_to_the_textbook_gradients() -> None:
    """Differentiated, then reduced: ∂Σ z_k²/∂z_j = 2 z_j, ∂ log Σ e^{z_k}/∂z_j = y_j."""
    calc = IndexCalculus({i: K, j: K, k: K, q: K}, sizes=frozenset({K}))
    assert calc.reduce(differentiate(S(z[k] ** 2), z[j])) == 2 * z[j]
    assert calc.conditions == ["1 ≤ j ≤ K"]
    grad = calc.reduce(differentiate(sp.log(S(sp.exp(z[k]))), z[j]))
    written = sp.Sum(sp.exp(z[symbols.index("κ1")]), (symbols.index("κ1"), 1, K))
    assert sp.simplify(grad - sp.exp(z[j]) / written) == 0


def test_derivative_nodes_are_evaluated_innermost_first() -> None:
    """index_calculus.differentiate evaluates nested Derivative nodes and nothing else."""
    inner = sp.Derivative(S(z[k] ** 3), z[i], evaluate=False)
    outer = sp.Derivative(inner * t[i], z[j], evaluate=False)
    expr = outer + S(t[k])
    got = evaluate_derivatives(expr)
    assert not got.has(sp.Derivative)
    assert got.has(S(t[k]))  # the rest is left as it was
    rng = random.Random(1)
    for env in concrete_cases((i, j)):
        assert agree(written_out(got, env), written_out(expr, env), rng), env


# -- random expressions ----------------------------------------------------------------

BOUND = (k, q)
DERIVATIVE_VARS = (z[j], z[1], t[j], x)


@st.composite
def expressions(draw: st.DrawFn, depth: int = 3, bound: tuple[sp.Symbol, ...] = ()) -> sp.Expr:
    """A small random expression in z, t and x, with sums over k and q.

    Leaves are numbers, x, elements with free, literal or bound indices (with offsets)
    and deltas; nodes are sums, products, integer powers, e^•, ln of positive things,
    and sums over ``1..K``.
    """
    kinds = ["leaf"] if depth == 0 else ["leaf", "add", "mul", "pow", "exp", "log", "sum"]
    kind = draw(st.sampled_from(kinds))
    if kind == "leaf":
        return draw(leaves(bound))
    below = expressions(depth - 1, bound)
    if kind == "add":
        return draw(below) + draw(below)
    if kind == "mul":
        return draw(below) * draw(below)
    if kind == "pow":
        return draw(below) ** draw(st.sampled_from([-2, -1, 2, 3]))
    if kind == "exp":
        return sp.exp(draw(below) / 2)
    if kind == "log":
        inner = draw(below)
        return sp.log(draw(st.sampled_from([1 + inner**2, sp.exp(inner)])))
    if len(bound) == len(BOUND):
        return draw(below)
    var = BOUND[len(bound)]
    return S(draw(expressions(depth - 1, (*bound, var))), var)


@st.composite
def leaves(draw: st.DrawFn, bound: tuple[sp.Symbol, ...]) -> sp.Expr:
    """A number, x, an element of z or t (free, literal or bound index), or a delta."""
    indices: list[sp.Expr] = [j, sp.Integer(1), sp.Integer(2)]
    indices += [b + off for b in bound for off in (0, 0, 0, 1)]
    kind = draw(st.sampled_from(["number", "x", "z", "z", "z", "t", "delta"]))
    if kind == "number":
        return sp.Integer(draw(st.sampled_from([-2, -1, 1, 2, 3])))
    if kind == "x":
        return x
    if kind == "delta":
        return KD(draw(st.sampled_from(indices)), draw(st.sampled_from([j, *bound, 2])))
    return (z if kind == "z" else t)[draw(st.sampled_from(indices))]


@settings(max_examples=100, deadline=None)
@given(
    expr=expressions(),
    var=st.sampled_from(DERIVATIVE_VARS),
    n=st.sampled_from(SIZES),
    seed=st.integers(0, 2**16),
)
def test_random_expressions_match_sympy(expr: sp.Expr, var: sp.Basic, n: int, seed: int) -> None:
    """For random expressions, derive's derivative equals SymPy's at a random size."""
    rng = random.Random(seed)
    env = {K: sp.Integer(n), j: sp.Integer(rng.randint(1, n))}
    ours = written_out(differentiate(expr, var), env)
    full = written_out(expr, env)
    assume(not undefined(full))
    theirs = sp.diff(full, var.xreplace(env))
    assert agree(ours, theirs, rng), f"∂({expr})/∂{var} at {env}: {ours} ≠ {theirs}"


def test_the_exact_comparison_can_tell() -> None:
    """The oracle's comparison separates nearby values and sees e^a e^b = e^{a+b}."""
    half, third = sp.Rational(1, 2), sp.Rational(1, 3)
    assert exactly_zero(sp.exp(half) * sp.exp(third) - sp.exp(half + third))
    assert exactly_zero(sp.exp(half) ** 2 - sp.E)
    assert not exactly_zero(sp.exp(half) - sp.Rational(1648721, 1000000))
    assert not exactly_zero(sp.log(3) - sp.log(2))
