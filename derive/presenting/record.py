"""Results as plain data: what ``derive check`` prints, keeps and gives with ``--json``.

A record holds only strings, numbers, booleans, lists and dictionaries, so that it can
be printed as JSON, kept between runs (:mod:`derive.checking.store`), sent from a
worker process (:mod:`derive.checking.runner`) and shown again without SymPy. Its
residuals are LaTeX; its messages are the one-line Unicode ones of
:mod:`derive.presenting.words`. The types below are the ``--json`` shape; :func:`dumps`
is the one place it is serialised.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, NotRequired, TypedDict, cast

from derive.defaults import run_seed
from derive.errors import DeriveError
from derive.presenting import words

if TYPE_CHECKING:  # a kept record is read and printed without SymPy: imported when used
    from derive.checking.check import Task
    from derive.checking.results import ClaimResult, Report, Result
    from derive.checking.steps import StepResult
    from derive.model import Document
    from derive.verdict import Counterexample, Verdict


class CounterexampleRecord(TypedDict):
    """Where the two sides differ: sizes, indices, input values, both sides' values."""

    sizes: dict[str, int]
    indices: dict[str, int]
    values: dict[str, str]
    left: str
    right: str


class ClaimRecord(TypedDict):
    """One claim's verdict."""

    name: str
    statement: str
    expect: str
    status: str
    as_expected: bool
    sizes: str
    method: str
    ms: float
    residual: str | None
    counterexample: CounterexampleRecord | None
    holds_under: list[str]
    side_conditions: list[str]
    notes: list[str]
    message: str
    timed_out: bool


StepRecord = TypedDict(
    "StepRecord",
    {
        "line": int,
        "col": int,
        "from": str,  # a keyword of Python's: hence this form
        "to": str,
        "status": str,
        "as_expected": bool,
        "residual": str | None,
        "counterexample": CounterexampleRecord | None,
        "holds_under": list[str],
        "side_conditions": list[str],
        "notes": list[str],
        "message": str,
        "expect": str,
        "ms": float | None,
        "timed_out": bool,
        "cell": NotRequired[int],  # in a notebook: the cell, and `line` is the line in it
    },
)
Entry = ClaimRecord | StepRecord


class Position(TypedDict):
    """A line and a column of the document (in a notebook: of the cell ``cell``)."""

    line: int
    col: int
    cell: NotRequired[int]


class UnreadRecord(TypedDict):
    """Display math of the body that is not a step: where, its text, and why."""

    line: int
    col: int
    text: str
    reason: str
    cell: NotRequired[int]  # in a notebook: the cell, and `line` is the line in it


class DocumentRecord(TypedDict):
    """One checked document: its claims, its steps, and whether all is as expected.

    ``unread`` lists the body's display math that is not a step; ``no_verdict`` is
    True when the body has display math and none of it got a verdict, which is not as
    expected. ``inferred`` holds the front-matter tables derive inferred from the body
    (empty when the front matter wrote them all), as ``derive infer`` prints them.
    """

    name: str
    title: str
    path: str
    ok: bool
    cached: bool
    seed: int
    claims: list[ClaimRecord]
    steps: list[StepRecord]
    steps_summary: str
    first_wrong_step: Position | None
    unread: list[UnreadRecord]
    no_verdict: bool
    inferred: dict[str, Any]


class ErrorRecord(TypedDict):
    """A document that could not be found or read, with the one line that says why."""

    path: str
    message: str


class CheckRecord(TypedDict):
    """``derive check --json``: one object for the whole run."""

    ok: bool
    seed: int
    documents: list[DocumentRecord]
    errors: list[ErrorRecord]


def entry(result: Result) -> Entry:
    """The record of a claim's or a step's result."""
    from derive.checking.results import ClaimResult

    if isinstance(result, ClaimResult):
        return claim_record(result)
    return step_record(result)


def counterexample(example: Counterexample | None) -> CounterexampleRecord | None:
    """A counterexample as plain data."""
    if example is None:
        return None
    return {
        "sizes": dict(example.sizes),
        "indices": dict(example.indices),
        "values": dict(example.values),
        "left": example.left,
        "right": example.right,
    }


def residual(verdict: Verdict | None) -> str | None:
    """The residual as LaTeX, when there is one."""
    from derive.printing.notation import latex

    return None if verdict is None or verdict.residual is None else latex(verdict.residual)


def claim_record(result: ClaimResult) -> ClaimRecord:
    """One claim's entry."""
    v = result.verdict
    return {
        "name": result.claim.name,
        "statement": result.claim.text,
        "expect": result.claim.expect,
        "status": v.status,
        "as_expected": result.as_expected,
        "sizes": v.sizes,
        "method": v.method,
        "ms": round(v.ms, 1),
        "residual": residual(v),
        "counterexample": counterexample(v.counterexample),
        "holds_under": list(v.holds_under),
        "side_conditions": list(v.side_conditions),
        "notes": [*result.claim.notes, *evidence_notes(v)],
        "message": words.claim_line(result.claim, v),
        "timed_out": v.timed_out,
    }


def evidence_notes(verdict: Verdict | None) -> list[str]:
    """What the counterexample does not respect of the document, as a note (or none)."""
    example = verdict.counterexample if verdict is not None else None
    return [words.unmet(example)] if example is not None and example.unmet else []


def step_record(result: StepResult) -> StepRecord:
    """One step's entry."""
    v = result.verdict
    return {
        "line": result.step.right.line,
        "col": result.step.right.col,
        "from": result.step.left.text,
        "to": result.step.right.text,
        "status": result.status,
        "as_expected": result.as_expected,
        "residual": residual(v),
        "counterexample": counterexample(v.counterexample if v else None),
        "holds_under": list(v.holds_under) if v else [],
        "side_conditions": list(v.side_conditions) if v else [],
        "notes": [*result.claim.notes, *evidence_notes(v)] if result.claim else [],
        "message": words.step_line(result),
        "expect": result.expect,
        "ms": None if v is None else round(v.ms, 1),
        "timed_out": bool(v and v.timed_out),
    }


def assemble(doc: Document, tasks: Sequence[Task], entries: Sequence[Entry]) -> DocumentRecord:
    """A document's record from the records of its tasks (claims, then steps)."""
    claims = [cast(ClaimRecord, e) for t, e in zip(tasks, entries, strict=True) if t.claim]
    body = [cast(StepRecord, e) for t, e in zip(tasks, entries, strict=True) if not t.claim]
    wrong = next((s for s in body if s["status"] == "refuted"), None)
    outcomes = [(s["status"], bool(s["holds_under"])) for s in body]
    unread = unread_records(doc)
    if doc.cells:
        in_cells(body, unread, doc.cells)
    no_verdict = bool(body or unread) and not any(s["status"] in VERDICTS for s in body)
    expected = all(c["as_expected"] for c in claims) and all(s["as_expected"] for s in body)
    return {
        "name": doc.name,
        "title": doc.title,
        "path": doc.path,
        "ok": expected and not no_verdict,
        "cached": False,
        "seed": run_seed(),
        "claims": claims,
        "steps": body,
        "steps_summary": words.steps_summary(outcomes) if body else "",
        "first_wrong_step": None if wrong is None else first_wrong(wrong),
        "unread": unread,
        "no_verdict": no_verdict,
        "inferred": {
            table: dict(keys) if isinstance(keys, Mapping) else list(keys)
            for table, keys in doc.inferred.items()
        },
    }


VERDICTS = ("proved", "verified", "refuted")  # a step that got one was checked


def first_wrong(step: StepRecord) -> Position:
    """Where the first wrong step is (its cell too, in a notebook)."""
    where: Position = {"line": step["line"], "col": step["col"]}
    if "cell" in step:
        where["cell"] = step["cell"]
    return where


def in_cells(
    steps: list[StepRecord], unread: list[UnreadRecord], cells: Sequence[tuple[int, int]]
) -> None:
    """Place the steps and the unread display math of a notebook in their cells.

    Each record's ``line`` is a line of the joined body; it becomes ``cell`` and the
    line in that cell (the column is the same).
    """
    for step in steps:
        if 1 <= step["line"] <= len(cells):
            step["cell"], step["line"] = cells[step["line"] - 1]
    for row in unread:
        if 1 <= row["line"] <= len(cells):
            row["cell"], row["line"] = cells[row["line"] - 1]


def unread_records(doc: Document) -> list[UnreadRecord]:
    """The body's display math that is not a step, each with its reason in words."""
    from derive.reading.body import read_body

    return [
        {
            "line": u.line,
            "col": u.col,
            "text": u.text,
            "reason": words.unread_reason(u.reason, u.detail),
        }
        for u in read_body(doc).unread
    ]


def document_record(report: Report) -> DocumentRecord:
    """The record of a document checked in this process (:func:`derive.api.check`)."""
    from derive.checking.check import tasks_of

    results: list[Result] = [*report.results, *report.steps]
    return assemble(report.document, tasks_of(report.document), [entry(r) for r in results])


def error_record(name: str, err: DeriveError) -> ErrorRecord:
    """The entry for a document that could not be found or read."""
    return {"path": name, "message": str(err)}


def timed_out(record: DocumentRecord) -> bool:
    """True when some check of the document reached its time limit."""
    return any(e["timed_out"] for e in (*record["claims"], *record["steps"]))


KEYS = {
    "name",
    "title",
    "path",
    "ok",
    "claims",
    "steps",
    "steps_summary",
    "first_wrong_step",
    "unread",
    "no_verdict",
    "inferred",
}


def kept(found: Mapping[str, Any]) -> DocumentRecord | None:
    """A record read back from the store, if it has everything printing it reads."""
    if not KEYS <= found.keys():
        return None
    claims, body = found["claims"], found["steps"]
    if not isinstance(claims, list) or not isinstance(body, list):
        return None
    fields = ("status", "as_expected", "message", "notes", "side_conditions")
    if not all(isinstance(e, dict) and all(f in e for f in fields) for e in claims + body):
        return None
    return cast(DocumentRecord, {**found, "cached": True})


def dumps(record: CheckRecord | DocumentRecord) -> str:
    """The JSON text of a run (``--json``) or of a document's record (for the store).

    The one place records become JSON.
    """
    return json.dumps(record, ensure_ascii=False)
