"""A document's body in the report: its steps, each row marked in the margin."""

from __future__ import annotations

from derive.checking.results import Report
from derive.presenting import words
from derive.presenting.record import DocumentRecord, StepRecord
from derive.presenting.report.builder import Builder, Tex, join, math, text
from derive.presenting.report.evidence import evidence, mark
from derive.presenting.report.markdown import breakable
from derive.printing.texsafe import is_author_math

KEY = (
    r"Marks: $\checkmark$ holds (with the assumption it needs, if any), $\times$ wrong, "
    r"? not read or not decided."
)


def body(doc: Builder, report: Report, record: DocumentRecord) -> None:
    """The body's steps, marked; a wrong one followed by its evidence."""
    if not report.steps:
        return
    doc.command("subsection*", Tex("The body"))
    doc.add(Tex(KEY))
    doc.blank()
    for result, entry in zip(report.steps, record["steps"], strict=True):
        if result.claim is not None:
            row = join([math(result.claim.lhs), Tex(" = "), math(result.claim.rhs)])
            doc.add(Tex(r"\markedrow{"), step_mark(entry), Tex("}{"), row, Tex("}"))
        elif is_author_math(written := f"{entry['from']} = {entry['to']}"):
            doc.add(Tex(r"\markedrow{"), step_mark(entry), Tex("}{"), Tex(written), Tex("}"))
        else:
            escaped = breakable(text(written))
            doc.add(Tex(r"\markedtext{"), step_mark(entry), Tex("}{"), escaped, Tex("}"))
        explain(doc, entry)


def step_mark(entry: StepRecord) -> Tex:
    """The margin mark of a step: ✓ (and its assumption), ✗ or ?."""
    under = ", ".join(entry["holds_under"]) if entry["status"] in ("proved", "verified") else ""
    return mark(words.MARKS.get(entry["status"], "?"), under)


def explain(doc: Builder, entry: StepRecord) -> None:
    """Under a row: the evidence of a wrong step, or why a step was not decided."""
    if entry["status"] == "refuted":
        listed = " (a slip the document lists)" if entry["expect"] == "refuted" else ""
        doc.add(Tex(r"\note{"), text(f"Wrong{listed}:"), Tex("}"))
        evidence(doc, entry["counterexample"], entry["residual"], entry["holds_under"])
    elif entry["status"] in ("unparsed", "undecided", "vacuous"):
        doc.add(Tex(r"\note{"), breakable(text(entry["message"])), Tex("}"))
        doc.blank()
