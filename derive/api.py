"""The Python API: load documents, check them, and read the results.

>>> from derive import api
>>> report = api.check(api.load("softmax"))
>>> [(r.claim.name, r.verdict.status) for r in report.results][:2]
[('jacobian', 'proved'), ('diagonal', 'proved')]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from derive.checking.steps import StepResult, check_steps, noted
from derive.model import Claim, Document
from derive.presenting import present
from derive.proving import DEFAULT_SIZES, DEFAULT_TIMEOUT, prove_claim
from derive.proving.expand import entry_of
from derive.reading.catalog import find_document
from derive.reading.frontmatter import load_document
from derive.verdict import Verdict

Progress = Callable[[Document, Claim, int, int], None]


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
        claim is not. ``derive check`` exits with 0 exactly when this holds.
        """
        return all(r.as_expected for r in self.results) and all(s.as_expected for s in self.steps)


def load(name_or_path: str) -> Document:
    """Load a document by catalogue name or path.

    Raises:
        DeriveError: not found, or malformed (with ``file:line:col``).
    """
    doc = load_document(str(find_document(name_or_path)))
    for claim in doc.claims:
        entry_of(claim, doc)  # a matrix claim needs an index per dimension: say so now
    return doc


def check(
    doc: Document,
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Report:
    """Check every claim of ``doc``.

    Args:
        doc: a loaded document.
        sizes: concrete sizes tried when no all-K proof is found.
        timeout: seconds allowed per claim; past it the claim is ``undecided``.
        progress: called before each claim with (document, claim, number, total).
    """
    results = []
    for number, claim in enumerate(doc.claims, 1):
        if progress is not None:
            progress(doc, claim, number, len(doc.claims))
        results.append(check_claim(doc, claim, sizes, timeout))
    steps = [explain_step(doc, r) for r in check_steps(doc, sizes=tuple(sizes), timeout=timeout)]
    return Report(doc, tuple(results), tuple(steps))


def check_claim(
    doc: Document, claim: Claim, sizes: Sequence[int], timeout: float | None
) -> ClaimResult:
    """One claim's result, its residual in the document's names."""
    verdict = prove_claim(doc, claim, sizes=sizes, timeout=timeout)
    return ClaimResult(claim, explain(claim, verdict, doc))


def explain_step(doc: Document, result: StepResult) -> StepResult:
    """A checked step with its residual in its reading's names, and its message."""
    if result.claim is None or result.verdict is None:
        return result
    reading = doc.reading_at(result.step.right.line)
    verdict = explain(result.claim, result.verdict, reading)
    message = result.message if result.holds and result.message else verdict.message
    return replace(result, verdict=verdict, message=message)


def explain(claim: Claim, verdict: Verdict, doc: Document) -> Verdict:
    """Put the residual in the document's names and write the one-line message."""
    residual = verdict.residual
    if residual is not None and residual != 0:
        residual = present.readable(residual, doc)
    verdict = replace(verdict, residual=residual)
    return replace(verdict, message=message(claim, verdict))


def message(claim: Claim, verdict: Verdict) -> str:
    """One line that names the claim and the numbers, then how its text was read."""
    return noted(verdict_message(claim, verdict), claim.notes)


def verdict_message(claim: Claim, verdict: Verdict) -> str:
    """One line that names the claim and the numbers."""
    said = present.statement(claim.lhs, claim.rhs)
    conditions = f" ({', '.join(verdict.side_conditions)})" if verdict.side_conditions else ""
    if verdict.form:
        said = f"{said}  [{verdict.form}]"
    if verdict.status == "proved":
        return f"proved for {verdict.sizes}{conditions}: {said}"
    if verdict.status == "verified":
        bound = f", error ≤ {verdict.error_bound:.1e}" if verdict.error_bound else ""
        sizes = f" for {verdict.sizes}" if verdict.sizes else ""
        return f"verified{sizes} by {verdict.method}{bound}: {said}"
    if verdict.status == "refuted":
        text = f"refuted: {said}"
        if verdict.counterexample is not None:
            text += f"  at {verdict.counterexample.describe()}"
        if verdict.residual is not None and verdict.residual != 0:
            case = f" when {verdict.residual_case}" if verdict.residual_case else ""
            text += f"; left − right = {present.unicode(verdict.residual)}{case}"
        if verdict.holds_under:
            text += f"; holds under {', '.join(f'`{n}`' for n in verdict.holds_under)}"
        return text
    if verdict.status == "vacuous":
        return f"vacuous: {said}: {verdict.message}"
    return f"undecided: {said}: {verdict.message}"
