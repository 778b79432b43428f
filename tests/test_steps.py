"""Chains of equalities in a document's body, checked step by step."""

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from derive import api
from derive.checking.steps import StepResult
from derive.cli import main
from derive.model import Claim, Document
from derive.presenting.words import summary
from derive.reading.body import MAX_STEPS, chains
from derive.verdict import Verdict
from tests.numeric import holds_numerically

DATA = Path(__file__).parent / "data"
FRONT = (DATA / "steps.md").read_text(encoding="utf-8").split("+++")[1]


def document(tmp_path: Path, body: str) -> Document:
    """A document with the softmax-ce front matter and ``body``."""
    path = tmp_path / "doc.md"
    path.write_text(f"+++{FRONT}+++\n{body}", encoding="utf-8")
    return api.load(str(path))


def verdict_of(step: StepResult) -> Verdict:
    """The step's verdict (a step that was checked has one)."""
    assert step.verdict is not None, step.message
    return step.verdict


def claim_of(step: StepResult) -> Claim:
    """The step as a claim (a step that was checked is one)."""
    assert step.claim is not None, step.message
    return step.claim


def statuses(doc: Document) -> list[tuple[int, str]]:
    """(line, status) of every step."""
    return [(s.step.right.line, s.status) for s in api.check(doc).steps]


def test_transcribed_chain_verdicts() -> None:
    """The sample chain: which lines hold, which one is wrong, which is not understood."""
    report = api.check(api.load(str(DATA / "steps.md")))
    assert [(s.step.right.line, s.step.right.col, s.status) for s in report.steps] == [
        (29, 37, "proved"),
        (31, 5, "proved"),
        (33, 5, "proved"),
        (35, 5, "proved"),
        (37, 5, "refuted"),
        (40, 36, "proved"),
        (41, 4, "unparsed"),
    ]
    assert verdict_of(report.steps[3]).holds_under == ("targets",)
    for step in report.steps:  # every step said to hold holds at random points too
        if step.holds:
            claim = replace(claim_of(step), assume=verdict_of(step).holds_under)
            assert holds_numerically(report.document, claim)
    assert "not understood: unsupported LaTeX command `\\cancel`" in report.steps[6].message
    assert summary(list(report.steps)) == (
        "7 steps, 4 hold, 1 hold under assumptions, 1 wrong, 1 not understood"
    )


START = "$$\\frac{\\partial E}{\\partial z_j} = -\\sum_{k=1}^{K} t_k (\\delta_{kj} - y_j)$$\n\n"


@pytest.mark.parametrize(
    ("planted", "status"),
    [
        ("$$= t_j - y_j \\sum_{k=1}^{K} t_k$$", "refuted"),  # sign
        ("$$= y_k \\sum_{k=1}^{K} t_k - t_j$$", "refuted"),  # index swapped
        ("$$= y_j \\sum_{k=1}^{K} t_k$$", "refuted"),  # dropped term
        ("$$= y_j - t_j$$", "proved"),  # silently uses Σ t = 1: holds under targets
    ],
)
def test_planted_error_found_at_its_line(tmp_path: Path, planted: str, status: str) -> None:
    """One planted error per document, found at the line it is on (line 5 of the file)."""
    doc = document(tmp_path, "\n" + START + "Some prose.\n\n" + planted + "\n")
    found = statuses(doc)
    line = doc.body_line + 5
    assert found == [(doc.body_line + 1, "proved"), (line, status)]
    if status == "proved":
        assert verdict_of(api.check(doc).steps[1]).holds_under == ("targets",)


def test_cli_reports_steps_and_exit_code(tmp_path: Path) -> None:
    """A wrong step: exit 1, its position and residual; --json carries the steps."""
    doc = document(tmp_path, START + "$$= t_j - y_j$$\n")
    out = io.StringIO()
    assert main(["check", doc.path], stdout=out) == 1
    assert "✗" in out.getvalue() and "left − right" in out.getvalue()
    assert f"first wrong step: {doc.path}:{doc.body_line + 2}:5" in out.getvalue()
    out = io.StringIO()
    main(["check", doc.path, "--json"], stdout=out)
    step = json.loads(out.getvalue())["documents"][0]["steps"][1]
    assert set(step) == {
        "line",
        "col",
        "from",
        "to",
        "status",
        "residual",
        "counterexample",
        "holds_under",
        "side_conditions",
        "notes",
        "message",
        "expect",
        "ms",
        "as_expected",
        "timed_out",
    }
    assert (step["line"], step["col"], step["status"]) == (doc.body_line + 2, 5, "refuted")
    first = json.loads(out.getvalue())["documents"][0]["first_wrong_step"]
    assert first == {"line": doc.body_line + 2, "col": 5}


@pytest.mark.parametrize(
    ("body", "found"),
    [
        ("", []),
        ("No math at all.\n", []),
        ("$$E$$\n", []),
        ("$$= y_j$$\n", ["no chain comes before it"]),
        ("$$\\frac{a}{ = b$$\n", ["expected"]),
        ("$$a = $$\n", ["one side of the equality is empty"]),
    ],
)
def test_degenerate_bodies(tmp_path: Path, body: str, found: list[str]) -> None:
    """Empty bodies, one-sided chains and broken math: a result each, never skipped."""
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["unparsed"] * len(found)
    for step, words in zip(steps, found, strict=True):
        assert step.message.startswith("not understood: ") and words in step.message


def test_two_hundred_steps(tmp_path: Path) -> None:
    """A 200-step chain is checked step by step (every step holds)."""
    lines = ["$$y_j = y_j + 0$$"] + ["$$= y_j + 0$$"] * 199
    doc = document(tmp_path, "\n\n".join(lines) + "\n")
    assert len(chains(doc)[0]) == 201
    results = api.check(doc, timeout=5).steps
    assert len(results) == 200 and all(r.status == "proved" for r in results)


def test_catalogue_claims_and_steps_together(tmp_path: Path) -> None:
    """A document's claims still work alongside its steps."""
    text = (Path(__file__).parent.parent / "derivations" / "softmax-ce.md").read_text()
    path = tmp_path / "both.md"
    path.write_text(text + "\n" + START + "$$= y_j \\sum_{k=1}^{K} t_k - t_j$$\n")
    report = api.check(api.load(str(path)))
    assert report.ok and len(report.results) == 12 and len(report.steps) == 2


def test_bracket_and_align_blocks(tmp_path: Path) -> None:
    r"""\[ … \] and align* blocks are chains too, each step at its own line."""
    body = (
        "Text.\n\n\\[\ny_j = \\frac{e^{z_j}}{\\sum_{i=1}^{K} e^{z_i}}\n\\]\n\n"
        "\\begin{align*}\n\\frac{\\partial E}{\\partial y_k} &= -\\frac{t_k}{y_k} \\\\\n"
        "&= \\frac{t_k}{y_k}\n\\end{align*}\n"
    )
    doc = document(tmp_path, body)
    found = statuses(doc)
    assert found == [
        (doc.body_line + 3, "proved"),
        (doc.body_line + 7, "proved"),
        (doc.body_line + 8, "refuted"),
    ]


def test_known_wrong_step_is_expected(tmp_path: Path) -> None:
    """A slip listed under [[steps]] is reported with exit 0; listed but holding, exit 1."""
    wrong = START + "$$= t_j - y_j \\sum_{k=1}^{K} t_k$$\n"
    listed = FRONT + "\n[[steps]]\nto = 't_j - y_j'\nexpect = \"refuted\"\n"
    path = tmp_path / "known.md"
    path.write_text(f"+++{listed}+++\n{wrong}", encoding="utf-8")
    out = io.StringIO()
    assert main(["check", str(path)], stdout=out) == 0
    assert "✗" in out.getvalue() and "(expected)" in out.getvalue()
    path.write_text(
        f"+++{listed}+++\n{START}$$= y_j \\sum_{{k=1}}^{{K}} t_k - t_j$$\n", encoding="utf-8"
    )
    err = io.StringIO()  # 't_j - y_j' starts no step: a stale entry is refused, not ignored
    assert main(["check", str(path)], stdout=io.StringIO(), stderr=err) == 2
    assert "no step of the body has a right side that starts with `t_j - y_j`" in err.getvalue()
    path.write_text(
        f"+++{FRONT}\n[[steps]]\nto = 'y_j'\nexpect = \"refuted\"\n+++\n{START}"
        "$$= y_j \\sum_{k=1}^{K} t_k - t_j$$\n",
        encoding="utf-8",
    )
    assert main(["check", str(path)], stdout=io.StringIO()) == 1


PARTS = r"""+++
name = "parts"

[sizes]
K = "classes"

[indices]
i = "K"
j = "K"
k = "K"

[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}'
"E" = '-\sum_{k=1}^{K} t_k \ln y_k'

[[parts]]
from = "Part two"
where = ['i \neq j']
[parts.sizes]
K = 3
[parts.definitions]
"E" = ""
"y_k" = 'z_k'
's(z_i)' = '\frac{e^{z_i}}{\sum_{k=1}^{3} e^{z_k}}'

[[parts]]
from = "Part three"
[parts.macros]
'\sm' = '\frac{e^{z_j}}{\sum_{i=1}^{K} e^{z_i}}'
+++
Part one.

$$\frac{\partial y_j}{\partial z_j} = y_j (1 - y_j)$$

Part two: here y is z itself, K is 3, and i and j differ.

$$\frac{\partial y_j}{\partial z_j} = 1$$

$$\frac{\partial s(z_i)}{\partial z_j} = -s(z_i) s(z_j) \quad
\frac{\partial s(z_j)}{\partial z_j} = s(z_j) - s(z_j)^2$$

$$= s(z_j) \left(1 - s(z_j)\right)$$

Part three.

$$y_j = \sm$$
"""


def test_parts_read_each_part_with_its_own_tables(tmp_path: Path) -> None:
    """[[parts]]: own definitions, a fixed size, `where`, macros; chains stop at a part."""
    path = tmp_path / "parts.md"
    path.write_text(PARTS, encoding="utf-8")
    doc = api.load(str(path))
    assert [p.start for p in doc.parts] == [doc.body_line + 4, doc.body_line + 13]
    assert doc.reading_at(doc.body_line).definitions["y"].text.startswith(r"\frac")
    assert doc.parts[0].document.fixed == {"K": 3}
    assert "E" not in doc.parts[0].document.definitions  # an empty string drops a key
    report = api.check(doc)
    assert [(s.step.right.line - doc.body_line, s.step.right.col) for s in report.steps] == [
        (2, 39),
        (6, 39),
        (8, 42),
        (9, 40),  # after `\quad`, on the block's next line
        (11, 5),
        (15, 9),
    ]
    assert {s.status for s in report.steps} == {"proved"}
    assert verdict_of(report.steps[2]).sizes == "K = 3"
    assert claim_of(report.steps[2]).where[0].text == r"i \neq j"


def test_parts_change_what_a_step_means(tmp_path: Path) -> None:
    """The same line holds in one part and is wrong in another."""
    body = "$$\\frac{\\partial y_j}{\\partial z_j} = 1$$\n\nPart two\n\n"
    body += "$$\\frac{\\partial y_j}{\\partial z_j} = 1$$\n\nPart three\n"
    path = tmp_path / "parts.md"
    path.write_text(PARTS.split("+++\n")[0] + "+++\n" + PARTS.split("+++\n")[1] + "+++\n" + body)
    steps = api.check(api.load(str(path))).steps
    assert [s.status for s in steps] == ["refuted", "proved"]


def test_condition_written_after_a_side(tmp_path: Path) -> None:
    r"""``\frac{…}{\partial z_j}, i \neq j = …`` holds for i ≠ j, the whole chain long."""
    body = (
        "$$\\frac{\\partial y_i}{\\partial z_j}, i \\neq j = -y_i y_j$$\n\n"
        "$$= -y_j y_i$$\n\n$$\\frac{\\partial y_i}{\\partial z_j} = -y_i y_j$$\n"
    )
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["proved", "proved", "refuted"]
    assert steps[0].step.left.text == "\\frac{\\partial y_i}{\\partial z_j}"


def test_aligned_rows_on_one_line_have_their_own_columns(tmp_path: Path) -> None:
    """Rows joined by a row break on one line: each step is placed at its own right side."""
    body = "$$\\begin{aligned} E &= -\\sum_{k=1}^{K} t_k \\ln y_k \\\\ &= E \\end{aligned}$$\n"
    steps = api.check(document(tmp_path, body)).steps
    line = steps[0].step.right.line
    assert [(s.step.right.line, s.step.right.col) for s in steps] == [(line, 24), (line, 58)]


def test_substack_is_not_a_row_break(tmp_path: Path) -> None:
    r"""``\substack{k=1 \\ k \neq j}`` stays inside its sum."""
    body = "$$\\sum_{k=1}^{K} t_k = t_j + \\sum_{\\substack{k=1 \\\\ k \\neq j}}^{K} t_k$$\n"
    steps = api.check(document(tmp_path, body)).steps
    assert [s.status for s in steps] == ["proved"]


def test_steps_are_placed_where_they_are_written(tmp_path: Path) -> None:
    """Math inside a paragraph, identical blocks, a quote: each at its own line:col."""
    lines = [
        "Some text before",
        "the step → é $$y_j = y_j + 0$$ and $$t_j = t_j$$.",
        "",
        "$$y_j = y_j$$",
        "",
        "$$y_j = y_j$$",
        "",
        "> quoted",
        "> $$t_j = t_j$$",
        "",
        "\\[",
        "y_j = y_j",
        "\\]",
        "",
        "\\[",
        "y_j = y_j",
        "\\]",
    ]
    doc = document(tmp_path, "\n".join(lines) + "\n")
    found = [(s.step.right.line - doc.body_line, s.step.right.col) for s in api.check(doc).steps]
    assert found == [
        (1, lines[1].index("y_j + 0") + 1),
        (1, lines[1].rindex("t_j") + 1),
        (3, 9),
        (5, 9),
        (8, 11),
        (11, 7),
        (15, 7),
    ]


@pytest.mark.parametrize("shape", ["blocks", "aligned"])
def test_step_limit(tmp_path: Path, shape: str) -> None:
    """At most MAX_STEPS steps per document; 200,000 are refused while reading.

    The refusal is one line at the first step too many, with exit 2.
    """
    front = '+++\nname = "big"\n+++\n'

    def body(count: int) -> str:
        if shape == "blocks":
            return "$$ x = x $$\n" * count
        return "$$\\begin{aligned}\nx " + "&= x \\\\\n" * (count - 1) + "&= x\n\\end{aligned}$$\n"

    path = tmp_path / "limit.md"
    path.write_text(front + body(MAX_STEPS), encoding="utf-8")
    assert sum(len(chain) - 1 for chain in chains(api.load(str(path)))) == MAX_STEPS
    path = tmp_path / "big.md"
    path.write_text(front + body(200_000), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    assert main(["check", str(path)], stdout=out, stderr=err) == 2
    line = 4 + MAX_STEPS if shape == "blocks" else 5 + MAX_STEPS
    col = 8 if shape == "blocks" else 4
    assert err.getvalue() == (
        f"derive: {path}:{line}:{col}: the body has more than {MAX_STEPS} steps (derive "
        f"checks at most {MAX_STEPS} per document); split the document\n"
    )
    assert out.getvalue() == ""


def test_an_undeclared_word_is_not_understood(tmp_path: Path) -> None:
    """`out_j` is not silently o·u·t_j: the step is not understood, and says why."""
    doc = document(tmp_path, START + "$$= out_j - t_j$$\n")
    step = api.check(doc).steps[1]
    assert step.status == "unparsed"
    assert step.message.startswith("not understood: `out_j` would be the product o·u·t_j")


def test_a_bare_function_name_is_noted_in_the_message(tmp_path: Path) -> None:
    r"""`ln` without its backslash is `\ln`, and the step's message says so."""
    doc = document(tmp_path, "$$E = -\\sum_{k=1}^{K} t_k ln y_k$$\n")
    (step,) = api.check(doc).steps
    assert step.status == "proved"
    assert step.message.endswith("; read `ln` as `\\ln`")


@pytest.mark.parametrize("spacing", ["[1em]", "[2pt]", " [-3mm]", "*[0.5ex]", "*"])
def test_row_spacing_is_layout(tmp_path: Path, spacing: str) -> None:
    r"""`\\[1em]` after a row break is spacing: the next row continues the chain."""
    body = (
        "$$\\begin{aligned}\n\\frac{\\partial E}{\\partial y_k} &= -\\frac{t_k}{y_k} "
        f"\\\\{spacing}\n&= -t_k y_k^{{-1}}\n\\end{{aligned}}$$\n"
    )
    doc = document(tmp_path, body)
    (chain,) = chains(doc)
    assert [side.text for side in chain] == [
        "\\frac{\\partial E}{\\partial y_k}",
        "-\\frac{t_k}{y_k}",
        "-t_k y_k^{-1}",
    ]
    assert chain[2].line == doc.body_line + 2 and chain[2].col == 4
    assert statuses(doc) == [(doc.body_line + 1, "proved"), (doc.body_line + 2, "proved")]


def test_textbook_sigmoid_derivation() -> None:
    r"""A textbook sigmoid derivative: no false "wrong" from `\[1em]` or bare names.

    One chain in `aligned` rows spaced by `\[1em]`, one with `log`, `ln`, `exp` and
    `sigmoid` written without backslashes: every step and claim holds, each name noted.
    """
    report = api.check(api.load(str(DATA / "sigmoid-notes.md")))
    assert [r.verdict.status for r in report.results] == ["proved", "proved"]
    assert report.results[0].verdict.message.endswith("; read `sigmoid` as `\\sigma`")
    assert len(report.steps) == 11 and all(s.status == "proved" for s in report.steps)
    assert report.ok and report.first_wrong_step is None
    assert [s.step.right.line for s in report.steps[1:8]] == list(range(25, 32))  # one a row
    assert "read `ln` as `\\ln`" in report.steps[8].message
    out = io.StringIO()
    assert main(["check", str(DATA / "sigmoid-notes.md"), "--json"], stdout=out) == 0
    record = json.loads(out.getvalue())["documents"][0]
    assert record["steps"][-1]["message"].endswith(
        "; read `exp` as `\\exp`; read `sigmoid` as `\\sigma`"
    )
    assert record["claims"][1]["message"].endswith("; read `log` as `\\log`; read `exp` as `\\exp`")
