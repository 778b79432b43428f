r"""Reports that cannot be turned against their reader.

User text reaches LaTeX only escaped (titles, names, sources, assumption names, steps
not understood, and names inside math such as a layer tag ``z^{(\text{...})}``), and TeX
runs with shell escape off and kpathsea's paranoid ``openin_any``/``openout_any``.
"""

import os
import shutil
import subprocess
import uuid
from pathlib import Path
from typing import Any

import pytest
import sympy as sp

from derive import __version__, api, symbols
from derive.presenting.report import compile as tex
from derive.presenting.report import render, write_report
from derive.presenting.report.builder import text
from derive.presenting.report.compile import ReportError
from derive.printing import notation
from derive.printing.texsafe import escape, is_plain_math, math_name
from tests.tex import NEEDS_TEX, pdf_text

ENGINES = [
    pytest.param(name, marks=NEEDS_TEX, id=name)
    for name in ("latexmk", "pdflatex")
    if shutil.which(name) or os.environ.get("DERIVE_REQUIRE_TEX")
]
SPECIALS = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "$": r"\$",
    "&": r"\&",
    "#": r"\#",
    "^": r"\textasciicircum{}",
    "_": r"\_",
    "~": r"\textasciitilde{}",
    "%": r"\%",
}


@pytest.mark.parametrize(("char", "written"), SPECIALS.items())
def test_each_special_character_is_escaped(char: str, written: str) -> None:
    """Each TeX special character becomes a command that prints it."""
    assert escape(f"a{char}b") == f"a{written}b"
    assert text(f"a{char}b") == f"a{written}b"


def test_caret_caret_sequences_leave_no_caret() -> None:
    """``^^5c`` is a backslash to TeX: escaped, no ``^`` is left at all."""
    for hostile in ("^^5cinput^^7b/etc/passwd^^7d", "^^5c^^5c", "a^^Mb", "^^^^005c"):
        escaped = escape(hostile)
        assert "^" not in escaped and "{/" not in escaped
        assert escaped.count(r"\textasciicircum{}") == hostile.count("^")


def test_line_breaks_and_unset_characters() -> None:
    r"""A blank line would end ``\section{``; characters the default fonts lack are kept out."""
    assert escape("a\n\nb\r\tc") == "a  b  c"
    assert escape("«café» Þ") == r"\ensuremath{\ll}café\ensuremath{\gg} ?"
    assert escape("\x00\x1b中") == "???"


@pytest.mark.parametrize(
    "name",
    [r"z^{(2)}", r"W^{(L-1)}", r"\gamma^{(1)}", r"\hat{y}", r"\text{soft}", "y'", r"\text{act}''"],
)
def test_ordinary_names_stay_math(name: str) -> None:
    """The catalogue's names are plain math and print as written."""
    assert is_plain_math(name)
    assert math_name(name) == name


@pytest.mark.parametrize(
    "name",
    [
        r"z^{(\text{^^5cinput^^7b/etc/passwd^^7d})}",
        r"z^{(\input{/etc/passwd})}",
        r"z^{(\text{a%b})}",
        r"z^{(a)",
        r"z^{(a)}}}",
        "z^^{(1)}",
        "z^",
        r"z^{(\text{a_b})}",
        r"\hat}",
        r"\csname input\endcsname",
        "a$b",
        "a#b",
        "a&b",
        "a~b",
        "a\\\\b",
    ],
)
def test_unusual_names_become_text(name: str) -> None:
    """Anything outside the allowlist is text: no command, ``^^`` or brace of the author's."""
    assert not is_plain_math(name)
    printed = math_name(name)
    assert (
        "^^" not in printed and r"\input" not in printed and "%" not in printed.replace(r"\%", "")
    )
    assert printed.startswith(r"\text{") or printed.startswith("z^{(\\text{")
    base, tag, rest = name.partition("^{(")
    if tag and rest.endswith(")}") and base == "z":
        assert printed == f"z^{{(\\text{{{escape(rest[:-2])}}})}}"  # the base stays math


HOSTILE_TAG = r"\text{^^5cinput^^7b/etc/passwd^^7d}"


@pytest.mark.parametrize(
    "expr",
    [
        symbols.scalar(f"z^{{({HOSTILE_TAG})}}"),
        symbols.tensor(f"z^{{({HOSTILE_TAG})}}")[symbols.index("k")],
        symbols.tensor(f"e^{{z^{{({HOSTILE_TAG})}}}}")[symbols.index("k")],
        symbols.VectorView(symbols.tensor(f"z^{{({HOSTILE_TAG})}}"), (), (symbols.index("t"),)),
        sp.MatrixSymbol(f"W^{{({HOSTILE_TAG})}}", 2, 2),
        sp.Function(f"s^{{({HOSTILE_TAG})}}")(symbols.scalar("x")),
        symbols.undefined_function(r"\input{/etc/passwd}")(symbols.scalar("x")),
        symbols.NonReal(r"\input{/etc/passwd}"),
    ],
    ids=["symbol", "indexed", "exponential", "view", "matrix", "function", "undefined", "nonreal"],
)
def test_printer_escapes_every_name(expr: sp.Basic) -> None:
    """Every kind of name the printer meets reaches LaTeX escaped."""
    printed = notation.latex(expr)
    assert "^^" not in printed and r"\input" not in printed
    assert "textbackslash{}" in printed or "textasciicircum{}" in printed


def hostile_document(tmp_path: Path) -> tuple[Path, str]:
    """A document attacking the report everywhere, and the marker of the file it wants."""
    marker = "LEAKED" + uuid.uuid4().hex.upper()
    secret = tmp_path / "secret.tex"
    secret.write_text(marker + "\n", encoding="utf-8")
    path = str(secret)
    caret = f"^^5cinput^^7b{path}^^7d"
    specials = r"% $ # & _ ~ ^ {} \\ \relax"
    tag = rf"\text{{{caret}}}"
    source = f"""+++
name = "hostile"
title = '''{caret} \\input{{{path}}} {specials}'''
sources = ['''{caret} \\input{{{path}}} {specials}''']

[sizes]
K = "classes"

[indices]
k = "K"
j = "K"

[definitions]
'y^{{({tag})}}_k' = 'z^{{({tag})}}_k'

[assumptions]
'{caret} {specials}' = 'z^{{({tag})}}_k = 0'

[[claims]]
name = '''{caret} \\input{{{path}}} {specials}'''
statement = 'y^{{({tag})}}_k = z^{{({tag})}}_k'
+++

$$y^{{({tag})}}_k = z^{{({tag})}}_k$$

$$= z^{{({tag})}}_k + \\input{{{path}}}$$

$$= z^{{({tag})}}_k + {caret} {specials}$$
"""
    document = tmp_path / "hostile.md"
    document.write_text(source, encoding="utf-8")
    return document, marker


def test_hostile_document_renders_escaped(tmp_path: Path) -> None:
    r"""No raw ``^^``, ``\input`` or unescaped special of the document is in the .tex."""
    document, _ = hostile_document(tmp_path)
    rendered = render([api.check(api.load(str(document)))], "2026-01-01", __version__)
    assert "^^" not in rendered
    assert r"\input" not in rendered
    body = rendered.split(r"\begin{document}", 1)[1]
    assert r"\relax" not in body
    assert "%" not in body.replace(r"\%", "")
    assert "#" not in body.replace(r"\#", "")


@pytest.mark.parametrize("engine", ENGINES)
def test_hostile_document_compiles_and_reads_no_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Compiled by either engine, the PDF is built, shows the text, and holds no marker."""
    document, marker = hostile_document(tmp_path)
    monkeypatch.setattr(shutil, "which", lambda name: name if name == engine else None)
    out = tmp_path / "out" / "hostile.tex"
    rendered = render([api.check(api.load(str(document)))], "2026-01-01", __version__)
    written = write_report(rendered, out, pdf=True)
    assert written.pdf == out.with_suffix(".pdf") and written.pdf.exists()
    words = pdf_text(written.pdf)
    assert marker not in words
    assert "LEAKED" not in words
    assert "\\input{/" in words and "secret.tex}" in words  # printed as written
    assert "% $ # &" in words
    assert "not understood" in words


@pytest.mark.parametrize("engine", ENGINES)
def test_tex_itself_reads_and_writes_no_outside_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, engine: str
) -> None:
    """Even LaTeX that escaping never lets through reads, writes and runs nothing outside."""
    secret = tmp_path / "secret.tex"
    secret.write_text("LEAKEDSECRET\n", encoding="utf-8")
    touched = tmp_path / "touched"
    written = tmp_path / "written.tex"
    monkeypatch.setattr(shutil, "which", lambda name: name if name == engine else None)
    attacks = [
        rf"\input{{{secret}}}",
        rf"\newwrite\w \immediate\openout\w={written} \immediate\write\w{{x}}",
    ]
    for n, attack in enumerate(attacks):
        source = f"\\documentclass{{article}}\\begin{{document}}{attack} x\\end{{document}}\n"
        out = tmp_path / f"attack{n}.tex"
        try:
            made = write_report(source, out, pdf=True)
        except ReportError:
            continue  # refused: TeX stops at the file it may not open
        assert made.pdf is not None
        assert "LEAKEDSECRET" not in pdf_text(made.pdf)
    assert not written.exists()
    source = (
        "\\documentclass{article}\\begin{document}"
        f"\\immediate\\write18{{touch {touched}}}x\\end{{document}}\n"
    )
    write_report(source, tmp_path / "shell.tex", pdf=True)
    assert not touched.exists()


def test_tex_runs_locked_down(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every TeX run has shell escape off and kpathsea's paranoid settings."""
    seen: list[tuple[list[str], dict[str, str]]] = []

    def run(
        command: list[str], *, cwd: str, env: dict[str, str], **kwargs: Any
    ) -> subprocess.CompletedProcess[bytes]:
        seen.append((command, env))
        (Path(cwd) / "report.pdf").write_bytes(b"%PDF-1.4\n")
        return subprocess.CompletedProcess(command, 0)

    monkeypatch.setattr("derive.presenting.report.compile.subprocess.run", run)
    monkeypatch.setenv("openin_any", "a")
    monkeypatch.setenv("shell_escape", "t")
    report = tmp_path / "r.tex"
    report.write_text("x", encoding="utf-8")
    tex.compile_pdf(report, "/usr/bin/latexmk")
    tex.compile_pdf(report, "/usr/bin/pdflatex")
    assert len(seen) == 3  # latexmk once, pdflatex twice
    for command, env in seen:
        assert env["openin_any"] == "p" and env["openout_any"] == "p"
        assert env["shell_escape"] == "f"
        assert "-no-shell-escape" in command and "-shell-escape" not in command
        assert env["PATH"] == os.environ["PATH"]
    latexmk = seen[0][0]
    assert "-norc" in latexmk
    assert "-pdflatex=pdflatex -no-shell-escape %O %S" in latexmk
