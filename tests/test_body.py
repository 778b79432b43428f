r"""How the body is read: display environments, rows, statements, conditions, what is not read.

Each test writes its own small document with the front matter of ``tests/data/steps.md``
(sizes ``K``, indices ``i, j, k``, the softmax ``y_k`` and the loss ``E``) and checks
where each side is placed in the file, what the chains are, and what is listed as not read.
"""

import io
import json
from pathlib import Path

import pytest

from derive import api
from derive.checking.steps import StepResult
from derive.cli import main
from derive.model import Claim, Document
from derive.reading.body import Side, chains, read_body

DATA = Path(__file__).parent / "data"
FRONT = (DATA / "steps.md").read_text(encoding="utf-8").split("+++")[1]
DERIVATIVE = r"\frac{\partial E}{\partial z_j}"
EXPANDED = r"y_j \sum_{k=1}^{K} t_k - t_j"
SHORT = "y_j - t_j"
DIAGONAL = r"\frac{\partial y_j}{\partial z_k}"


def document(tmp_path: Path, body: str) -> Document:
    """A document with the front matter of ``steps.md`` and ``body``."""
    path = tmp_path / "doc.md"
    path.write_text(f"+++{FRONT}+++\n{body}", encoding="utf-8")
    return api.load(str(path))


def claim_of(step: StepResult) -> Claim:
    """The step as a claim (a step that was checked is one)."""
    assert step.claim is not None, step.message
    return step.claim


def place(doc: Document, needle: str, nth: int = 0) -> tuple[int, int]:
    """The file line and 1-based column of the ``nth`` occurrence of ``needle``."""
    text = Path(doc.path).read_text(encoding="utf-8")
    at = -1
    for _ in range(nth + 1):
        at = text.index(needle, at + 1)
    line = text.count("\n", 0, at) + 1
    return line, at - (text.rfind("\n", 0, at) + 1) + 1


def texts(doc: Document) -> list[list[str]]:
    """Each chain as the texts of its sides."""
    return [[side.text for side in chain] for chain in chains(doc)]


def at(side: Side) -> tuple[int, int]:
    """Where a side starts."""
    return side.line, side.col


EQUATION_BODIES = {
    "equation in $$": f"$$\\begin{{equation}}{DERIVATIVE} = {EXPANDED}\\end{{equation}}$$\n",
    "equation*": f"\\begin{{equation*}}\n{DERIVATIVE} = {EXPANDED}\n\\end{{equation*}}\n",
    "split in equation": (
        f"\\begin{{equation}}\n\\begin{{split}}\n{DERIVATIVE} &= {EXPANDED} \\\\\n"
        f"&= {SHORT}\n\\end{{split}}\n\\end{{equation}}\n"
    ),
    "gather*": f"\\begin{{gather*}}\n{DERIVATIVE} = {EXPANDED} \\\\\n= {SHORT}\n\\end{{gather*}}\n",
    "multline": f"\\begin{{multline}}\n{DERIVATIVE} \\\\\n= {EXPANDED}\n\\end{{multline}}\n",
    "align with spacing": (
        f"\\begin{{align}}\n{DERIVATIVE} &= {EXPANDED} \\\\[1em]\n&= {SHORT}\n\\end{{align}}\n"
    ),
    "alignat": (
        f"\\begin{{alignat*}}{{2}}\n{DERIVATIVE} &= {EXPANDED} \\\\\n&= {SHORT}\n"
        "\\end{alignat*}\n"
    ),
    "flalign": f"\\begin{{flalign}}\n{DERIVATIVE} &= {EXPANDED} &\n\\end{{flalign}}\n",
    "eqnarray": (
        f"\\begin{{eqnarray*}}\n{DERIVATIVE} &=& {EXPANDED} \\\\\n&=& {SHORT}\n\\end{{eqnarray*}}\n"
    ),
    "aligned alone": f"\\begin{{aligned}}\n{DERIVATIVE} &= {EXPANDED}\n\\end{{aligned}}\n",
    "gathered in $$": f"$$\\begin{{gathered}} {DERIVATIVE} = {EXPANDED} \\end{{gathered}}$$\n",
}


@pytest.mark.parametrize("body", EQUATION_BODIES.values(), ids=EQUATION_BODIES.keys())
def test_display_environments(tmp_path: Path, body: str) -> None:
    """Each environment is layout: one chain, each side placed where it is written."""
    doc = document(tmp_path, "Text.\n\n" + body)
    found = chains(doc)
    assert len(found) == 1
    sides = [side.text for side in found[0]]
    assert sides[:2] == [DERIVATIVE, EXPANDED]
    assert sides[2:] in ([], [SHORT])
    assert at(found[0][0]) == place(doc, DERIVATIVE)
    assert at(found[0][1]) == place(doc, EXPANDED)
    if len(sides) == 3:
        assert at(found[0][2]) == place(doc, SHORT)
    assert read_body(doc).unread == []


def test_environment_steps_are_checked(tmp_path: Path) -> None:
    """``split`` inside ``equation`` inside ``$$``: both steps checked, at their columns."""
    body = (
        f"$$\\begin{{equation}}\\begin{{split}} {DERIVATIVE} &= {EXPANDED} \\\\ "
        f"&= {SHORT} \\end{{split}}\\end{{equation}}$$\n"
    )
    doc = document(tmp_path, body)
    steps = api.check(doc).steps
    assert [s.status for s in steps] == ["proved", "proved"]
    assert [at(s.step.right) for s in steps] == [place(doc, EXPANDED), place(doc, SHORT)]


@pytest.mark.parametrize("wrapper", ["eqalign", "displaylines"])
def test_plain_tex_rows(tmp_path: Path, wrapper: str) -> None:
    r"""``\eqalign{ … \cr … }``: the wrapper and its brace are layout, rows break at ``\cr``."""
    amp = "&" if wrapper == "eqalign" else ""
    body = f"$$\\{wrapper}{{ {DERIVATIVE} {amp}= {EXPANDED} \\cr {amp}= {SHORT} }}$$\n"
    doc = document(tmp_path, body)
    assert texts(doc) == [[DERIVATIVE, EXPANDED, SHORT]]
    assert [at(s) for s in chains(doc)[0]] == [
        place(doc, DERIVATIVE),
        place(doc, EXPANDED),
        place(doc, SHORT),
    ]


def test_single_dollar_aligned_is_a_display(tmp_path: Path) -> None:
    r"""``$\begin{aligned} … \end{aligned}$`` is a display; other ``$…$`` math is not."""
    body = (
        f"Inline $y_j = y_j$ stays prose, and\n$\\begin{{aligned}} {DERIVATIVE} &= {EXPANDED}"
        f" \\\\ &= {SHORT} \\end{{aligned}}$ is read.\n"
    )
    doc = document(tmp_path, body)
    assert texts(doc) == [[DERIVATIVE, EXPANDED, SHORT]]
    assert at(chains(doc)[0][1]) == place(doc, EXPANDED)


def test_brackets_in_the_middle_of_a_line(tmp_path: Path) -> None:
    r"""``text \[ … \] more text`` is read, at its column; ``\[`` in code is not."""
    body = f"We find \\[ {DERIVATIVE} = {SHORT} \\] and `\\[ a = b \\]` is code.\n"
    doc = document(tmp_path, body)
    assert texts(doc) == [[DERIVATIVE, SHORT]]
    assert at(chains(doc)[0][1]) == place(doc, SHORT)


@pytest.mark.parametrize(
    "ending", [".", ",", ";", " \\text{.}", "\\,.", ". \\quad", ".\\;", "\\text{ ,}"]
)
def test_final_punctuation_is_set_aside(tmp_path: Path, ending: str) -> None:
    r"""A formula's final punctuation is not part of its last side, nor before ``\end``."""
    body = (
        f"$${DERIVATIVE} = {SHORT}{ending}$$\n\n"
        f"\\begin{{align*}}\ny_j &= y_j{ending}\n\\end{{align*}}\n"
    )
    assert texts(document(tmp_path, body)) == [[DERIVATIVE, SHORT], ["y_j", "y_j"]]


@pytest.mark.parametrize("arrow", ["\\Rightarrow", "\\implies", "\\Longrightarrow", "\\iff"])
def test_arrows_separate_statements(tmp_path: Path, arrow: str) -> None:
    """An arrow separates statements; a row that starts with one starts a new chain."""
    body = (
        f"$$\\begin{{aligned}} y_j &= y_j {arrow} t_j = t_j \\\\ {arrow} t_k &= t_k \\\\ "
        "&= t_k \\end{aligned}$$\n"
    )
    doc = document(tmp_path, body)
    assert texts(doc) == [["y_j", "y_j"], ["t_j", "t_j"], ["t_k", "t_k", "t_k"]]
    assert at(chains(doc)[1][0]) == place(doc, "t_j = t_j")


def test_an_arrow_never_continues_a_chain(tmp_path: Path) -> None:
    r"""``\therefore = x`` is a new statement: it starts with `=` and has no chain before it."""
    body = "$$y_j = y_j$$\n\n$$\\therefore = y_j$$\n"
    doc = document(tmp_path, body)
    assert texts(doc) == [["y_j", "y_j"], ["", "y_j"]]
    steps = api.check(doc).steps
    assert steps[1].status == "unparsed" and "no chain comes before it" in steps[1].message


@pytest.mark.parametrize(
    "condition",
    ["\\quad \\text{if } j = k", "\\quad (j = k)", ", \\text{ when } j = k", "\\text{for }j=k."],
)
def test_equal_index_condition(tmp_path: Path, condition: str) -> None:
    """A step that holds only when two indices are equal holds under its condition."""
    doc = document(tmp_path, f"$${DIAGONAL} = y_j (1 - y_j) {condition}$$\n")
    assert texts(doc) == [[DIAGONAL, "y_j (1 - y_j)"]]
    steps = api.check(doc).steps
    assert [s.status for s in steps] == ["proved"]
    assert [(c.op, c.text) for c in claim_of(steps[0]).where if c.op == "="] == [("=", "j = k")]
    assert "under the condition `j = k`" in steps[0].message


def test_unequal_index_condition_and_its_absence(tmp_path: Path) -> None:
    r"""``\text{for } j \neq k``: holds; the same step without it is wrong."""
    body = (
        f"$${DIAGONAL} = -y_j y_k \\quad \\text{{for }} j \\neq k$$\n\n$${DIAGONAL} = -y_j y_k$$\n"
    )
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["proved", "refuted"]


def test_condition_holds_from_its_row_on(tmp_path: Path) -> None:
    """A condition on a later row does not make an earlier, wrong step hold."""
    body = (
        f"$$\\begin{{aligned}} {DIAGONAL} &= y_j (1 - y_j) \\\\ &= y_j - y_j^2 "
        "\\quad \\text{if } j = k \\\\ &= y_j - y_j y_j \\end{aligned}$$\n"
    )
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["refuted", "proved", "proved"]
    assert [len(claim_of(s).where) for s in steps] == [0, 1, 1]


def test_prose_condition_before_a_continuation(tmp_path: Path) -> None:
    """Prose ending "if $j = k$:" before a block that continues the chain: from there on."""
    body = (
        f"$${DIAGONAL} = y_j \\frac{{\\partial \\ln y_j}}{{\\partial z_k}}$$\n\n"
        "and if $j = k$:\n\n$$= y_j (1 - y_j)$$\n\nFor $m = 1$, nothing:\n\n"
        f"$${DIAGONAL} = y_j (1 - y_j)$$\n"
    )
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["proved", "proved", "refuted"]
    assert [len(claim_of(s).where) for s in steps] == [0, 1, 0]


def test_unusable_condition_is_not_read(tmp_path: Path) -> None:
    r"""``\text{otherwise}`` or a condition on values: the statement is listed, not checked."""
    body = "$$y_j = 0 \\quad \\text{otherwise}$$\n\n$$t_j = 1 \\quad \\text{if } t_j > 0$$\n"
    doc = document(tmp_path, body)
    assert chains(doc) == []
    unread = read_body(doc).unread
    assert [(u.reason, u.detail) for u in unread] == [
        ("condition", "otherwise"),
        ("condition", "t_j > 0"),
    ]
    assert [(u.line, u.col) for u in unread] == [place(doc, "y_j = 0"), place(doc, "t_j = 1")]


@pytest.mark.parametrize(
    "environment",
    [
        "\\begin{cases} y_j (1 - y_j) & j = k \\\\ -y_j y_k & j \\neq k \\end{cases}",
        "\\begin{pmatrix} y_1 & y_2 \\\\ y_2 = y_1 & y_1 \\end{pmatrix}",
        "\\begin{bmatrix} a \\end{bmatrix}",
        "\\begin{array}{cc} a & b \\\\ c & d \\end{array}",
        "\\begin{smallmatrix} a & b \\end{smallmatrix}",
    ],
)
def test_environments_kept_whole(tmp_path: Path, environment: str) -> None:
    r"""``cases`` and the matrices are one side: their ``\\``, ``&`` and ``=`` split nothing."""
    body = f"\\begin{{align*}}\n{DIAGONAL} &= {environment} \\\\\n&= y_j\n\\end{{align*}}\n"
    doc = document(tmp_path, body)
    assert texts(doc) == [[DIAGONAL, environment, "y_j"]]
    assert at(chains(doc)[0][1]) == place(doc, environment)


def test_rows_not_read_are_listed(tmp_path: Path) -> None:
    """Rows without `=` are listed with their position and why; steps are still read."""
    body = (
        "$$\\sigma(z_j)$$\n\nText $$z \\in \\mathbb{R}^K$$ text.\n\n"
        "$$\\begin{aligned} y_j &\\approx y_j \\\\ y_j &\\le 1 \\\\ y_j &= y_j \\end{aligned}$$\n\n"
        "$$\\text{where } y_j \\propto e^{z_j}$$\n"
    )
    doc = document(tmp_path, body)
    unread = read_body(doc).unread
    assert [(u.reason, u.detail, u.text) for u in unread] == [
        ("equality", "", "\\sigma(z_j)"),
        ("relation", "\\in", "z \\in \\mathbb{R}^K"),
        ("relation", "\\approx", "y_j \\approx y_j"),
        ("relation", "\\le", "y_j \\le 1"),
        ("prose", "", "\\text{where } y_j \\propto e^{z_j}"),
    ]
    assert [(u.line, u.col) for u in unread] == [
        place(doc, "\\sigma"),
        place(doc, "z \\in"),
        place(doc, "y_j &\\approx"),
        place(doc, "y_j &\\le"),
        place(doc, "\\text{where"),
    ]
    assert texts(doc) == [["y_j", "y_j"]]


def run(*args: str) -> tuple[int, str]:
    """Run the CLI; return the exit code and stdout."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(args), stdout=out, stderr=err)
    return code, out.getvalue()


def test_unread_in_json_and_summary(tmp_path: Path) -> None:
    """--json lists what was not read; the terminal counts it with positions."""
    doc = document(tmp_path, "$$y_j = y_j$$\n\n$$\\sigma(z_j)$$\n\n$$a \\le b$$\n")
    code, out = run("check", doc.path, "--json", "--no-cache")
    record = json.loads(out)["documents"][0]
    assert code == 0 and record["ok"] is True and record["no_verdict"] is False
    lines = [(u["line"], u["col"]) for u in record["unread"]]
    assert lines == [place(doc, "\\sigma"), place(doc, "a \\le")]
    assert all(set(u) == {"line", "col", "text", "reason"} for u in record["unread"])
    assert "no `=`" in record["unread"][0]["reason"]
    code, out = run("check", doc.path, "--no-cache")
    listed = ", ".join(f"{line}:{col}" for line, col in lines)
    assert f"2 display rows not read: {listed}" in out


@pytest.mark.parametrize(
    "body", ["$$\\sigma(z_j)$$\n", "$$y_j = \\mathrm{unknown}(z)$$\n\n$$a \\le b$$\n"]
)
def test_nothing_checked_is_not_as_expected(tmp_path: Path, body: str) -> None:
    """Display math none of which got a verdict: not ok, exit 3, said in the summary."""
    doc = document(tmp_path, body)
    assert api.check(doc).ok is False and api.check(doc).no_verdict is True
    code, out = run("check", doc.path, "--json", "--no-cache")
    record = json.loads(out)["documents"][0]
    assert code == 3 and record["ok"] is False and record["no_verdict"] is True
    code, out = run("check", doc.path, "--no-cache")
    assert code == 3 and "no step of the body's display math was checked" in out


def test_no_display_math_is_fine(tmp_path: Path) -> None:
    """A body with prose and inline math only has nothing to check and nothing unread."""
    doc = document(tmp_path, "Only prose, and $y_j = y_j$ inline.\n")
    report = api.check(doc)
    assert report.ok and not report.no_verdict and report.unread == []
