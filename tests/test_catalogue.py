"""Every catalogue document: each claim gets its expected verdict, and every proof is
cross-checked numerically by an independent evaluator."""

import random

import pytest
import sympy as sp

from derive import api, symbols
from derive.catalog import list_documents
from derive.prover.expand import claim_meaning, meaning
from tests.numeric import evaluate, random_point

DOCS = {path.stem: api.load(str(path)) for path in list_documents()}
REPORTS = {name: api.check(doc) for name, doc in DOCS.items()}
CASES = [(name, r.claim.name) for name, rep in REPORTS.items() for r in rep.results]


def result(doc: str, claim: str) -> api.ClaimResult:
    return next(r for r in REPORTS[doc].results if r.claim.name == claim)


@pytest.mark.parametrize(("doc", "claim"), CASES)
def test_expected_verdict(doc, claim):
    """The verdict is what the document expects, with evidence for refutations."""
    r = result(doc, claim)
    assert r.as_expected, r.verdict.message
    if r.verdict.status == "refuted":
        assert r.verdict.counterexample is not None
        assert r.verdict.residual is not None and r.verdict.residual != 0


@pytest.mark.parametrize(("doc", "claim"), CASES)
def test_proved_claims_hold_numerically(doc, claim):
    """Each proved or verified claim holds at random points, by finite differences."""
    r = result(doc, claim)
    if r.verdict.status not in ("proved", "verified"):
        pytest.skip("not proved")
    document = DOCS[doc]
    lhs, rhs = claim_meaning(r.claim, document)
    rng = random.Random(f"{doc}:{claim}")
    indices = {symbols.index(i): symbols.size(s) for i, s in document.indices.items()}
    for K in (2, 3, 5):
        env = {symbols.size(s): K for s in document.sizes}
        free = sorted((lhs - rhs).free_symbols & set(indices), key=str)
        for _ in range(3):
            values = {i: rng.randint(1, K) for i in free}
            if any(values.get(c.left) == values.get(c.right) for c in r.claim.where
                   if c.op == "!="):
                continue
            env_i = {**env, **values}
            point = random_point(lhs - rhs, env_i, rng)
            impose_assumptions(document, r.claim.assume, env_i, point)
            left, right = evaluate(lhs, env_i, point), evaluate(rhs, env_i, point)
            assert left == pytest.approx(right, rel=1e-4, abs=1e-6), (K, values)


def impose_assumptions(document, names, env, point):
    """Make sum-to-one assumptions hold by rescaling the summed inputs."""
    for name in names:
        a = document.assumptions[name]
        difference = meaning(a.lhs - a.rhs, document)
        sums = list(difference.atoms(sp.Sum))
        assert len(sums) == 1 and a.rhs == 1, "only Σ x = 1 assumptions are rescaled here"
        terms = sp.Add.make_args(
            sums[0].xreplace({s: sp.Integer(v) for s, v in env.items()}).doit())
        for term in terms:
            point.setdefault(term, random.random())
        total = sum(point[t] for t in terms)
        for term in terms:
            point[term] /= total
