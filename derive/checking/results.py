"""What checking a document yields: each claim's result, each step's, and the document's."""

from __future__ import annotations

from dataclasses import dataclass

from derive.checking.steps import StepResult
from derive.model import Claim, Document
from derive.reading.body import Unread, read_body
from derive.verdict import Verdict


@dataclass(frozen=True)
class ClaimResult:
    """A claim and its verdict."""

    claim: Claim
    verdict: Verdict

    @property
    def as_expected(self) -> bool:
        """True when the verdict is what the document expects."""
        return self.verdict.meets(self.claim.expect)


@dataclass(frozen=True)
class Report:
    """The verdicts on every claim and every step of one document."""

    document: Document
    results: tuple[ClaimResult, ...]
    steps: tuple[StepResult, ...] = ()

    @property
    def first_wrong_step(self) -> StepResult | None:
        """The first step of the body that does not hold (listed slips included)."""
        return next((s for s in self.steps if s.status == "refuted"), None)

    @property
    def ok(self) -> bool:
        """True when every claim and every step came out as the document expects.

        A wrong step the document lists as a known slip is as expected; an undecided
        claim is not, nor is a body whose display math got no verdict
        (:attr:`no_verdict`). ``derive check`` exits with 0 exactly when this holds.
        """
        expected = all(r.as_expected for r in self.results)
        return expected and all(s.as_expected for s in self.steps) and not self.no_verdict

    @property
    def unread(self) -> list[Unread]:
        """The body's display math that is not a step (no ``=``, a condition …)."""
        return read_body(self.document).unread

    @property
    def no_verdict(self) -> bool:
        """True when the body has display math and no step of it got a verdict."""
        if not self.steps and not self.unread:
            return False
        return not any(s.status in ("proved", "verified", "refuted") for s in self.steps)


Result = ClaimResult | StepResult
