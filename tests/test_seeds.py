"""The transcriptions of seeds 001 and 004: which lines hold, which do not, and why."""

from dataclasses import replace

import pytest

from derive.checking.results import Report
from derive.checking.steps import StepResult
from derive.model import Claim
from derive.printing import notation
from derive.reading.catalog import find_document
from derive.verdict import Verdict
from tests import catalogue
from tests.numeric import holds_numerically

MARKS = {"proved": "+", "verified": "+", "refuted": "x", "unparsed": "?", "undecided": "~"}


@pytest.fixture(scope="module")
def seed_004() -> tuple[Report, list[str]]:
    """The checked seed 004 document and its file's lines."""
    lines = find_document("seed-004").read_text(encoding="utf-8").split("\n")
    return catalogue.report("seed-004"), lines


@pytest.fixture(scope="module")
def seed_001() -> Report:
    """The checked seed 001 document."""
    return catalogue.report("seed-001")


def line_of(lines: list[str], text: str) -> int:
    """The 1-based number of the first line of the body that holds ``text``."""
    body = lines.index("+++", 1)
    return next(n for n in range(body, len(lines)) if text in lines[n]) + 1


def verdict_of(step: StepResult) -> Verdict:
    """The step's verdict (a step that was checked has one)."""
    assert step.verdict is not None, step.message
    return step.verdict


def claim_of(step: StepResult) -> Claim:
    """The step as a claim (a step that was checked is one)."""
    assert step.claim is not None, step.message
    return step.claim


def marks(report: Report) -> str:
    """One character per step: + holds, x wrong, ? not understood, ~ undecided."""
    return "".join(MARKS[s.status] for s in report.steps)


def test_seed_004_step_verdicts(seed_004: tuple[Report, list[str]]) -> None:
    """Every step's verdict, in order, and which ones hold only under `targets`."""
    report, _ = seed_004
    sections = {
        "1": "x+?x+?",
        "2": "++++++++????xx+++??",  # each pmatrix/bmatrix table is one side
        "3, 4": "+++??+",
        "5": "+x+++++????",
        "6": "+?",
        "7": "++xx",
    }
    assert marks(report) == "".join(sections.values())
    under = [s.step.right.text[:40] for s in report.steps if s.holds and verdict_of(s).holds_under]
    assert under == [
        r"\gamma_j - t_j",
        r"(\gamma - t)^T W^{(2)}",
        r"(\gamma_u^{(2)} - t_u) \gamma_v^{(1)}",
    ]
    assert all(s.as_expected for s in report.steps)  # each wrong step is a listed slip
    assert any(s.status == "refuted" for s in report.steps)
    assert report.ok is True  # a listed slip that is refuted is as expected


def test_seed_004_dropped_minus(seed_004: tuple[Report, list[str]]) -> None:
    """`= t/y (…)` drops the minus of ∂E/∂y = −t/y: wrong, at its line, with residual."""
    report, lines = seed_004
    (step,) = [s for s in report.steps if s.step.right.text.startswith(r"\frac{t}{y^{(2)}}")]
    assert step.status == "refuted"
    assert step.step.right.line == line_of(lines, r"$$= \frac{t}{y^{(2)}} \cdot")
    assert step.step.right.col == 5
    assert notation.unicode(verdict_of(step).residual) == "2·t·(y^{(2)} − 1)"
    example = verdict_of(step).counterexample
    assert example is not None and float(example.left) == -float(example.right) != 0


def test_seed_004_wrong_steps_where_the_notes_have_them(seed_004: tuple[Report, list[str]]) -> None:
    """The first wrong step is the opening loss; each wrong step sits at its line."""
    report, lines = seed_004
    wrong = [s for s in report.steps if s.status == "refuted"]
    first = wrong[0].step.right
    assert (first.line, first.col) == (line_of(lines, r"$$E = -\frac{1}{N}"), 7)
    assert [s.step.right.line for s in wrong] == [
        line_of(lines, r"$$E = -\frac{1}{N}"),
        line_of(lines, r"$$= \frac{t}{y^{(2)}}"),
        line_of(lines, r"\right)_j = \sum_{i=1, i \neq j}^{10} \left["),
        line_of(lines, r"$$= \sum_{i=1, i \neq j}^{10} (t_i \gamma_j)"),
        line_of(lines, r"= \frac{-(-1)(1+e^{-z})(e^{-z})}"),
        line_of(lines, r"7. \quad"),
        line_of(lines, r"7. \quad"),
    ]
    residuals = [notation.unicode(verdict_of(s).residual) for s in wrong]
    assert residuals[2:4] == ["2·(Σ_i t_i − t_j)·γ_j", "2·(t_j − Σ_i t_i)·γ_j"]
    assert residuals[5:] == ["(1 − x_v)·∂E/∂z^{(1)}_u·x_v", "(x_v − 1)·∂E/∂z^{(1)}_u·x_v"]


def test_seed_004_slips_the_shapes_give_away(seed_004: tuple[Report, list[str]]) -> None:
    """A row written for an entry, and y^{(1)} for the output, are reported with why."""
    report, _ = seed_004
    messages = [s.message for s in report.steps if s.status == "unparsed"]
    assert (
        messages.count(
            "not understood: the left side is 1×N and the right side a scalar under the "
            "front matter's [shapes]"
        )
        == 3
    )
    assert (
        "not understood: shape mismatch: `y^{(1)}` is H x 1 but `t` is N x 1; `-` needs both "
        "sides the same shape"
    ) in messages
    assert sum("`\\vdots`" in m for m in messages) == 2  # a pattern down a matrix
    assert sum("1×10" in m for m in messages) == 2  # a written-out row against a declared shape


def test_seed_001_every_step_holds(seed_001: Report) -> None:
    """All 52 steps of seed 001 hold for all sizes; its claims come out as expected."""
    report = seed_001
    assert len(report.steps) == 52
    assert {s.status for s in report.steps} == {"proved"}
    assert all(r.as_expected for r in report.results)
    assert report.ok


@pytest.mark.parametrize("name", ["seed-001", "seed-004"])
def test_steps_that_hold_hold_numerically(
    name: str, seed_001: Report, seed_004: tuple[Report, list[str]]
) -> None:
    """Each step said to hold also holds at random points (float64, finite differences)."""
    report = seed_001 if name == "seed-001" else seed_004[0]
    for step in report.steps:
        if step.holds:
            reading = report.document.reading_at(step.step.right.line)
            claim = replace(claim_of(step), assume=verdict_of(step).holds_under)
            assert holds_numerically(reading, claim, sizes=(2,), tries=2), step.step.right
