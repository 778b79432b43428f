"""The prover's strategies, one by one, and the verdicts they combine into."""

from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from derive import api, symbols
from derive.printing import notation
from derive.proving import prove_claim
from derive.proving.arithmetic import ModP, Real
from derive.proving.evaluate import Evaluator
from derive.proving.index_calculus import IndexCalculus, kappa
from derive.proving.modular import Problem, assignments

DATA = Path(__file__).parent / "data"
K = symbols.size("K")
i, j, k = (symbols.index(n) for n in "ijk")
z, t = symbols.tensor("z"), symbols.tensor("t")
KD = sp.KroneckerDelta


def softmax(x: sp.Basic) -> sp.Expr:
    d = sp.Dummy("i", integer=True, positive=True)
    return sp.exp(z[x]) / sp.Sum(sp.exp(z[d]), (d, 1, K))


def calc(**kw: Any) -> IndexCalculus:
    return IndexCalculus({i: K, j: K, k: K}, **kw)


def test_delta_sifts_under_a_sum() -> None:
    """Σ_k g_k δ_kj = g_j, with the side condition recorded."""
    c = calc()
    assert c.reduce(sp.Sum(t[k] * KD(k, j), (k, 1, K))) == t[j]
    assert "1 ≤ j ≤ K" in c.conditions


def test_constant_sum_and_linearity() -> None:
    """Σ_k c = K c and Σ_k (a_k + c b_k) = Σ a + c Σ b, bound variables canonical."""
    c = calc()
    a = symbols.scalar("a")
    assert c.reduce(sp.Sum(a, (k, 1, K))) == K * a
    out = c.reduce(sp.Sum(t[k] + a * z[k], (k, 1, K)))
    assert out == sp.Sum(t[kappa(1)], (kappa(1), 1, K)) + a * sp.Sum(z[kappa(1)], (kappa(1), 1, K))


def test_excluded_index_splits_off_one_term() -> None:
    """Σ_{k≠j} t_k = Σ_k t_k − t_j."""
    out = calc().reduce(sp.Sum(t[k] * (1 - KD(k, j)), (k, 1, K)))
    assert out == sp.Sum(t[kappa(1)], (kappa(1), 1, K)) - t[j]


def test_jacobian_proved_and_wrong_sign_not() -> None:
    """∂y_k/∂z_j = y_k(δ_kj − y_j) normalises to zero; with + y_j it does not."""
    d = sp.Derivative(softmax(k), z[j], evaluate=False)
    assert calc().decide(d - softmax(k) * (KD(k, j) - softmax(j))).proved
    wrong = calc().decide(d - softmax(k) * (KD(k, j) + softmax(j)))
    assert not wrong.proved and wrong.case == "k = j"


def test_distinct_indices_drop_the_delta() -> None:
    """With k ≠ j declared, ∂ ln y_k/∂z_j = −y_j holds; without it, it does not."""
    d = sp.Derivative(sp.log(softmax(k)), z[j], evaluate=False) + softmax(j)
    assert calc(distinct=frozenset({frozenset((k, j))})).decide(d).proved
    assert not calc().decide(d).proved


def test_modular_and_real_agree_on_values() -> None:
    """The interpreter evaluates ∂y_1/∂z_1 = y_1(1 − y_1) exactly in both arithmetics."""
    expr = sp.Derivative(softmax(j), z[k], evaluate=False) - softmax(j) * (1 - softmax(j))
    env = {K: 3, j: 1, k: 1}
    assert Evaluator(ModP(5), env).value(expr) == 0
    real = Real({("z", (1,)): 0, ("z", (2,)): 1, ("z", (3,)): -1})
    assert abs(Evaluator(real, env).value(expr)) < 1e-40


def test_index_assignments_assume_no_symmetry() -> None:
    """Every value at small sizes; at large ones 1, 2, 3, the size − 1, the size and literals."""
    problem = Problem(z[j], z[k] + 7, (j, k), {j: K, k: K})
    assert len(list(assignments(problem, {K: 8}))) == 64
    tried = {tuple(a.values()) for a in assignments(problem, {K: 20})}
    values = {1, 2, 3, 6, 7, 8, 19, 20}  # 7 is written in the claim: 6, 7 and 8
    assert tried == {(a, b) for a in values for b in values}


def test_batch_assumption_with_a_free_index() -> None:
    """Σ_k t_{nk} = 1 for every n: the batch gradient is proved for all K and N."""
    report = api.check(api.load(str(DATA / "batch.md")))
    proved, refuted = (r.verdict for r in report.results)
    assert proved.status == "proved" and proved.sizes == "all K ≥ 1, N ≥ 1"
    assert refuted.status == "refuted" and refuted.holds_under == ("rows",)
    assert notation.unicode(refuted.residual) == "(Σ_i t_mi − 1)·p_mj/N"


def test_residual_in_the_documents_names() -> None:
    """The missing-assumption residual reads y_j (Σ t − 1)."""
    doc = api.load("softmax-ce")
    verdict = api.check(doc).results[2].verdict
    assert notation.latex(verdict.residual) == r"\left(\sum_{i=1}^{K} t_{i} - 1\right) y_{j}"


def test_time_limit_gives_undecided() -> None:
    """A claim past its time limit is undecided, not a hang."""
    doc = api.load("softmax-ce")
    verdict = prove_claim(doc, doc.claim("chain-rule"), timeout=0.001)
    assert verdict.status == "undecided"
    assert "time limit" in verdict.message


def test_verified_when_only_concrete_sizes_decide(monkeypatch: pytest.MonkeyPatch) -> None:
    """When the normal form cannot decide, concrete sizes verify with an error bound."""
    import derive.proving as prover

    monkeypatch.setattr(prover, "all_k", lambda *args: None)
    doc = api.load("softmax")
    verdict = prove_claim(doc, doc.claim("jacobian"), sizes=range(1, 5))
    assert verdict.status == "verified"
    assert verdict.sizes == "K = 1..4"
    assert verdict.error_bound is not None and verdict.error_bound < 1e-50


def test_powers_of_sums_built_as_they_stand_are_what_sympy_builds() -> None:
    """``rebuild`` skips SymPy's evaluation of a sum to an integer power: same result."""
    k, K = symbols.index("k"), symbols.size("K")
    z, t = symbols.tensor("z"), symbols.tensor("t")
    total = sp.Sum(sp.exp(z[k]), (k, 1, K))
    bases = [
        total,
        total - sp.exp(z[k]),
        1 + sp.exp(-z[k]),
        sp.Integer(1) + sp.log(2),
        K - 1,
        t[k] * total + 2 * sp.Sum(t[k], (k, 1, K)),
    ]
    for base in bases:
        for n in (-3, -2, -1, 2, 5):
            exponent = sp.Integer(n)
            assert symbols.plain_power(base, exponent)
            built = symbols.rebuild(base**2, [base, exponent])
            assert sp.srepr(built) == sp.srepr(sp.Pow(base, exponent))
    for base, exponent in [(1 + sp.I * z[k], -1), (total, 1), (total, 0), (total, k)]:
        assert not symbols.plain_power(base, sp.sympify(exponent))


def test_sums_that_skip_indices_are_the_written_out_sums() -> None:
    """``Σ_s f_s (1 − δ_st)(1 − δ_sr)`` agrees with the sum SymPy writes out.

    derive evaluates it as the full sum less ``f_t`` and ``f_r``: equal, different and
    out-of-range ``t`` and ``r`` are tried, inside an outer sum over ``t``, and with a
    sum for ``f``.
    """
    s, t, r, j, u = (symbols.index(n) for n in "strju")
    K = symbols.size("K")
    z, y = symbols.tensor("z"), symbols.tensor("y")

    def skipping(a: sp.Symbol) -> sp.Expr:
        body = sp.exp(z[s]) * y[s] * (1 - sp.KroneckerDelta(s, a))
        return sp.Sum(body * (1 - sp.KroneckerDelta(s, r)), (s, 1, K))

    inner = sp.Sum(y[s] * z[u], (s, 1, K))  # SymPy merges Σ_u of a sum into one sum
    merged = sp.Sum((1 - sp.KroneckerDelta(u, r)) * inner, (u, 1, K))
    expr = z[j] / skipping(t) + sp.Sum(y[u] / skipping(u), (u, 1, K)) + merged
    values = {(n, (i,)): Fraction(i + 2, 3 + (n == "y")) for n in "zy" for i in range(1, 8)}
    for k, tv, rv in [(4, 2, 2), (4, 2, 3), (4, 1, 4), (3, 5, 1), (2, 1, 3), (5, 6, 7)]:
        env = {K: k, t: tv, r: rv, j: 1}
        numbers = {K: sp.Integer(k), t: sp.Integer(tv), r: sp.Integer(rv), j: sp.S.One}
        written = expr.xreplace(numbers).doit()
        assert not written.has(sp.Sum)
        modular = [Evaluator(ModP(11), env).value(e) for e in (expr, written)]
        assert modular[0] == modular[1]
        real = [Evaluator(Real(values), env).value(e) for e in (expr, written)]
        assert abs(real[0] - real[1]) < 1e-40


def test_prove_knows_a_size_that_only_bounds_a_sum() -> None:
    """derive.prove: K, met only as a sum's limit, is a size (checked at K = 1, 2, …)."""
    from derive.api import prove

    K = sp.Symbol("K", integer=True, positive=True)
    k = sp.Symbol("k", integer=True, positive=True)
    t, z = sp.IndexedBase("t"), sp.IndexedBase("z")
    total = sp.Sum(sp.exp(z[k]), (k, 1, K))
    proved = prove(sp.Derivative(sp.log(total), z[1]), sp.exp(z[1]) / total)
    assert proved.status == "proved" and proved.sizes == "all K ≥ 1"
    wrong = prove(sp.Sum(t[k], (k, 1, K)) ** 2, sp.Sum(t[k] ** 2, (k, 1, K)))
    assert wrong.status == "refuted" and wrong.counterexample is not None
    assert wrong.counterexample.sizes == {"K": 2}


def test_a_power_of_a_sum_is_not_a_sum_of_powers_when_printed() -> None:
    """(Σ_k t_k)^2 and Σ_k t_k^2 print differently on one line."""
    K, k, t = symbols.size("K"), symbols.index("k"), symbols.tensor("t")
    total = sp.Sum(t[k], (k, 1, K))
    assert notation.unicode(total**2) == "(Σ_k t_k)^2"
    assert notation.unicode(sp.Sum(t[k] ** 2, (k, 1, K))) == "Σ_k t_k^2"
    assert notation.unicode(t[1] / total**2) == "t_1/(Σ_k t_k)^2"
    assert notation.unicode(1 / total) == "1/Σ_k t_k"


BATCH = r"""+++
name = "batch"
[sizes]
N = "samples"
D = "features"
[indices]
n = "N"
i = "D"
j = "D"
[shapes]
X = "N x D"
w = "D"
t = "N"
p = "N"
[definitions]
"z_n" = '\sum_{i=1}^{D} w_i X_{ni}'
"p_n" = '\sigma(z_n)'
"A" = '-\frac{1}{N} \sum_{n=1}^{N} \left(t_n \ln p_n + (1 - t_n) \ln (1 - p_n)\right)'
[[claims]]
name = "matrix"
statement = '\frac{\partial A}{\partial w} = \frac{1}{N} (p - t)^T X'
[[claims]]
name = "matrix-split"
statement = '\frac{\partial A}{\partial w} = \frac{1}{N} p^T X - \frac{1}{N} t^T X'
[[claims]]
name = "matrix-flipped"
statement = '\frac{\partial A}{\partial w} = \frac{1}{N} (t - p)^T X'
expect = "refuted"
[[claims]]
name = "cancel-in-sum"
statement = '''
\sum_{n=1}^{N} \left(-\frac{t_n}{p_n} + \frac{1 - t_n}{1 - p_n}\right) p_n (1 - p_n)
  X_{nj} = \sum_{n=1}^{N} (p_n - t_n) X_{nj}'''
+++
"""

GAIN = r"""+++
name = "gain"
[sizes]
D = "features"
[indices]
i = "D"
k = "D"
[functions]
'L(\mathbf{y})' = "loss"
[definitions]
'\mu' = '\frac{1}{D} \sum_{k=1}^{D} x_k'
"v" = '\frac{1}{D} \sum_{k=1}^{D} (x_k - \mu)^2'
'\hat{x}_i' = '\frac{x_i - \mu}{\sqrt{v + \epsilon}}'
"y_i" = '\gamma_i \hat{x}_i + \beta_i'
[[claims]]
name = "gain"
statement = '\frac{\partial L}{\partial \gamma_i} = \frac{\partial L}{\partial y_i} \hat{x}_i'
[[claims]]
name = "gain-without-centring"
statement = '''
\frac{\partial L}{\partial \gamma_i}
  = \frac{\partial L}{\partial y_i} \frac{x_i}{\sqrt{v + \epsilon}}'''
expect = "refuted"
+++
"""


@pytest.mark.parametrize("text", [BATCH, GAIN], ids=["logistic-batch", "layer-norm-gain"])
def test_cancellations_inside_sums_are_proved_for_all_sizes(text: str, tmp_path: Path) -> None:
    """A summand that cancels as a whole, a root's radicand in two forms: proved, not verified.

    The logistic gradient in matrix form, a cancellation under Σ_n … X_nj, and layer
    norm's gain gradient were only verified at sizes 1..8 (and the matrix form took
    seconds); their slips stay refuted.
    """
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    report = api.check(api.load(str(path)))
    for result in report.results:
        want = result.claim.expect or "proved"
        assert result.verdict.status == want, (result.claim.name, result.verdict.message)
        if want == "proved":
            assert result.verdict.sizes.startswith("all "), result.verdict.sizes
