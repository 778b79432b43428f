"""The report: a summary table, then each document's definitions, claims and steps."""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.checking.results import ClaimResult, Report
from derive.checking.steps import StepResult
from derive.model import Document
from derive.presenting import words
from derive.presenting.report.builder import Builder, Tex, join, math, text
from derive.printing import notation
from derive.proving import rename_bound
from derive.verdict import Verdict

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{booktabs}
\usepackage[margin=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}"""
LONGEST = 900  # characters of LaTeX beyond which an expression is summarised
LABELS = {  # the normaliser's own step names, with their math typeset
    "write e^{z_k} as u_k": Tex(r"\text{write $e^{z_k}$ as $u_k$}"),
    "left − right": Tex(r"\text{left $-$ right}"),
}
MARKS = {  # words.MARKS, typeset
    "✓": r"$\checkmark$",
    "✗": r"$\times$",
    "∅": r"$\emptyset$",
    "?": "?",
}


def render(reports: Sequence[Report], date: str, version: str) -> str:
    """The LaTeX text of a report on ``reports``, dated ``date``, by derive ``version``."""
    doc = Builder()
    doc.add(Tex(PREAMBLE))
    doc.command("title", Tex("derive report"))
    doc.command("author", text(f"derive {version}"))
    doc.command("date", text(date))
    with doc.environment("document"):
        doc.command("maketitle")
        names = ", ".join(r.document.name for r in reports)
        doc.add(text(f"Documents: {names}."))
        doc.blank()
        summary(doc, reports)
        for report in reports:
            document(doc, report)
    return doc.render()


def summary(doc: Builder, reports: Sequence[Report]) -> None:
    """One row per document: its claims by verdict and its wrong steps."""
    rows: list[list[Tex]] = []
    for report in reports:
        counts = [
            sum(1 for r in report.results if r.verdict.status == status)
            for status in ("proved", "verified", "refuted", "undecided")
        ]
        wrong = sum(1 for s in report.steps if s.status == "refuted")
        cells = [len(report.results), *counts, wrong]
        name = join([Tex(r"\texttt{"), text(report.document.name), Tex("}")])
        rows.append([name, *[Tex(str(n)) for n in cells]])
    header = [
        Tex(h)
        for h in ("document", "claims", "proved", "verified", "refuted", "undecided", "steps wrong")
    ]
    with doc.environment("center"):
        doc.table("lrrrrrr", header, rows)


def document(doc: Builder, report: Report) -> None:
    """One document's section."""
    d = report.document
    doc.command("section", text(d.title))
    sources = f"; sources: {', '.join(d.sources)}" if d.sources else ""
    doc.add(Tex(r"Document \texttt{"), text(d.name), Tex("}"), text(f"{sources}."))
    doc.blank()
    definitions(doc, d)
    if report.results:
        doc.command("subsection*", Tex("Claims"))
        for result in report.results:
            claim(doc, result, d)
    if report.steps:
        steps(doc, report)


def definitions(doc: Builder, d: Document) -> None:
    """Definitions and assumptions, as ``align*``."""
    if d.definitions:
        doc.command("subsection*", Tex("Definitions"))
        with doc.environment("align*"):
            lines = [
                join([display(notation.head(x.name, x.params)), Tex(" &= "), display(x.body)])
                for x in d.definitions.values()
            ]
            doc.add(join(lines, " \\\\\n"))
    if d.assumptions:
        doc.command("subsection*", Tex("Assumptions"))
        with doc.environment("align*"):
            lines = [
                join(
                    [
                        display(a.lhs),
                        Tex(" &= "),
                        display(a.rhs),
                        Tex(r" && \text{"),
                        text(a.name),
                        Tex("}"),
                    ]
                )
                for a in d.assumptions.values()
            ]
            doc.add(join(lines, " \\\\\n"))


def claim(doc: Builder, result: ClaimResult, d: Document) -> None:
    """A claim: statement, verdict, then its proof or its counterexample."""
    c, v = result.claim, result.verdict
    expected = "" if result.as_expected else " (not as the document expects)"
    doc.command("paragraph", join([Tex(r"\texttt{"), text(c.name), Tex("}")]))
    doc.add(text(words.sentence(v) + expected))
    if c.assume:
        doc.add(text(f" Assumes {', '.join(c.assume)}."))
    with doc.environment("equation*"):
        doc.add(display(c.lhs), Tex(" = "), display(c.rhs))
    if v.status == "proved" and v.steps:
        proof(doc, v, d)
    if v.status == "refuted":
        refutation(doc, v)


def proof(doc: Builder, v: Verdict, d: Document) -> None:
    """The normaliser's rewrite steps, one line each with its justification.

    Summation variables get index letters of their ranges, so nested sums differ.
    """
    with doc.environment("align*"):
        lines = []
        for n, (label, expr) in enumerate(v.steps):
            sign = "" if n == 0 else "="
            why = LABELS.get(label) or join([Tex(r"\text{"), text(label), Tex("}")])
            shown = display(rename_bound(expr, d))
            lines.append(join([Tex(f"{sign}&\\ "), shown, Tex(" && "), why]))
        doc.add(join(lines, " \\\\\n"))


def refutation(doc: Builder, v: Verdict) -> None:
    """The counterexample as a table, and the residual."""
    example = v.counterexample
    if example is not None:
        rows = [
            [text(name), text(str(value))]
            for name, value in {**example.sizes, **example.indices, **example.values}.items()
        ]
        rows += [[Tex("left side"), text(example.left)], [Tex("right side"), text(example.right)]]
        with doc.environment("center"):
            doc.table("ll", [Tex("at"), Tex("value")], rows)
    if v.residual is not None and v.residual != 0:
        case = f" when {v.residual_case}" if v.residual_case else ""
        doc.add(text(f"Left − right{case}:"))
        with doc.environment("equation*"):
            doc.add(display(v.residual))
    if v.holds_under:
        doc.add(text(f"It holds under {', '.join(v.holds_under)}."))
    doc.blank()


def steps(doc: Builder, report: Report) -> None:
    """The author's chain, each step marked."""
    doc.command("subsection*", Tex("Steps in the body"))
    doc.add(Tex(r"$\checkmark$ holds, $\checkmark^{*}$ holds under an assumption, "))
    doc.add(Tex(r"$\times$ wrong, ? not understood."))
    doc.blank()
    for result in report.steps:
        step(doc, result, report.document.cells)


def step(doc: Builder, result: StepResult, cells: Sequence[tuple[int, int]] = ()) -> None:
    """One step: its line (a notebook: cell and line), its mark, the step and what was found."""
    line = result.step.right.line
    where = f"line {line}"
    if 1 <= line <= len(cells):
        where = "cell {} line {}".format(*cells[line - 1])
    under = result.holds and result.verdict is not None and bool(result.verdict.holds_under)
    mark = Tex(r"$\checkmark^{*}$") if under else Tex(MARKS[words.MARKS[result.status]])
    doc.add(Tex(r"\noindent "), mark, Tex(" "), text(where), Tex(": "))
    if result.claim is not None:
        doc.add(inline_or_display(result.claim.lhs, result.claim.rhs))
    else:
        doc.add(
            Tex(r"\texttt{"),
            text(f"{result.step.left.text} = {result.step.right.text}"[:300]),
            Tex("}"),
        )
    if under and result.verdict is not None:
        doc.add(text(f" (under {', '.join(result.verdict.holds_under)})"))
    kinks = words.away_from_kinks(result.verdict.side_conditions) if result.verdict else ""
    if result.holds and kinks:
        doc.add(text(f" ({kinks})"))
    if result.status in ("unparsed", "vacuous", "undecided"):
        doc.add(Tex(r"\\ "), text(words.step_line(result)))
    if result.status == "refuted" and result.verdict is not None:
        expected = " (a slip the document lists)" if result.expect == "refuted" else ""
        doc.add(text(f" wrong{expected}."))
        refutation(doc, result.verdict)
    doc.blank()


def inline_or_display(lhs: sp.Basic, rhs: sp.Basic) -> Tex:
    """``lhs = rhs`` as display math."""
    return join([Tex(r"\[ "), display(lhs), Tex(" = "), display(rhs), Tex(r" \]")])


def display(expr: sp.Basic) -> Tex:
    """An expression as LaTeX, summarised when it is too long to read on a page."""
    try:
        written = math(expr)
    except (TypeError, ValueError, AttributeError):  # a construct the printer lacks
        return join([Tex(r"\text{"), text(notation.unicode(expr)), Tex("}")])
    if len(written) <= LONGEST:
        return written
    summary = text(f"(an expression of {sp.count_ops(expr)} operations)")
    return join([Tex(r"\text{"), summary, Tex("}")])
