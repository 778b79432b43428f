"""The one checking path: every claim and every step is checked by :func:`check_task`.

``derive check`` (in its worker processes, :mod:`derive.checking.runner`), ``derive
report``, the Python API (:func:`derive.api.check`) and the pytest plugin's items all
check here, so they give the same verdicts and turn the same failures into results: a
check never raises. A verdict's residual comes back in the document's names
(:func:`derive.proving.residuals.in_names`); words are for :mod:`derive.presenting`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace

from derive.checking.results import ClaimResult, Report, Result
from derive.checking.steps import PlannedStep, StepResult, plan_steps, run_step
from derive.errors import DeriveError
from derive.model import Claim, Document
from derive.proving import prove_claim
from derive.proving.residuals import in_names
from derive.verdict import Verdict

Progress = Callable[[Document, "Task", int, int], None]  # the task, its number, how many


@dataclass(frozen=True)
class Task:
    """One check of a document: a claim, or a planned step of its body."""

    claim: Claim | None = None
    step: PlannedStep | None = None


def tasks_of(doc: Document) -> list[Task]:
    """The document's claims, then its steps, in the document's order."""
    return [Task(claim=c) for c in doc.claims] + [Task(step=s) for s in plan_steps(doc)]


def check_task(doc: Document, task: Task, sizes: Sequence[int], timeout: float | None) -> Result:
    """Check one claim or step; a failure of derive's own becomes an undecided result."""
    try:
        if task.claim is not None:
            verdict = prove_claim(doc, task.claim, sizes=sizes, timeout=timeout)
            return ClaimResult(task.claim, folded(verdict, doc, task.claim.assume))
        assert task.step is not None
        result = run_step(task.step, tuple(sizes), timeout)
    except DeriveError as err:
        return stopped(task, f"cannot be read: {err}")
    except Exception as err:  # a bug: say so, and go on with the other checks
        return stopped(task, f"an internal error (a bug in derive): {type(err).__name__}: {err}")
    if result.verdict is None:
        return result
    return replace(result, verdict=folded(result.verdict, task.step.reading))


def folded(verdict: Verdict, doc: Document, assume: Sequence[str] = ()) -> Verdict:
    """``verdict`` with its residual in the document's names (``y_j`` for the softmax).

    Claims and steps alike: ``assume`` are the assumptions the residual was formed under.
    """
    residual = verdict.residual
    if residual is None or residual == 0:
        return verdict
    return replace(verdict, residual=in_names(residual, doc, assume))


def stopped(task: Task, why: str, timed_out: bool = False) -> Result:
    """The undecided result of a check that failed, or was stopped from outside."""
    verdict = Verdict("undecided", message=why, timed_out=timed_out)
    if task.claim is not None:
        return ClaimResult(task.claim, verdict)
    assert task.step is not None
    return StepResult(task.step.step, "undecided", verdict, why, expect=task.step.expect)


def check_document(
    doc: Document,
    *,
    sizes: Sequence[int],
    timeout: float | None,
    progress: Progress | None = None,
) -> Report:
    """Check every claim and every step of ``doc`` in this process."""
    tasks = tasks_of(doc)
    results: list[Result] = []
    for number, task in enumerate(tasks, 1):
        if progress is not None:
            progress(doc, task, number, len(tasks))
        results.append(check_task(doc, task, sizes, timeout))
    return report_of(doc, results)


def report_of(doc: Document, results: Sequence[Result]) -> Report:
    """A document's report from its results, claims then steps."""
    claims = tuple(r for r in results if isinstance(r, ClaimResult))
    steps = tuple(r for r in results if isinstance(r, StepResult))
    return Report(doc, claims, steps)
