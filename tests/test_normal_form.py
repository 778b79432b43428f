r"""Properties of the normal form behind all-K proofs (:class:`IndexCalculus`, ``zero_test``).

Hypothesis draws claims ``A = B`` from derive's constructs (sums over ``1..K`` and
``1..K−1``, nested sums, Kronecker deltas, ``e^{z_k}``, softmax and its logarithm,
derivatives ``∂/∂z_j``). ``B`` is ``A`` after a chain of valid rewrites (expanding,
splitting a sum, renaming or swapping summation variables, adding and subtracting a
term, sifting a delta, …), sometimes with a mutation that usually makes the claim false.

- soundness: when the normal form of ``A − B`` is zero, ``A`` and ``B`` written out by
  SymPy (``doit`` at sizes 1..5 from the proof's bounds, random index values) are
  exactly equal at random rational points;
- ``zero_test`` is a rational-function identity: a zero answer means zero at random
  values of the atoms, and a residual has the value of its input;
- a zero normal form of one expression means zero at random sizes and points;
- ``derive.prove`` never refutes a claim built true.

The exact comparison is the one of :mod:`tests.test_calculus`.
"""

from __future__ import annotations

import random
from collections.abc import Callable

import sympy as sp
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st

import derive
from derive import symbols
from derive.proving.index_calculus import IndexCalculus, Outcome, Unsupported, zero_test
from tests.test_calculus import agree, exactly_zero, inputs, undefined, written_out

K = symbols.size("K")
j, k, q, m, r = (symbols.index(n) for n in "jkqmr")
z, t = symbols.tensor("z"), symbols.tensor("t")
x = symbols.scalar("x")
KD = sp.KroneckerDelta
MAX_SIZE = 5
PROPERTY = settings(max_examples=60, deadline=None)


def S(body: sp.Expr, var: sp.Symbol = k, hi: sp.Expr = K) -> sp.Sum:
    """``Σ_{var=1}^{hi} body``."""
    return sp.Sum(body, (var, 1, hi))


def softmax(at: sp.Expr) -> sp.Expr:
    """``y_at = e^{z_at} / Σ_m e^{z_m}``."""
    return sp.exp(z[at]) / S(sp.exp(z[m]), m)


def calculus() -> IndexCalculus:
    """A fresh normaliser: j ranges over 1..K, K is the size."""
    return IndexCalculus({j: K, k: K, q: K, m: K, r: K}, sizes=frozenset({K}))


# -- claims ----------------------------------------------------------------------------


def summand(var: sp.Symbol) -> list[sp.Expr]:
    """Summands of derive's documents, in the summation variable ``var``."""
    return [
        z[var],
        t[var],
        sp.exp(z[var]),
        z[var] ** 2,
        t[var] * z[var],
        x * z[var],
        KD(var, j),
        t[var] * KD(var, j),
        z[var] * KD(var, 1),
        softmax(var),
        t[var] * sp.log(softmax(var)),
        z[var + 1] - z[var],
    ]


@st.composite
def pieces(draw: st.DrawFn, derivatives: bool = True) -> sp.Expr:
    """One factor of a claim: a sum, a nested sum, a free element, or a derivative."""
    kind = draw(st.sampled_from(["sum", "sum", "nested", "free", "derivative"]))
    if kind == "sum":
        hi = draw(st.sampled_from([K, K, K - 1]))
        body = draw(st.sampled_from(summand(k)))
        return S(body.xreplace({z[k + 1]: z[k]}) if hi == K else body, k, hi)
    if kind == "nested":
        outer = draw(st.sampled_from([z[k], t[k], KD(k, j), sp.exp(z[k])]))
        inner = draw(st.sampled_from([z[q], t[q] * z[k], KD(q, k), sp.exp(z[q] - z[k])]))
        return S(outer * S(inner, q), k)
    if kind == "free" or not derivatives:
        return draw(
            st.sampled_from(
                [z[j], t[j], sp.exp(z[j]), softmax(j), x, sp.log(S(sp.exp(z[m]), m)), 1 + x**2]
            )
        )
    return sp.Derivative(draw(claims(derivatives=False)), z[j], evaluate=False)


@st.composite
def claims(draw: st.DrawFn, derivatives: bool = True) -> sp.Expr:
    """One side: one to three terms, each a coefficient times one or two pieces."""
    total = sp.S.Zero
    for _ in range(draw(st.integers(1, 3))):
        coeff = sp.Integer(draw(st.sampled_from([-2, -1, 1, 1, 3])))
        factors = draw(st.lists(pieces(derivatives), min_size=1, max_size=2))
        total += coeff * sp.Mul(*factors)
    return total


def sums(expr: sp.Expr, change: Callable[[sp.Sum], sp.Expr | None]) -> sp.Expr:
    """Apply ``change`` to every sum it accepts (``None`` leaves a sum as it is)."""
    return expr.replace(lambda n: isinstance(n, sp.Sum) and change(n) is not None, change)


def split(total: sp.Sum) -> sp.Expr | None:
    """``Σ (a + b) = Σ a + Σ b``."""
    body = sp.expand(total.function, power_exp=False, log=False)
    if not isinstance(body, sp.Add):
        return None
    return sp.Add(*[sp.Sum(term, *total.limits) for term in body.args])


def rename(total: sp.Sum) -> sp.Expr | None:
    """``Σ_k f_k = Σ_r f_r`` for the outermost variable of a sum over k."""
    var, lo, hi = total.limits[-1]
    if var != k:
        return None
    return sp.Sum(total.function.xreplace({k: r}), *total.limits[:-1], (r, lo, hi))


def swap(total: sp.Sum) -> sp.Expr | None:
    """``Σ_k a_k Σ_q b_kq = Σ_q Σ_k a_k b_kq`` (both over 1..K)."""
    inner = [f for f in sp.Mul.make_args(total.function) if isinstance(f, sp.Sum)]
    if len(total.limits) != 1 or len(inner) != 1 or len(inner[0].limits) != 1:
        return None
    rest = total.function / inner[0]
    (var, _, hi), (var2, _, hi2) = total.limits[0], inner[0].limits[0]
    if hi != hi2 or hi.has(var2):
        return None
    return sp.Sum(sp.Sum(rest * inner[0].function, (var, 1, hi)), (var2, 1, hi2))


def pull(total: sp.Sum) -> sp.Expr | None:
    """``Σ_k c f_k = c Σ_k f_k`` for the factors ``c`` without the sum's variables."""
    bound = {lim[0] for lim in total.limits}
    const = [f for f in sp.Mul.make_args(total.function) if not f.free_symbols & bound]
    if not const or sp.Mul(*const) == 1:
        return None
    c = sp.Mul(*const)
    return c * sp.Sum(total.function / c, *total.limits)


def split_exp(node: sp.Basic) -> sp.Basic | None:
    """``e^{a + b} = e^a e^b``, the product left unevaluated."""
    if isinstance(node, sp.exp) and isinstance(node.args[0], sp.Add):
        return sp.Mul(*[sp.exp(a) for a in node.args[0].args], evaluate=False)
    return None


REWRITES: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "expand": lambda e: sp.expand(e, power_exp=False, log=False),
    "split sums": lambda e: sums(e, split),
    "rename k": lambda e: sums(e, rename),
    "swap order": lambda e: sums(e, swap),
    "pull constants": lambda e: sums(e, pull),
    "exp of a sum": lambda e: e.replace(lambda n: split_exp(n) is not None, split_exp),
    "add and subtract": lambda e: e + S(t[k] * z[k]) - S(z[r] * t[r], r),
    "sift a delta": lambda e: e + t[j] * z[j] - S(t[k] * z[k] * KD(k, j)),
    "constant sum": lambda e: e + S(x, k) - K * x,
    "split off the last term": lambda e: e + S(t[k]) - S(t[k], k, K - 1) - t[K],
    "derivative of a sum": lambda e: e + sp.Derivative(S(z[k] ** 2), z[j]) - 2 * z[j],
}
MUTATIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    "double": lambda e: 2 * e,
    "t for z": lambda e: e.xreplace({t: z}),
    "delta at 1": lambda e: e.xreplace({KD(k, j): KD(k, 1)}),
    "plus a sum": lambda e: e + S(z[k] * t[k]),
    "plus K": lambda e: e + K,
    "plus t_K": lambda e: e + t[K],
    "plus δ_1j": lambda e: e + KD(1, j),
    "times δ_Kj": lambda e: e * KD(K, j),
}


@st.composite
def rewritten(draw: st.DrawFn, mutate: bool) -> tuple[sp.Expr, sp.Expr, list[str]]:
    """A side ``A`` and ``B``: ``A`` after one to three rewrites (and maybe a mutation)."""
    a = draw(claims())
    names = draw(st.lists(st.sampled_from(sorted(REWRITES)), min_size=1, max_size=3))
    b = a
    for name in names:
        b = REWRITES[name](b)
    if mutate and draw(st.booleans()):
        name = draw(st.sampled_from(sorted(MUTATIONS)))
        b = MUTATIONS[name](b)
        names.append(f"mutated: {name}")
    return a, b, names


# -- checking ----------------------------------------------------------------------------


def sizes_covered(outcome: Outcome, rng: random.Random, count: int = 2) -> list[int]:
    """Random sizes from the proof's lower bound up to :data:`MAX_SIZE`."""
    low = outcome.bounds.get(K, 1)
    return rng.sample(range(low, MAX_SIZE + 1), min(count, MAX_SIZE + 1 - low))


def same_everywhere(a: sp.Expr, b: sp.Expr, sizes: list[int], rng: random.Random) -> bool:
    """``A`` and ``B`` written out agree exactly at each size, a random j and random points."""
    for n in sizes:
        env = {K: sp.Integer(n), j: sp.Integer(rng.choice([1, n, rng.randint(1, n)]))}
        left, right = written_out(a, env), written_out(b, env)
        if not agree(left, right, rng):
            return False
    return True


def decided(expr: sp.Expr) -> Outcome | None:
    """The normaliser's outcome for ``expr = 0``; ``None`` when it does not apply."""
    try:
        return calculus().decide(expr)
    except Unsupported:
        return None


@PROPERTY
@given(claim=rewritten(mutate=True), seed=st.integers(0, 2**16))
def test_a_zero_normal_form_is_sound(claim: tuple[sp.Expr, sp.Expr, list[str]], seed: int) -> None:
    """(a) Whenever the normal form of A − B is zero, A and B agree when written out."""
    a, b, how = claim
    outcome = decided(a - b)
    assume(outcome is not None)
    assert outcome is not None
    event(f"proved: {outcome.proved}")
    if outcome.proved:
        rng = random.Random(seed)
        sizes = sizes_covered(outcome, rng)
        assert same_everywhere(a, b, sizes, rng), f"proved but false: {a} = {b} ({how})"


@st.composite
def rational_functions(draw: st.DrawFn) -> sp.Expr:
    """A rational function of atoms (sums, elements, ln of a sum), often zero when simplified."""
    atoms = [S(z[k]), S(sp.exp(z[k])), z[j], t[j], sp.log(S(sp.exp(z[k]))), x]
    terms = st.tuples(
        st.integers(-2, 2), st.lists(st.sampled_from(atoms), max_size=3), st.integers(-1, 1)
    )
    drawn = draw(st.lists(terms, min_size=1, max_size=4))
    total = sp.S.Zero
    for coeff, factors, sign in drawn:
        term = coeff * sp.Mul(*factors)
        den = 1 + sp.Mul(*factors[:1]) ** 2
        total += term / den if sign else term
        if sign < 0:  # the same term written another way, subtracted: zero if nothing else
            total -= sp.expand(coeff * sp.Mul(*factors) * den) / sp.expand(den**2)
    return total


@PROPERTY
@given(expr=rational_functions(), seed=st.integers(0, 2**16))
def test_zero_test_is_a_rational_identity(expr: sp.Expr, seed: int) -> None:
    """(b) zero_test's 0 means zero for any values of the atoms; a residual keeps the value."""
    residual = zero_test(expr)
    atoms = sorted(
        expr.atoms(sp.Sum, sp.Indexed, sp.Function) | {x}, key=sp.default_sort_key, reverse=True
    )
    rng = random.Random(seed)
    for _ in range(3):
        values = {a: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for a in atoms}
        before, after = expr.xreplace(values), residual.xreplace(values)
        if undefined(before) or undefined(after):
            continue
        assert before == after, f"zero_test({expr}) = {residual}: {before} ≠ {after}"
    event(f"zero: {residual == 0}")


@PROPERTY
@given(claim=rewritten(mutate=True), seed=st.integers(0, 2**16))
def test_a_zero_normal_form_vanishes_at_random_sizes(
    claim: tuple[sp.Expr, sp.Expr, list[str]], seed: int
) -> None:
    """(b) A normal form of E = A − B that is zero (no case split) means E is zero.

    E is written out at random sizes from the proof's bounds and random points.
    """
    a, b, how = claim
    expr = a - b
    calc = calculus()
    try:
        normal = calc.normal_form(expr)
    except Unsupported:
        assume(False)
        return
    zero = zero_test(normal) == 0
    event(f"zero: {zero}")
    if not zero:
        return
    rng = random.Random(seed)
    low = calc.bounds.get(K, 1)
    for n in rng.sample(range(low, MAX_SIZE + 1), min(2, MAX_SIZE + 1 - low)):
        env = {K: sp.Integer(n), j: sp.Integer(rng.randint(1, n))}
        value = written_out(expr, env)
        point = {v: sp.Rational(rng.randint(-9, 9), rng.randint(1, 4)) for v in inputs(value)}
        at = value.xreplace(point)
        if not undefined(at):
            assert exactly_zero(at), f"normal form 0 but {expr} = {at} at {env} ({how})"


@settings(max_examples=60, deadline=None)
@given(claim=rewritten(mutate=False))
def test_valid_rewrites_are_not_refuted(claim: tuple[sp.Expr, sp.Expr, list[str]]) -> None:
    """(c) derive.prove never refutes A = B when B is A rewritten validly."""
    a, b, how = claim
    verdict = derive.prove(a, b, indices={j: K}, sizes=(1, 2, 3))
    event(verdict.status if verdict.status != "undecided" else verdict.message[:60])
    assert verdict.status != "refuted", f"{a} = {b} ({how}) refuted: {verdict.message}"
    assert "bug in derive" not in verdict.message, verdict.message


def test_chosen_rewrites_are_proved_for_all_sizes() -> None:
    """The rewrites the normal form is built for are proved outright, not just verified."""
    a = S(t[k] * (z[k] + x)) + S(z[k] * S(t[q] * KD(q, k), q)) + S(z[k] * KD(k, j))
    for name in ("expand", "split sums", "rename k", "swap order", "pull constants"):
        assert calculus().decide(a - REWRITES[name](a)).proved, name
    for name in ("add and subtract", "sift a delta", "constant sum", "derivative of a sum"):
        assert calculus().decide(a - REWRITES[name](a)).proved, name
    for name, mutation in MUTATIONS.items():
        assert not calculus().decide(a - mutation(a)).proved, name


def test_a_summand_that_cancels_as_a_whole_is_proved() -> None:
    """Σ_k (−t/p + (1 − t)/(1 − p)) p (1 − p) z_k = Σ_k (p − t) z_k, p = σ(x_k), for all K.

    Term by term the two summands become atoms that never meet; taken together (the
    sums have the same limits) their summands cancel as a rational function. The slip
    with t − p stays nonzero, and so does a summand that cancels only at K = 1.
    """
    w = symbols.tensor("w")

    def p(at: sp.Basic) -> sp.Expr:
        return symbols.sigmoid(w[at])

    chain = (-t[k] / p(k) + (1 - t[k]) / (1 - p(k))) * p(k) * (1 - p(k)) * z[k]
    assert calculus().decide(S(chain) - S((p(k) - t[k]) * z[k], q).xreplace({q: k})).proved
    assert calculus().decide(S(chain) - S(p(q) * z[q], q) + S(t[k] * z[k]) / 1).proved
    assert calculus().decide(S(chain) / K - S((p(k) - t[k]) * z[k] / K)).proved
    assert not calculus().decide(S(chain) - S((t[k] - p(k)) * z[k])).proved
    assert not calculus().decide(S(chain) - S((p(k) - t[k]) * z[k], k, K - 1)).proved


def test_a_roots_radicand_has_one_form() -> None:
    """ε + (Σ x² − (Σ x)²/K)/K and ε + Σ x²/K − (Σ x)²/K² under a root are one atom.

    Layer norm's gain gradient ``∂L/∂y_j x̂_j`` met its two forms: ``cancel`` took them
    for two generators, and the residual it left was zero.
    """
    eps = symbols.scalar("epsilon")
    s1, s2 = S(t[k]), S(t[k] ** 2)
    expanded = eps + s2 / K - s1**2 / K**2
    grouped = eps + sp.Mul(1 / K, s2 - s1**2 / K, evaluate=False)
    centred = z[j] * t[j] / sp.sqrt(expanded) - z[j] * s1 / (K * sp.sqrt(expanded))
    assert calculus().decide(centred - (t[j] - s1 / K) * z[j] / sp.sqrt(grouped)).proved
    assert not calculus().decide(centred - t[j] * z[j] / sp.sqrt(grouped)).proved


def test_powers_with_a_variable_exponent_meet() -> None:
    """(1 − σ)(1 − σ)^{γ−1} = (1 − σ)^γ, (1/(1 − σ))^γ (1 − σ)^{γ+1} = 1 − σ; not γ + 1."""
    gamma = symbols.scalar("gamma")
    b = 1 - symbols.sigmoid(x)
    assert calculus().decide(b * b ** (gamma - 1) - b**gamma).proved
    assert calculus().decide((1 / b) ** gamma * b ** (gamma + 1) - b).proved
    assert not calculus().decide(b * b ** (gamma - 1) - b ** (gamma + 1)).proved
    assert not calculus().decide(b ** (2 * gamma) - b**gamma).proved
