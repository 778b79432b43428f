"""A normal-form proof is never discarded because another check could not be made.

The second opinion and the concrete check of the sizes below a proof's bounds may be
unable to evaluate a claim; the proof then stands and says what was not checked. A
second opinion that finds the sides different still wins over the proof.
"""

from pathlib import Path
from typing import Any

import pytest
import sympy as sp

import derive.proving as prover
from derive import api, memo, symbols
from derive.evaluating.opinion import Opinion
from derive.presenting import words
from derive.proving import prove_claim
from derive.proving.arithmetic import NotSupported

DATA = Path(__file__).parent / "data"


@pytest.fixture(autouse=True)
def fresh() -> None:
    """No verdict served from an earlier test's memory."""
    memo.clear()


def rnn_claim(name: str) -> tuple[Any, Any]:
    doc = api.load(str(DATA / "rnn-step.md"))
    return doc, doc.claim(name)


def test_proof_stands_when_the_second_opinion_cannot_evaluate(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An evaluator that cannot evaluate the claim leaves the proof, saying so."""
    gap = Opinion(None, 0, reason="the second opinion cannot evaluate it: a stand-in gap")
    monkeypatch.setattr(prover, "second_opinion", lambda *args, **kw: gap)
    doc, claim = rnn_claim("state-jacobian")
    verdict = prove_claim(doc, claim)
    assert verdict.status == "proved"
    assert verdict.unchecked == (("the second opinion", gap.reason),)
    line = words.claim_line(claim, verdict)
    assert "the second opinion: not checked (the second opinion cannot evaluate it" in line
    assert words.has_unchecked(line)


def test_a_difference_found_by_the_second_opinion_beats_a_proof(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sides that differ at a real point mean a bug in derive: never "proved"."""
    differ = Opinion(
        False, 3, sizes={"H": 2, "D": 1}, indices={"i": 1, "j": 2}, left="1", right="2"
    )
    monkeypatch.setattr(prover, "second_opinion", lambda *args, **kw: differ)
    doc, claim = rnn_claim("state-jacobian")
    verdict = prove_claim(doc, claim)
    assert verdict.status == "undecided"
    assert "the prover and the evaluator disagree (a bug in derive)" in verdict.message
    assert "left 1, right 2" in verdict.message


def test_proof_stands_when_the_sizes_below_cannot_be_evaluated(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Sizes below the proof's bounds that cannot be evaluated are named, not fatal."""
    H = symbols.size("H")
    monkeypatch.setattr(prover, "below_bounds", lambda *args: [{H: 1, symbols.size("D"): 1}])

    def cannot(*args: object) -> object:
        raise NotSupported("cannot evaluate Stand-in")

    monkeypatch.setattr(prover, "check_sizes", cannot)
    doc, claim = rnn_claim("state-jacobian")
    verdict = prove_claim(doc, claim)
    assert verdict.status == "proved"
    assert verdict.unchecked == (
        ("the sizes below the proof's bounds", "cannot evaluate Stand-in"),
    )
    assert verdict.residual == sp.S.Zero


def test_a_failure_below_the_bounds_still_refutes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluating the sizes below the bounds still runs, and a slip there is found."""
    H, D = symbols.size("H"), symbols.size("D")
    monkeypatch.setattr(prover, "below_bounds", lambda *args: [{H: 2, D: 2}])
    monkeypatch.setattr(prover, "all_k", lambda *args: _proved_outcome())
    doc, claim = rnn_claim("state-jacobian-without-slope")
    verdict = prove_claim(doc, claim)
    assert verdict.status == "refuted"


def _proved_outcome() -> Any:
    """A normal form that (wrongly) says zero: the concrete sizes must catch it."""
    from derive.proving.index_calculus import Outcome

    return Outcome(proved=True, residual=sp.S.Zero)
