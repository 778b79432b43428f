"""The PDF report read back: title block, marks beside every step, evidence, traces."""

import io
import re
from pathlib import Path

from derive import __version__
from derive.cli import main
from derive.presenting.record import document_record
from derive.presenting.report import render, write_report
from derive.presenting.report.markdown import prose
from derive.presenting.written import Display, pieces
from tests import catalogue
from tests.tex import NEEDS_TEX, pdf_text

MARK = re.compile(r"\\marked(?:row|text)\{([^{}]*(?:\{[^{}]*\})?[^{}]*)\}")


def test_every_step_row_has_its_mark() -> None:
    """Each step of seed-004 is beside a mark in the .tex, and the marks add up."""
    report = catalogue.report("seed-004")
    rendered = render([report], "2026-01-01", __version__)
    record = document_record(report)
    rows = [r for p in pieces(report.document, record) if isinstance(p, Display) for r in p.rows]
    marks = [m for r in rows for m in r.marks if m.step is not None]
    assert len(marks) == len(report.steps) > 0
    margins = MARK.findall(rendered.split(r"\appendix")[0])
    assert len(margins) >= len([r for r in rows if r.marks])
    wrong = sum(1 for s in report.steps if s.status == "refuted")
    assert sum(m.count(r"$\times$") for m in margins) >= wrong > 0


def test_summary_counts_what_is_as_expected() -> None:
    """Listed slips count as expected: seed-004's row says none is not as expected."""
    report = catalogue.report("seed-004")
    slips = sum(1 for s in report.steps if s.expect == "refuted" and s.status == "refuted")
    rendered = render([report], "2026-01-01", __version__)
    row = next(x for x in rendered.splitlines() if x.startswith(r"\texttt{seed-004} &"))
    cells = [c.strip() for c in row.removesuffix(r" \\").split("&")]
    assert cells[3:6] == [str(len(report.steps)), "0", str(slips)] and slips > 0


def test_prose_is_escaped_and_math_kept_when_plain() -> None:
    r"""Prose: emphasis and lists become LaTeX; hostile text and math spans print as text."""
    assert prose("Some *x* and `a_b`.") == r"Some \emph{x} and \texttt{a\_b}."
    assert prose(r"Take $\frac{a}{b}$.") == r"Take $\frac{a}{b}$."
    hostile = prose(r"\input{/etc/passwd} ^^5c 100% {open and $x^{$ and $\input{x}$")
    assert r"\input" not in hostile and "^^" not in hostile
    assert r"100\%" in hostile and r"\{open" in hostile
    assert r"\$x\textasciicircum{}\{\$" in hostile
    lines = [x for x in prose("- one\n- two").splitlines() if x]
    assert lines == [r"\begin{itemize}", r"\item one", r"\item two", r"\end{itemize}"]


@NEEDS_TEX
def test_title_author_and_greek_read_back(tmp_path: Path) -> None:
    """--title and --author set the title block; Greek in the title is not a `?`."""
    out = tmp_path / "r.tex"
    argv = ["report", "softmax", "-o", str(out), "--pdf", "--title", "Gradients of σ and Σ"]
    assert main([*argv, "--author", "Ada Lovelace"], stdout=io.StringIO()) == 0
    words = pdf_text(out.with_suffix(".pdf"))
    assert "Gradients of σ and Σ" in words and "Ada Lovelace" in words


@NEEDS_TEX
def test_seed_004_reads_back_with_evidence_and_traces(tmp_path: Path) -> None:
    """A ✗ is followed by its counterexample; every trace ends at 0 or says why not."""
    report = catalogue.report("seed-004")
    rendered = render([report], "2026-01-01", __version__)
    written = write_report(rendered, tmp_path / "s.tex", pdf=True)
    assert written.pdf is not None and not [x for x in written.overfull if x > 20]
    words = pdf_text(written.pdf)
    body, appendix = words.split("Proof traces", 1)
    wrong = body.split("Wrong")[1:]
    assert len(wrong) == sum(1 for s in report.steps if s.status == "refuted") > 0
    for chunk in wrong:
        assert "at value" in " ".join(chunk.split()[:20]) and "left side" in chunk
    proved = sum(1 for s in report.steps if s.verdict is not None and s.status == "proved")
    assert appendix.count("= 0: the two sides are equal.") >= proved > 0
    refuted = sum(1 for s in report.steps if s.verdict is not None and s.status == "refuted")
    assert appendix.count("the residual is not zero") == refuted


@NEEDS_TEX
def test_hostile_prose_compiles_as_written(tmp_path: Path) -> None:
    """Prose with file reads, ^^, % and stray braces compiles and prints as written."""
    doc = tmp_path / "p.md"
    doc.write_text(
        '+++\nname = "p"\ntitle = "α"\n[indices]\nk = "K"\n[sizes]\nK = "c"\n+++\n'
        "Read \\input{/etc/passwd} and ^^5c and 50% here } and $x^{$ too.\n\n"
        "$$z_k = z_k$$\n",
        encoding="utf-8",
    )
    out = tmp_path / "p.tex"
    assert main(["report", str(doc), "-o", str(out), "--pdf"], stdout=io.StringIO()) == 0
    words = " ".join(pdf_text(out.with_suffix(".pdf")).split())
    assert r"\input{/etc/passwd}" in words and "50% here }" in words and "root:" not in words


def test_a_numbered_list_keeps_its_first_number() -> None:
    from derive.presenting.report.markdown import prose

    assert "\\setcounter{enumi}{1}" in prose("2. Consider the softmax\n")
    assert "setcounter" not in prose("1. From one\n")
