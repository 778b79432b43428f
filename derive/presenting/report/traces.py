r"""The appendix: each proof's rewrite trace, in the document's names, broken to fit.

A trace is the normaliser's ``left − right``, then one rewrite per row (differentiate,
``e^{z_k}`` as ``u_k``, reduce sums) down to ``0``; a wrong step's trace ends at the
residual, which is not zero. Each expression is folded back into the document's names
(:func:`derive.proving.readable`, as checking does for residuals) and a long one is
broken at its top-level ``+`` and ``−`` into several lines; a line still too wide is
scaled to the page (``\fitmath``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sympy as sp

from derive.model import Document
from derive.presenting.report.builder import Builder, Tex, display, join, text
from derive.proving import readable, rename_bound
from derive.verdict import Verdict

LINE = 90  # characters of LaTeX on one line of a trace before it is broken
LABELS = {  # the normaliser's own step names, with their math typeset
    "write e^{z_k} as u_k": Tex(r"write $e^{z_k}$ as $u_k$"),
    "left − right": Tex(r"left $-$ right"),
}


@dataclass(frozen=True)
class Trace:
    """A proof or refutation to show: what it is about, its verdict, and whose names."""

    title: str
    verdict: Verdict
    reading: Document


def appendix(doc: Builder, traces: Sequence[Trace]) -> None:
    """The appendix of traces, one subsection each."""
    shown = [t for t in traces if t.verdict.steps]
    if not shown:
        return
    doc.command("appendix")
    doc.command("section", Tex("Proof traces"))
    doc.add(text("Each proof, one rewrite per row, in the document's names. A trace ends at 0"))
    doc.add(text("(the claim holds) or at a residual that is not zero (it is wrong)."))
    doc.blank()
    for trace in shown:
        doc.command("subsection*", text(trace.title))
        for n, (labels, expr) in enumerate(merged(trace.verdict.steps)):
            rows(doc, labels, folded(expr, trace.reading), first=n == 0)
        doc.add(text(ending(trace.verdict)))
        doc.blank()


def ending(verdict: Verdict) -> str:
    """What the trace's last row means."""
    if verdict.steps and verdict.steps[-1][1] == 0:
        return "= 0: the two sides are equal."
    if verdict.status == "refuted":
        return "≠ 0: the residual is not zero; the counterexample shows it."
    return f"The trace stops here: {verdict.status} ({verdict.method})."


def merged(steps: Sequence[tuple[str, sp.Expr]]) -> list[tuple[list[str], sp.Expr]]:
    """The steps, with rewrites that left the expression as it was named in one row."""
    out: list[tuple[list[str], sp.Expr]] = []
    for label, expr in steps:
        if out and out[-1][1] == expr:
            out[-1][0].append(label)
        else:
            out.append(([label], expr))
    return out


def rows(doc: Builder, labels: Sequence[str], expr: sp.Expr, *, first: bool) -> None:
    """One rewrite: its names, then the expression over as many lines as it needs."""
    why = join([LABELS.get(label) or text(label) for label in labels], "; ")
    lines = broken(expr)
    lead = "" if first else "= "
    doc.add(Tex(r"\traceline{"), why, Tex("}{"), Tex(lead), lines[0], Tex("}"))
    for line in lines[1:]:
        doc.add(Tex(r"\tracemore{"), line, Tex("}"))


def folded(expr: sp.Expr, reading: Document) -> sp.Expr:
    """``expr`` in the document's names, or with its bound variables renamed at least."""
    try:
        return readable(expr, reading)
    except Exception:  # folding is for the reader: an expression it cannot take is shown as is
        return rename_bound(expr, reading)


def broken(expr: sp.Expr) -> list[Tex]:
    """``expr`` as lines of LaTeX, broken between top-level terms."""
    whole = display(expr)
    if len(whole) <= LINE or not isinstance(expr, sp.Add):
        return [whole]
    terms = [display(term) for term in sp.Add.make_args(expr)]
    lines: list[list[str]] = [[]]
    for term in terms:
        signed = term if term.startswith("-") else f"+ {term}"
        if lines[-1] and len(" ".join(lines[-1])) + len(signed) > LINE:
            lines.append([])
        lines[-1].append(signed)
    first = " ".join(lines[0]).removeprefix("+ ")
    return [Tex(first), *(join([Tex(x) for x in line], " ") for line in lines[1:])]
