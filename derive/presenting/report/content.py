r"""The report: a summary, then each document as written, marked; proofs in an appendix.

Per document: its claims with their verdicts (a wrong one followed by its
counterexample and residual), then its body (:mod:`.body`), then, at the end of the
report, every proof trace (:mod:`.traces`). Marks stand in the left margin: ✓ holds
(with the assumption it needs, if any), ✗ wrong, ? not read or undecided.
"""

from __future__ import annotations

from collections.abc import Sequence

from derive.checking.check import tasks_of
from derive.checking.results import ClaimResult, Report
from derive.checking.steps import StepResult
from derive.presenting import words
from derive.presenting.record import ClaimRecord, DocumentRecord, document_record
from derive.presenting.report.body import body
from derive.presenting.report.builder import Builder, Tex, display, join, text
from derive.presenting.report.evidence import evidence, mark
from derive.presenting.report.markdown import breakable
from derive.presenting.report.traces import Trace, appendix

PREAMBLE = r"""\documentclass[11pt]{article}
\usepackage[utf8]{inputenc}
\usepackage{amsmath,amssymb}
\usepackage{booktabs,array,graphicx}
\usepackage[top=2cm,bottom=2cm,left=3.2cm,right=2cm]{geometry}
\allowdisplaybreaks
\setlength{\parindent}{0pt}
\setlength{\parskip}{4pt}
\sloppy\setlength{\emergencystretch}{3em}
\newsavebox{\fitbox}
% math at its size, or scaled down to the width #1 when it is wider
\newcommand{\fitmath}[2]{\sbox{\fitbox}{$\displaystyle #2$}%
  \ifdim\wd\fitbox>#1\relax\resizebox{#1}{!}{\usebox{\fitbox}}\else\usebox{\fitbox}\fi}
% a row of math, centred, with its mark #1 in the left margin
\newcommand{\markedrow}[2]{\par\noindent\llap{#1\hspace{1.2em}}%
  \makebox[\linewidth][c]{\fitmath{\linewidth}{#2}}\par}
% a row that is not math derive could typeset: its text, with its mark
\newcommand{\markedtext}[2]{\par\noindent\llap{#1\hspace{1.2em}}%
  \parbox[t]{\linewidth}{\raggedright\ttfamily\small #2}\par}
\newcommand{\traceline}[2]{\par\noindent{\footnotesize\itshape #1}\par\nopagebreak
  \noindent\hspace*{1.5em}\fitmath{\dimexpr\linewidth-1.5em\relax}{#2}\par}
\newcommand{\tracemore}[1]{\par\nopagebreak
  \noindent\hspace*{3em}\fitmath{\dimexpr\linewidth-3em\relax}{#1}\par}
\newcommand{\residual}[1]{\par\noindent\hspace*{1.5em}left $-$ right $=$
  \fitmath{\dimexpr\linewidth-9em\relax}{#1}\par}
% a note under a row: indented, ragged, small
\newcommand{\note}[1]{\par{\leftskip=1.5em\raggedright\small #1\par}}
\newenvironment{evidence}{\par\noindent\hspace*{1.5em}\small}{\par}"""


def render(
    reports: Sequence[Report],
    date: str,
    version: str,
    *,
    title: str | None = None,
    author: str | None = None,
) -> str:
    """The LaTeX text of a report on ``reports``, dated ``date``, by derive ``version``.

    ``title`` defaults to the document's title (or a count of documents), ``author``
    to ``derive VERSION``.
    """
    records = [document_record(report) for report in reports]
    doc = Builder()
    doc.add(Tex(PREAMBLE))
    doc.command("title", text(title if title is not None else default_title(reports)))
    doc.command("author", text(author if author is not None else f"derive {version}"))
    doc.command("date", text(date if author is None else f"{date}, derive {version}"))
    with doc.environment("document"):
        doc.command("maketitle")
        summary(doc, records)
        for report, record in zip(reports, records, strict=True):
            document(doc, report, record)
        appendix(doc, [t for report in reports for t in traces(report)])
    return doc.render()


def default_title(reports: Sequence[Report]) -> str:
    """The one document's title, or how many documents there are."""
    if len(reports) == 1:
        return reports[0].document.title or reports[0].document.name
    return f"derive report: {len(reports)} documents"


SUMMARY_HEADER = (
    "document",
    "claims",
    "steps",
    "as expected",
    "not as expected",
    "listed slips",
    "not decided",
)


def summary(doc: Builder, records: Sequence[DocumentRecord]) -> None:
    """One row per document: what is as the document expects and what is not."""
    rows: list[list[Tex]] = []
    for record in records:
        entries = [*record["claims"], *record["steps"]]
        expected = sum(1 for e in entries if e["as_expected"])
        slips = sum(1 for e in entries if e["expect"] == "refuted" and e["as_expected"])
        open_ = sum(1 for e in entries if e["status"] in ("undecided", "unparsed"))
        open_ += len(record["unread"])
        counts = [len(record["claims"]), len(record["steps"]), expected]
        counts += [len(entries) - expected, slips, open_]
        name = join([Tex(r"\texttt{"), text(record["name"]), Tex("}")])
        rows.append([name, *[Tex(str(n)) for n in counts]])
    doc.add(text("Slips are wrong steps and claims the document lists as wrong: they are"))
    doc.add(text("as expected. Not decided: not read, or no verdict reached."))
    with doc.environment("center"):
        doc.add(Tex(r"\small\setlength{\tabcolsep}{4pt}"))
        doc.table("lrrrrrr", [Tex(h) for h in SUMMARY_HEADER], rows)


def document(doc: Builder, report: Report, record: DocumentRecord) -> None:
    """One document's section: where it comes from, its claims, its body."""
    d = report.document
    doc.command("section", join([Tex(r"\raggedright "), text(d.title or d.name)]))
    sources = f"; sources: {', '.join(d.sources)}" if d.sources else ""
    verdict = "all as expected" if record["ok"] else "not all as expected"
    doc.add(Tex(r"Document \texttt{"), text(d.name), Tex("}"), text(f"{sources}: {verdict}."))
    doc.blank()
    if report.results:
        doc.command("subsection*", Tex("Claims"))
        for result, entry in zip(report.results, record["claims"], strict=True):
            claim(doc, entry, result)
    body(doc, report, record)


def claim(doc: Builder, entry: ClaimRecord, result: ClaimResult) -> None:
    """A claim: its name and verdict, its statement marked, and the evidence if wrong."""
    expected = "as expected" if entry["as_expected"] else "NOT as the document expects"
    said = words.MARKS.get(entry["status"], "?")
    said_in_words = breakable(text(f"{words.sentence(result.verdict)} ({expected})"))
    doc.add(Tex(r"\par{\raggedright\texttt{"), text(entry["name"]), Tex("}: "), said_in_words)
    doc.add(Tex(r"\par}"))
    statement = join([display(result.claim.lhs), Tex(" = "), display(result.claim.rhs)])
    doc.add(Tex(r"\markedrow{"), mark(said), Tex("}{"), statement, Tex("}"))
    if entry["status"] == "refuted":
        evidence(doc, entry["counterexample"], entry["residual"], entry["holds_under"])
    doc.blank()


def traces(report: Report) -> list[Trace]:
    """The traces of a document's claims and steps, each with the reading that names it."""
    found = []
    results: list[ClaimResult | StepResult] = [*report.results, *report.steps]
    for task, result in zip(tasks_of(report.document), results, strict=True):
        verdict = result.verdict
        if verdict is None or verdict.status not in ("proved", "refuted"):
            continue
        if task.claim is not None:
            title = f"{report.document.name}: claim {task.claim.name}"
            found.append(Trace(title, verdict, report.document))
        elif task.step is not None:
            where = f"{report.document.name}: step at line {task.step.step.right.line}"
            found.append(Trace(where, verdict, task.step.reading))
    return found
