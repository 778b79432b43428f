"""LaTeX and PDF reports: golden output, escaping, compiling, and failing cleanly."""

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from derive import __version__, api
from derive.cli import main
from derive.model import Document
from derive.presenting.report import render, write_report
from derive.presenting.report.builder import text
from derive.presenting.report.compile import ReportError
from tests.tex import NEEDS_TEX, pdf_text

GOLDEN = Path(__file__).parent / "golden"


@pytest.mark.parametrize("name", ["softmax-ce", "seed-004"])
def test_golden_reports(name: str, tmp_path: Path) -> None:
    """The report on a document is exactly the golden file (`make golden` renews it)."""
    out = tmp_path / f"{name}.tex"  # as `make golden` writes it: a fresh process
    command = [sys.executable, "-m", "derive", "report", name, "-o", str(out)]
    subprocess.run([*command, "--date", "2026-01-01"], check=True, capture_output=True)
    assert out.read_text(encoding="utf-8") == (GOLDEN / f"{name}.tex").read_text(encoding="utf-8")


def test_user_text_is_escaped() -> None:
    """Special characters and scripts outside Latin-1 are written as LaTeX text."""
    assert text(r"100% of the \input{/etc/passwd}") == (
        r"100\% of the \textbackslash{}input\{/etc/passwd\}"
    )
    assert text("a_b & c # $x$ ~ ^") == (r"a\_b \& c \# \$x\$ \textasciitilde{} \textasciicircum{}")
    assert text("Σ t ≠ 1 → ✓ 中") == (
        r"\ensuremath{\Sigma} t \ensuremath{\neq} 1 \ensuremath{\to} \ensuremath{\checkmark} ?"
    )
    assert text("αβ") == r"\ensuremath{\alpha}\ensuremath{\beta}"  # never $$, display math


def hostile(tmp_path: Path) -> Document:
    """A document whose title tries to read a file and whose claim name has specials."""
    path = tmp_path / "hostile.md"
    path.write_text(
        "+++\nname = \"hostile\"\ntitle = '100% of the \\input{/etc/passwd}'\n"
        '[sizes]\nK = "c"\n[indices]\nk = "K"\n'
        "[[claims]]\nname = \"a_b&c\"\nstatement = 'z_k = z_k'\n+++\n",
        encoding="utf-8",
    )
    return api.load(str(path))


def test_hostile_title_renders_as_text(tmp_path: Path) -> None:
    """The title is text in the .tex: no input command reaches LaTeX."""
    rendered = render([api.check(hostile(tmp_path))], "2026-01-01", __version__)
    assert r"\section{\raggedright 100\% of the \textbackslash{}input\{/etc/passwd\}}" in rendered
    assert r"\input{" not in rendered
    assert r"\texttt{a\_b\&c}: " in rendered


@NEEDS_TEX
def test_hostile_title_compiles_and_reads_no_file(tmp_path: Path) -> None:
    """Compiled, the title prints as written and the PDF holds nothing of /etc/passwd."""
    out = tmp_path / "hostile.tex"
    written = write_report(
        render([api.check(hostile(tmp_path))], "today", __version__), out, pdf=True
    )
    assert written.pdf == tmp_path / "hostile.pdf"
    words = pdf_text(written.pdf)
    assert r"100% of the \input{/etc/passwd}" in words
    assert "root:" not in words


@NEEDS_TEX
def test_latex_error_shows_the_log_and_writes_no_pdf(tmp_path: Path) -> None:
    """A LaTeX error: the `!` lines of the log, exit 2 from the CLI, and no PDF."""
    out = tmp_path / "broken.tex"
    with pytest.raises(ReportError) as info:
        write_report("\\documentclass{article}\\begin{document}\\undefinedcommand\n", out, pdf=True)
    assert "! Undefined control sequence" in info.value.message
    assert out.exists() and not out.with_suffix(".pdf").exists()


def test_without_a_tex_engine_the_tex_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No engine: the .tex is written whole and the note says how to install one."""
    monkeypatch.setattr(shutil, "which", lambda name: None)
    out = tmp_path / "report.tex"
    stdout = io.StringIO()
    assert main(["report", "softmax", "-o", str(out), "--pdf"], stdout=stdout) == 0
    assert out.read_text(encoding="utf-8").endswith("\\end{document}\n")
    assert not out.with_suffix(".pdf").exists()
    assert "texlive-latex-base texlive-latex-recommended latexmk" in stdout.getvalue()
    assert [p.name for p in tmp_path.iterdir()] == ["report.tex"]  # no temporary left


def test_report_bad_input(tmp_path: Path) -> None:
    """A wrong output name or no document: one line, exit 2."""
    err = io.StringIO()
    assert main(["report", "softmax", "-o", str(tmp_path / "r.pdf")], stderr=err) == 2
    assert "the report is a .tex file" in err.getvalue()
    err = io.StringIO()
    assert main(["report", "-o", str(tmp_path / "r.tex")], stderr=err) == 2
    assert "name a document" in err.getvalue()
