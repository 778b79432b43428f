"""The recurrent cells of tests/data: a tanh RNN step and a full LSTM cell.

Each claim gets its expected verdict with no time limit (speed is measured by
``make bench``, never asserted here): the Jacobians are proved for all sizes, and each
slip is refuted with a counterexample the independent evaluator confirmed. Every proof
is cross-checked at 50 digits by ``tests/numeric.py``, which shares no code with the
prover.
"""

from functools import cache
from pathlib import Path

import pytest

from derive import api
from tests.numeric import holds_at_50_digits

DATA = Path(__file__).parent / "data"
DOCUMENTS = ("rnn-step", "lstm-cell")


@cache
def report(name: str) -> api.Report:
    return api.check(api.load(str(DATA / f"{name}.md")), timeout=None)


CASES = [(name, c.name) for name in DOCUMENTS for c in api.load(str(DATA / f"{name}.md")).claims]


@pytest.mark.parametrize(("doc", "claim"), CASES)
def test_expected_verdict(doc: str, claim: str) -> None:
    """Proved for all sizes, or refuted at a confirmed point where the sides differ."""
    r = next(r for r in report(doc).results if r.claim.name == claim)
    assert r.as_expected, r.verdict.message
    if r.claim.expect == "proved":
        assert r.verdict.status == "proved", r.verdict.message
        assert r.verdict.sizes.startswith("all ")
        assert r.verdict.unchecked == ()  # the second opinion agreed
        assert holds_at_50_digits(report(doc).document, r.claim)
    else:
        example = r.verdict.counterexample
        assert example is not None
        assert example.left != example.right


def test_the_slips_name_what_they_forget() -> None:
    """The LSTM slips differ from the true Jacobian where the forgotten path matters."""
    doc = api.load(str(DATA / "lstm-cell.md"))
    true = doc.claim("state-jacobian")
    for slip in ("state-jacobian-without-forget-path", "state-jacobian-without-slope"):
        assert doc.claim(slip).lhs == true.lhs
        assert doc.claim(slip).rhs != true.rhs
        assert not holds_at_50_digits(doc, doc.claim(slip))
