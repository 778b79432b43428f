"""A document's results as plain data: what ``derive check`` prints, and its ``--json``.

A record holds only strings, numbers, booleans, lists and dictionaries, so that it can
be printed as JSON, kept between runs (:mod:`derive.checking.store`) and shown again without
SymPy. Its residuals are LaTeX; its messages are the one-line Unicode ones.
"""

from __future__ import annotations

from typing import Any

from derive import api
from derive.checking import steps
from derive.defaults import run_seed
from derive.model import Document
from derive.presenting import present

Record = dict[str, Any]


def document_record(report: api.Report) -> Record:
    """The record of one checked document."""
    claims = [claim_record(r) for r in report.results]
    return assemble(report.document, claims, [step_record(s) for s in report.steps])


def assemble(doc: Document, claims: list[Record], body: list[Record]) -> Record:
    """A document's record from the records of its claims and of its steps."""
    wrong = next((s for s in body if s["status"] == "refuted"), None)
    outcomes = [(s["status"], bool(s["holds_under"])) for s in body]
    return {
        "name": doc.name,
        "title": doc.title,
        "path": doc.path,
        "ok": all(entry["as_expected"] for entry in claims + body),
        "cached": False,
        "seed": run_seed(),
        "claims": claims,
        "steps": body,
        "steps_summary": steps.summary_of(outcomes) if body else "",
        "first_wrong_step": None if wrong is None else {"line": wrong["line"], "col": wrong["col"]},
    }


def entry(result: api.ClaimResult | steps.StepResult) -> Record:
    """The record of a claim's or a step's result."""
    if isinstance(result, api.ClaimResult):
        return claim_record(result)
    return step_record(result)


def claim_record(result: api.ClaimResult) -> Record:
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
        "residual": None if v.residual is None else present.latex(v.residual),
        "counterexample": v.counterexample.as_json() if v.counterexample else None,
        "holds_under": list(v.holds_under),
        "side_conditions": list(v.side_conditions),
        "message": v.message,
        "timed_out": v.timed_out,
    }


def step_record(result: steps.StepResult) -> Record:
    """One step's entry."""
    v = result.verdict
    return {
        "line": result.step.right.line,
        "col": result.step.right.col,
        "from": result.step.left.text,
        "to": result.step.right.text,
        "status": result.status,
        "as_expected": result.as_expected,
        "residual": None if v is None or v.residual is None else present.latex(v.residual),
        "counterexample": v.counterexample.as_json() if v and v.counterexample else None,
        "holds_under": list(v.holds_under) if v else [],
        "message": result.message,
        "expect": result.expect,
        "ms": None if v is None else round(v.ms, 1),
        "timed_out": bool(v and v.timed_out),
    }


def timed_out(record: Record) -> bool:
    """True when some check of the document reached its time limit."""
    return any(entry["timed_out"] for entry in (*record["claims"], *record["steps"]))
