"""What checking a document yields: each claim's result, each step's, and the document's.

Each shows as one short line (``repr``) and, in a notebook, as the HTML report
(``_repr_html_``, which Jupyter calls). That HTML is made in
:mod:`derive.presenting.html.inline`, a stage above this one: the display protocol
looks the method up on the result's own class, so it imports the presenter when called.
"""

from __future__ import annotations

from dataclasses import dataclass

from derive.checking.steps import StepResult
from derive.model import Claim, Document
from derive.reading.body import Unread, read_body
from derive.verdict import STATUSES, Verdict

STEP_STATUSES = (*STATUSES, "unparsed")  # in the order a report's line counts them


@dataclass(frozen=True)
class ClaimResult:
    """A claim and its verdict."""

    claim: Claim
    verdict: Verdict

    @property
    def as_expected(self) -> bool:
        """True when the verdict is what the document expects."""
        return self.verdict.meets(self.claim.expect)

    def __repr__(self) -> str:
        """``<ClaimResult gradient: proved, as expected>``."""
        expected = "as expected" if self.as_expected else "NOT as expected"
        return f"<ClaimResult {self.claim.name}: {self.verdict.status}, {expected}>"

    def _repr_html_(self) -> str:
        """The claim and its verdict as a notebook shows them: a one-row table of claims."""
        from derive.presenting.html import inline

        return inline.claim_html(self)


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

    def __repr__(self) -> str:
        """``<Report softmax-ce: 12 of 12 claims as expected; no steps>`` (or steps by status)."""
        expected = sum(r.as_expected for r in self.results)
        claims = f"{expected} of {len(self.results)} claims as expected"
        found = [s.status for s in self.steps]
        tally = [f"{found.count(s)} {s}" for s in STEP_STATUSES if s in found]
        unexpected = sum(not s.as_expected for s in self.steps)
        tally += [f"{unexpected} not as expected"] if unexpected else []
        steps = f"{len(found)} steps: {', '.join(tally)}" if found else "no steps"
        return f"<Report {self.document.name}: {claims if self.results else 'no claims'}; {steps}>"

    def _repr_html_(self) -> str:
        """The report as a notebook shows it: the HTML report, styled inside its own box."""
        from derive.presenting.html import inline

        return inline.report_html(self)


Result = ClaimResult | StepResult
