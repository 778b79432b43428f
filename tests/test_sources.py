r"""Documents that are not Markdown files: .tex, Jupyter notebooks, standard input, .txt.

Each is read into the one body reader; what is asserted is that the verdicts are those
of the mathematics and that every position points into the file as written (its line
in the .tex, its cell and line in the notebook, ``<stdin>``).
"""

from __future__ import annotations

import io
import itertools
import json
import re
from pathlib import Path
from typing import Any

import nbformat
import pytest

from derive import memo
from derive.cli import main
from derive.errors import DocumentError
from derive.reading import stdin
from derive.reading.catalog import find_document
from derive.reading.document import read_document
from derive.reading.notebook import read_notebook
from derive.reading.tex import read_tex
from derive.reading.texmacros import MAX_CALLS, MAX_DEPTH, MAX_OUTPUT

SOURCES = Path(__file__).resolve().parent / "data" / "sources"
TEX = SOURCES / "softmax-ce.tex"
NOTEBOOK = SOURCES / "logistic.ipynb"
NOTES = SOURCES / "logistic.md"
HOLDS = ("proved", "verified")


def run(*argv: str, stdin: str | None = None) -> tuple[int, str, str]:
    """Run the command line on ``argv``; standard input is ``stdin`` when given."""
    out, err = io.StringIO(), io.StringIO()
    given = io.StringIO(stdin) if stdin is not None else None
    code = main(list(argv), stdout=out, stderr=err, stdin=given)
    return code, out.getvalue(), err.getvalue()


def checked(*argv: str, stdin: str | None = None) -> tuple[int, dict[str, Any]]:
    """``derive check --json`` on ``argv``: the exit code and the run's record."""
    code, out, err = run("check", "--json", "--jobs", "1", *argv, stdin=stdin)
    assert "Traceback" not in out + err
    return code, json.loads(out)


def line_of(text: str, written: str) -> int:
    """The 1-based line of ``text`` where ``written`` first appears."""
    return text[: text.index(written)].count("\n") + 1


# --- .tex -------------------------------------------------------------------------------


def test_tex_steps_hold_and_the_slip_is_refuted_at_its_line() -> None:
    """The softmax and cross-entropy steps hold; the dropped minus is refuted on its line."""
    code, run_ = checked(str(TEX))
    steps = run_["documents"][0]["steps"]
    slip = [s for s in steps if s["to"] == r"\frac{t_k}{y_k}"]
    assert len(slip) == 1 and slip[0]["status"] == "refuted"
    assert slip[0]["line"] == line_of(TEX.read_text(), r"\pd{E}{y_k}")
    others = [s for s in steps if s is not slip[0]]
    assert len(others) >= 4 and all(s["status"] in HOLDS for s in others), others
    assert code == 1
    assert run_["documents"][0]["first_wrong_step"]["line"] == slip[0]["line"]


def test_tex_steps_sit_on_their_lines_of_the_file() -> None:
    """Each step's line in the .tex holds the text of its right side (or its macro use)."""
    lines = TEX.read_text().split("\n")
    _, run_ = checked(str(TEX))
    for step in run_["documents"][0]["steps"]:
        written = lines[step["line"] - 1]
        assert step["to"].split()[0].replace(r"\frac", r"\pd")[:3] in written or (
            step["to"][:6] in written
        ), (step, written)


def test_tex_body_keeps_the_lines_and_blanks_the_preamble() -> None:
    """The body has the file's lines; the preamble and the comments are blank."""
    source = TEX.read_text()
    raw = read_document(TEX)
    assert raw.body.count("\n") == source.count("\n")
    preamble = line_of(source, r"\begin{document}")
    assert not raw.body.split("\n")[preamble - 2].strip()  # the comment line
    assert r"\newcommand" not in raw.body and r"\documentclass" not in raw.body
    assert r"\frac{\partial E}{\partial y_k}" in raw.body  # \pd expanded
    assert r"\operatorname{softmax}" in raw.body  # \softmax expanded
    assert r"\label" not in raw.body and "50\\%" in raw.body


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (r"\newcommand{\sq}[1]{#1^{2}} $$\sq{x}$$", "$$x^{2}$$"),
        (r"\newcommand\sq[1]{#1^{2}} $$\sq x$$", "$$x^{2}$$"),
        (r"\newcommand{\w}[2][1]{#1 #2} $$\w{a} \w[b]{c}$$", "$$1 a b c$$"),
        (r"\DeclareMathOperator{\tr}{tr} $$\tr A$$", r"$$\operatorname{tr} A$$"),
        (r"\renewcommand{\vec}[1]{\mathbf{#1}} $$\vec{x}$$", r"$$\mathbf{x}$$"),
        (r"\newcommand{\x}{1}\providecommand{\x}{2} $$\x$$", "$$1$$"),
        (r"\newcommand{\x}{\y}\newcommand{\y}{3} $$\x$$", "$$3$$"),
        (r"$$a % b$$" + "\n" + r"$$c \% d \\% e$$", "$$a" + "\n" + r"$$c \% d \\"),
    ],
)
def test_tex_macros_and_comments(written: str, read: str) -> None:
    r"""Definitions are applied and blanked; ``%`` starts a comment, ``\%`` does not."""
    body = read_tex(written, "m.tex").body
    assert " ".join(body.split()) == " ".join(read.split())


def test_tex_macro_defined_twice_differently_is_refused() -> None:
    r"""``\renewcommand`` of the file's own macro would change meaning midway: refused."""
    source = "\\newcommand{\\x}{1}\n$$a = \\x$$\n\\renewcommand{\\x}{2}\n$$b = \\x$$\n"
    with pytest.raises(DocumentError, match=r"`\\x` is defined a second time") as raised:
        read_tex(source, "r.tex")
    assert raised.value.position is not None and raised.value.position.line == 3


def test_tex_macro_use_over_lines_keeps_later_lines() -> None:
    """A use whose arguments span lines keeps every later line on its number."""
    source = "\\newcommand{\\f}[2]{#1 + #2 + #1}\n$$\n\\f{a\n}{b} = c\n$$\nlast\n"
    body = read_tex(source, "m.tex").body
    assert body.split("\n")[5] == "last" and body.count("\n") == source.count("\n")


def test_def_is_not_executed() -> None:
    r"""A ``\def`` stays as written: a display using its macro is not understood."""
    source = "\\def\\h{\\frac{1}{2}}\n\n$$\ny = \\h x\n$$\n\n$$\nw = 2 x\n$$\n"
    assert r"\def\h" in read_tex(source, "d.tex").body


def test_tex_display_using_a_def_macro_is_not_proved(tmp_path: Path) -> None:
    r"""``\def\h`` is not expanded, so ``y = \h x`` is not read as ``x/2``."""
    path = tmp_path / "d.tex"
    path.write_text("\\def\\h{2}\n\n$$\nq = \\h x\n$$\n\n$$\nq = 2 x\n$$\n")
    _, run_ = checked(str(path))
    statuses = [s["status"] for s in run_["documents"][0]["steps"]]
    assert "proved" not in statuses[:1] and "verified" not in statuses[:1]


def test_tex_quotes_are_not_markdown_code() -> None:
    """LaTeX's ````…''`` leaves no backtick in the body, and each line keeps its length."""
    source = (
        "We call ``the loss''\n\\[ L = 2 w \\]\nthe ``gain''. Then\n\\[ \\frac{d L}{d w} = 2 \\]\n"
    )
    body = read_tex(source, "q.tex").body
    assert "`" not in body
    assert [len(line) for line in body.split("\n")] == [len(ln) for ln in source.split("\n")]


def test_tex_quotes_leave_both_displays_checked(tmp_path: Path) -> None:
    """The displays after quoted prose are both read as steps, each on its line."""
    path = tmp_path / "quotes.tex"
    path.write_text(
        "\\begin{document}\nThe ``cost''\n\\[ c = 3 v \\]\nand ``its slope''\n"
        "\\[ \\frac{d c}{d v} = 3 \\]\n\\end{document}\n"
    )
    _, run_ = checked(str(path))
    assert [s["line"] for s in run_["documents"][0]["steps"]] == [3, 5]


COMMENTED_OUT = [
    "\\iffalse\n\\[ q = 9 \\]\n\\fi\n\\[ r = 4 \\]\n",
    "\\begin{comment}\n\\[ q = 9 \\]\n\\end{comment}\n\\[ r = 4 \\]\n",
    "\\iffalse\n\\ifx\\a\\b \\fi\n\\[ q = 9 \\]\n\\fi\n\\[ r = 4 \\]\n",  # nested
    "\\iffalse \\[ a \\iff b \\]\n\\[ q = 9 \\]\n\\fi\n\\[ r = 4 \\]\n",  # \\iff: no conditional
    "\\iffalse\n\\begin{align}\n\\end{comment}\n\\fi\n\\[ r = 4 \\]\n",  # no balance inside
    "\\begin{comment}\n\\newcommand{\\r}{q}\n\\end{comment}\n\\[ r = 4 \\]\n",
]


@pytest.mark.parametrize("source", COMMENTED_OUT)
def test_tex_commented_out_material_is_blanked(source: str) -> None:
    r"""``\iffalse … \fi`` and the ``comment`` environment are blank, their lines kept."""
    body = read_tex(source, "c.tex").body
    assert "q" not in body and "fi" not in body and "comment" not in body
    assert body.count("\n") == source.count("\n")
    assert body.split("\n")[-2] == source.split("\n")[-2]  # `\[ r = 4 \]` on its line


def test_tex_else_branch_of_iffalse_is_read() -> None:
    r"""``\iffalse A \else B \fi``: A is blank, B is read, the ``\fi`` is blank."""
    body = read_tex("\\iffalse\n$$q = 9$$\n\\else\n$$r = 4$$\n\\fi\n", "e.tex").body
    assert [line.strip() for line in body.split("\n")] == ["", "", "", "$$r = 4$$", "", ""]


@pytest.mark.parametrize(
    ("source", "add", "where"),
    [
        ("$$a$$\n  \\iffalse\n$$b$$\n", "\\fi", (2, 3)),
        ("$$a$$\n\\begin{comment}\n$$b$$\n", "\\end{comment}", (2, 1)),
    ],
)
def test_tex_commented_out_never_closed_is_refused(
    source: str, add: str, where: tuple[int, int]
) -> None:
    r"""An ``\iffalse`` with no ``\fi`` is refused at its place, saying what to add."""
    with pytest.raises(DocumentError, match=re.escape(f"is never closed: add `{add}`")) as raised:
        read_tex(source, "n.tex")
    position = raised.value.position
    assert position is not None and (position.line, position.col) == where


@pytest.mark.parametrize(
    "order", [("\\be", "\\begin{equation}"), ("\\ee", "\\end{equation}")], ids=["be", "ee"]
)
def test_tex_environment_macros_balance_in_either_order(order: tuple[str, str]) -> None:
    r"""``\be … \ee`` balances whichever of the two is defined first."""
    name, body = order
    other = {"\\be": "\\ee", "\\ee": "\\be"}[name]
    other_body = {"\\be": "\\begin{equation}", "\\ee": "\\end{equation}"}[other]
    source = (
        f"\\newcommand{{{name}}}{{{body}}}\n\\newcommand{{{other}}}{{{other_body}}}\n"
        "\\begin{document}\n\\be z = 2 u \\ee\n\\end{document}\n"
    )
    read = read_tex(source, "b.tex").body
    assert read.split("\n")[3].split() == [
        "\\begin{equation}",
        "z",
        "=",
        "2",
        "u",
        "\\end{equation}",
    ]


def test_tex_environment_error_after_expansion_is_at_the_file_column() -> None:
    r"""An unbalanced ``\end`` after an expanded macro is placed at its column in the file."""
    source = "\\newcommand{\\xx}{aaaaaaaaaaaa}\n$$\\xx$$ \\end{gather}\n"
    with pytest.raises(DocumentError, match="never begun") as raised:
        read_tex(source, "p.tex")
    position = raised.value.position
    line = source.split("\n")[1]
    assert position is not None
    assert (position.line, position.col) == (2, line.index("\\end") + 1)


def test_tex_environment_opened_by_a_macro_and_never_closed_is_at_the_use() -> None:
    r"""A ``\begin`` that a macro writes, never closed, is placed at the macro's use."""
    source = "\\newcommand{\\be}{\\begin{equation}}\n\n  x \\be y = 1\n"
    with pytest.raises(DocumentError, match="never closed") as raised:
        read_tex(source, "o.tex")
    position = raised.value.position
    assert position is not None and (position.line, position.col) == (3, 5)


@pytest.mark.parametrize(
    ("written", "read"),
    [
        (
            "\\makeatletter\\newcommand{\\my@loss}{E}\\newcommand{\\loss}{\\my@loss}"
            "\\makeatother\n\\begin{document} $$\\loss = 1$$ \\end{document}",
            "$$E = 1$$",
        ),
        ("\\newcommand\\my@w{w} $$\\my@w$$", "$$w$$"),
        ("\\newcommand{\\my}{m} $$\\my@x$$", "$$m@x$$"),  # `\my@x` is not defined: `\my`, `@x`
    ],
)
def test_tex_macro_names_may_hold_at(written: str, read: str) -> None:
    r"""``\my@loss`` (as under ``\makeatletter``) is a macro name."""
    body = read_tex(written, "at.tex").body
    assert " ".join(body.split()) == read


# --- notebooks ----------------------------------------------------------------------------


def notebook_slip() -> tuple[int, int]:
    """The (cell, line in cell) of the slip ``s + y`` in the notebook, from its cells."""
    notebook = nbformat.read(str(NOTEBOOK), as_version=4)
    for number, cell in enumerate(notebook.cells, start=1):
        if "= s + y" in cell.source:
            return number, line_of(cell.source, "= s + y")
    raise AssertionError("the notebook has no slip")


def test_notebook_slip_in_its_cell_on_the_terminal() -> None:
    """The wrong step prints as ``…ipynb:cell N:line M:col C``, the cell counting code."""
    cell, line = notebook_slip()
    code, out, err = run("check", "--jobs", "1", str(NOTEBOOK))
    assert code == 1, out + err
    assert re.search(rf"logistic\.ipynb:cell {cell}:line {line}:col \d+", out), out
    assert re.search(rf"cell {cell}:line {line}:col \d+ ✗", out), out
    assert "total = 1 + 2" not in out  # the code cell is never read


def test_notebook_slip_in_its_cell_in_json() -> None:
    """``--json`` gives each step its cell and its line in the cell."""
    cell, line = notebook_slip()
    _, run_ = checked(str(NOTEBOOK))
    document = run_["documents"][0]
    wrong = [s for s in document["steps"] if s["status"] == "refuted"]
    assert [(s["cell"], s["line"]) for s in wrong] == [(cell, line)]
    assert document["first_wrong_step"] == {"line": line, "col": wrong[0]["col"], "cell": cell}
    assert all(s["status"] in HOLDS for s in document["steps"] if s not in wrong)
    assert all("cell" in s for s in document["steps"])


def test_notebook_error_is_placed_in_its_cell(tmp_path: Path) -> None:
    """A front-matter error in a notebook's first cell is at that cell's line."""
    notebook = nbformat.v4.new_notebook(
        cells=[
            nbformat.v4.new_code_cell("x = 1"),
            nbformat.v4.new_markdown_cell('+++\nname = "n"\nbogus = 1\n+++\n\n$$\na = 1\n$$'),
        ]
    )
    path = tmp_path / "front.ipynb"
    nbformat.write(notebook, str(path))
    code, _, err = run("check", str(path))
    assert code == 2
    assert err.strip() == f"derive: {path}:cell 2:line 3:col 1: " + err.split(":col 1: ")[1].strip()
    assert "`bogus`" in err


def test_notebook_without_cell_ids_reads_quietly(tmp_path: Path) -> None:
    """A notebook written before cell ids is read without nbformat's warning on stderr."""
    cell = {"cell_type": "markdown", "metadata": {}, "source": ["$$\n", "2 + 2 = 4\n", "$$"]}
    notebook = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    path = tmp_path / "old.ipynb"
    path.write_text(json.dumps(notebook))
    code, out, err = run("check", "--jobs", "1", str(path))
    assert (code, err) == (0, ""), out + err
    assert "cell 1:line 2:col" in out


def notebook_of(*cells: str) -> str:
    """The JSON text of a notebook of Markdown ``cells``."""
    made = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(c) for c in cells])
    return str(nbformat.writes(made))


@pytest.mark.parametrize(
    ("opened", "closed"),
    [
        ("$$q = 9", "= 7$$"),
        ("\\[ q = 9", "= 7 \\]"),
        ("\\begin{align} q &= 9", "&= 7 \\end{align}"),
    ],
)
def test_notebook_display_never_spans_cells(opened: str, closed: str) -> None:
    """A display opened in one cell and closed in the next is prose, at the same columns."""
    raw = read_notebook(notebook_of(opened, closed, "$$r = 4$$"), "o.ipynb")
    lines = raw.body.split("\n")
    assert "$$" not in lines[0] + lines[2] and "\\[" not in lines[0] and "\\]" not in lines[2]
    assert "begin" not in lines[0] and "end" not in lines[2]
    assert lines[0].index("q") == opened.index("q") and len(lines[2]) == len(closed)
    assert lines[4] == "$$r = 4$$"


def test_notebook_open_display_gives_no_step(tmp_path: Path) -> None:
    """Only the display a cell closes is checked; the open one and its tail are not steps."""
    path = tmp_path / "open.ipynb"
    path.write_text(notebook_of("$$\nq = 9", "= 7\n$$", "$$\nr = 2 + 2\n$$"))
    _, run_ = checked(str(path))
    assert [(s["cell"], s["line"]) for s in run_["documents"][0]["steps"]] == [(3, 2)]


@pytest.mark.parametrize(
    "cell",
    [
        "$$a = b$$ and $$c = d$$",
        "Write `$$` around it: $$a = b$$",
        "```\n$$\n```\n$$a = b$$",
        "A price of \\$$5: $$a = b$$",
        "$$\\begin{aligned} a &= b \\end{aligned}$$",
    ],
)
def test_notebook_paired_delimiters_in_a_cell_stay(cell: str) -> None:
    """A cell's paired delimiters, and ``$$`` in code or escaped, are left as written."""
    assert read_notebook(notebook_of(cell), "p.ipynb").body.split("\n")[: cell.count("\n") + 1] == (
        cell.split("\n")
    )


# --- standard input -------------------------------------------------------------------


def test_stdin_gives_the_verdicts_of_the_file() -> None:
    """``derive check -`` reads the document once, with the file's verdicts and positions."""
    _, from_file = checked(str(NOTES))
    code, from_stdin = checked("-", stdin=NOTES.read_text())
    assert code == 1
    document = from_stdin["documents"][0]
    assert document["path"] == "<stdin>"
    seen = [(s["line"], s["col"], s["status"]) for s in document["steps"]]
    assert seen == [(s["line"], s["col"], s["status"]) for s in from_file["documents"][0]["steps"]]


def test_stdin_on_the_terminal_and_with_front_matter() -> None:
    """Positions print as ``<stdin>:line:col``; a front matter is read as in a file."""
    text = "+++\nname = 'piped'\ninfer = true\n[[claims]]\nname = 'c'\n"
    text += "statement = 'x + x = 3 x'\n+++\n"
    code, out, _ = run("check", "-", stdin=text + NOTES.read_text())
    assert code == 1
    wrong = line_of(text + NOTES.read_text(), "= y - s")
    assert f"first wrong step: <stdin>:{wrong}:" in out
    assert re.search(r"\bc\s+refuted", out), out


def test_infer_reads_stdin() -> None:
    """``derive infer -`` prints the definitions of the piped notes."""
    code, out, _ = run("infer", "-", stdin=NOTES.read_text())
    assert code == 0
    assert "[definitions]" in out and "s = " in out


def test_stdin_is_kept_in_memos_that_clear_empties() -> None:
    """What ``-`` names and the bytes read from it are memos of derive.memo, read once."""
    stdin.use(io.StringIO("$$a = 1$$\n"))
    assert stdin.data() == stdin.data() == b"$$a = 1$$\n"
    names = {m.name for m in memo.memos() if m}
    assert {"stdin.STREAM", "stdin.READ"} <= names
    memo.clear()
    assert not stdin.READ and not stdin.STREAM
    stdin.use(io.StringIO("$$b = 2$$\n"))
    assert stdin.data() == b"$$b = 2$$\n"
    stdin.use(None)


# --- plain text -----------------------------------------------------------------------


@pytest.mark.parametrize("name", ["notes.txt", "notes"])
def test_plain_text_is_read_as_markdown(tmp_path: Path, name: str) -> None:
    """A .txt file, or one with no suffix, holding ``$$…$$`` is checked like Markdown."""
    path = tmp_path / name
    path.write_text(NOTES.read_text())
    _, from_file = checked(str(NOTES))
    code, run_ = checked(str(path))
    assert code == 1
    statuses = [s["status"] for s in run_["documents"][0]["steps"]]
    assert statuses == [s["status"] for s in from_file["documents"][0]["steps"]]


def test_missing_txt_is_no_such_file(tmp_path: Path) -> None:
    """A .txt that does not exist is a missing file, not a catalogue name."""
    with pytest.raises(DocumentError.__mro__[1], match="no such file"):
        find_document(str(tmp_path / "nowhere.txt"))


# --- bad input ------------------------------------------------------------------------

BAD = {
    "broken.ipynb": '{"cells": [\n  {"cell_type": "markdown",,}\n',
    "unclosed.tex": "\\begin{document}\nText.\n\\begin{align}\nx &= 1\n\\end{document}\n",
    "forever.tex": "\\newcommand{\\a}{\\a\\a}\n\n$$\ny = \\a\n$$\n",
    "notjson.ipynb": "not a notebook at all\n",
    "wrongshape.ipynb": '{"cells": 3, "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
    "version.ipynb": '{"cells": [], "metadata": {}, "nbformat": 99, "nbformat_minor": 0}',
}
WHERE = {
    "broken.ipynb": (2, BAD["broken.ipynb"].split("\n")[1].index(",,") + 2),  # the 2nd comma
    "unclosed.tex": (3, 1),
    "forever.tex": (4, 5),
    "notjson.ipynb": (1, 1),
    "wrongshape.ipynb": (1, 1),
    "version.ipynb": (1, 1),
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_bad_input_is_one_line_and_the_other_file_is_checked(tmp_path: Path, name: str) -> None:
    """Each bad file is one ``path:line:col: …`` line, exit 2; the good file is still checked."""
    bad = tmp_path / name
    bad.write_text(BAD[name])
    code, out, err = run("check", "--jobs", "1", str(bad), str(NOTES))
    assert code == 2
    lines = err.strip().split("\n")
    assert len(lines) == 1 and "Traceback" not in err, err
    line, col = WHERE[name]
    assert lines[0].startswith(f"derive: {bad}:{line}:{col}: "), lines[0]
    assert "logistic.md:24:" in out  # the other document's first wrong step


def test_unclosed_environment_says_what_to_add(tmp_path: Path) -> None:
    r"""The message names the ``\begin`` and the ``\end`` to add."""
    with pytest.raises(DocumentError, match=r"`\\begin\{align\}` at 3:1 is never closed: add"):
        read_tex(BAD["unclosed.tex"], "u.tex")
    with pytest.raises(DocumentError, match=r"`\\end\{gather\}` closes an environment"):
        read_tex("$$x$$\n\\end{gather}\n", "u.tex")


def test_runaway_macro_is_stopped_by_depth_or_size() -> None:
    """A macro that uses itself, directly or by doubling, stops at the bound."""
    with pytest.raises(DocumentError, match=f"more than {MAX_DEPTH}"):
        read_tex("\\newcommand{\\b}{x\\b}\n$$\\b$$", "b.tex")
    # \ma is nine \mb, each nine \mc, …: 9^5 uses of \mf, of 20 characters each, past
    # the size bound with fewer expansions than their bound
    chain = "".join(
        f"\\newcommand{{\\m{chr(97 + n)}}}{{" + f"\\m{chr(98 + n)}" * 9 + "}" for n in range(5)
    )
    assert 9**5 < MAX_CALLS < 9**6 and 9**5 * 20 > MAX_OUTPUT
    with pytest.raises(DocumentError, match="characters"):
        read_tex(chain + "\\newcommand{\\mf}{" + "x" * 20 + "}\n$$\\ma$$", "w.tex")


def test_macros_that_expand_to_nothing_are_bounded_by_calls() -> None:
    """Empty macros that double at each level stop at the count of expansions, at the use."""
    names = [f"\\mq{chr(97 + n)}" for n in range(26)]
    chain = "".join(
        f"\\newcommand{{{name}}}{{{inner}{inner}}}\n" for name, inner in itertools.pairwise(names)
    )
    source = chain + f"\\newcommand{{{names[-1]}}}{{}}\n$$ g = {names[0]} $$\n"
    with pytest.raises(DocumentError, match=f"more than {MAX_CALLS:,} times") as raised:
        read_tex(source, "bomb.tex")
    position = raised.value.position
    assert position is not None and (position.line, position.col) == (27, 8)


# --- a .tex runs nothing ----------------------------------------------------------------


def test_tex_never_runs_nor_reads_what_it_names(tmp_path: Path) -> None:
    r"""``\write18`` and ``\input{/etc/passwd}`` are text: nothing runs, nothing is read."""
    mark = tmp_path / "ran"
    secret = tmp_path / "secret.tex"
    secret.write_text("$$\nq = 1\n$$\nSECRET-TEXT\n")
    path = tmp_path / "evil.tex"
    path.write_text(
        f"\\immediate\\write18{{touch {mark}}}\n\\begin{{document}}\n\\input{{{secret}}}\n"
        f"\\include{{/etc/passwd}}\n$$\nw = \\input{{{secret}}}\n$$\n\\end{{document}}\n"
    )
    code, out, err = run("check", "--jobs", "1", str(path))
    assert not mark.exists()
    assert "SECRET-TEXT" not in out + err and "root:" not in out + err
    assert "Traceback" not in out + err and code in (1, 3)
    body = read_document(path).body
    assert "SECRET-TEXT" not in body and "q = 1" not in body
