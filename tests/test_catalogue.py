"""Every catalogue document: each claim gets its expected verdict.

Every proof is also cross-checked numerically by an independent evaluator.
"""

import pytest

from derive import api
from derive.reading.catalog import list_documents
from tests.numeric import holds_at_50_digits, holds_numerically

DOCS = {path.stem: api.load(str(path)) for path in list_documents()}
REPORTS = {name: api.check(doc) for name, doc in DOCS.items()}
CASES = [(name, r.claim.name) for name, rep in REPORTS.items() for r in rep.results]
PROVED = [(name, c.name) for name, doc in DOCS.items() for c in doc.claims if c.expect == "proved"]


def result(doc: str, claim: str) -> api.ClaimResult:
    return next(r for r in REPORTS[doc].results if r.claim.name == claim)


@pytest.mark.parametrize(("doc", "claim"), CASES)
def test_expected_verdict(doc: str, claim: str) -> None:
    """The verdict is what the document expects, with evidence for refutations."""
    r = result(doc, claim)
    assert r.as_expected, r.verdict.message
    if r.claim.expect == "proved":  # every catalogue claim has symbolic sizes
        assert r.verdict.status == "proved", r.verdict.message
    if r.verdict.status == "refuted":
        assert r.verdict.counterexample is not None
        assert r.verdict.residual is not None and r.verdict.residual != 0


@pytest.mark.parametrize(("doc", "claim"), PROVED)
def test_proved_claims_hold_numerically(doc: str, claim: str) -> None:
    """Each proved or verified claim holds at random points, by finite differences."""
    r = result(doc, claim)
    assert r.verdict.status in ("proved", "verified")
    assert holds_numerically(DOCS[doc], r.claim)


@pytest.mark.parametrize(("doc", "claim"), PROVED)
def test_proved_claims_hold_at_50_digits(doc: str, claim: str) -> None:
    """Each proved claim also holds at a random rational point, SymPy at 50 digits."""
    r = result(doc, claim)
    assert holds_at_50_digits(DOCS[doc], r.claim)


def test_cross_check_can_fail() -> None:
    """The numeric cross-check rejects a false claim (it is not vacuous)."""
    doc = DOCS["softmax-ce"]
    assert not holds_numerically(doc, doc.claim("gradient-needs-targets"))
    assert holds_numerically(doc, doc.claim("gradient"))
    assert not holds_at_50_digits(doc, doc.claim("gradient-needs-targets"))
    assert holds_at_50_digits(doc, doc.claim("gradient"))
