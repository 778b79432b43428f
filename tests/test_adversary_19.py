"""Adversaries' finds in reports, ``derive watch`` and readable evidence, kept as regressions."""

from __future__ import annotations

import io
from pathlib import Path

from derive import api
from derive.cli import main
from derive.commands.incremental import Remembered
from derive.presenting.record import DocumentRecord
from derive.printing.texsafe import is_author_math
from tests.tex import NEEDS_TEX

SIZES = [1, 2, 3]
STEPS = Path(__file__).parent / "data" / "steps.md"
MINUS_E = r"""E" = '-\sum_{k=1}^{K} t_k \ln y_k'"""
PLUS_E = r"""E" = '\sum_{k=1}^{K} t_k \ln y_k'"""


def statuses(record: DocumentRecord) -> list[tuple[object, ...]]:
    """Each claim's and step's place and status."""
    claims = [(c["name"], c["status"]) for c in record["claims"]]
    return claims + [(s["line"], s["col"], s["status"]) for s in record["steps"]]


def fresh(path: Path) -> DocumentRecord:
    """The record of a check of ``path`` that remembers nothing."""
    return Remembered().check(api.load(str(path)), sizes=SIZES, timeout=20)


# --- derive watch: what is remembered ----------------------------------------------


def test_a_save_during_a_check_does_not_lend_its_front_matter(tmp_path: Path) -> None:
    """Results of the text before a save are not kept under the saved front matter."""
    path = tmp_path / "notes.md"
    before = STEPS.read_text(encoding="utf-8")
    assert MINUS_E in before
    path.write_text(before, encoding="utf-8")
    memo = Remembered()
    read = api.load(str(path))
    path.write_text(before.replace(MINUS_E, PLUS_E), encoding="utf-8")  # saved meanwhile
    memo.check(read, sizes=SIZES, timeout=20)
    after = memo.check(api.load(str(path)), sizes=SIZES, timeout=20)
    assert statuses(after) == statuses(fresh(path))
    assert after["steps"][0]["status"] == "refuted"  # E's sign flips the first step


RESTATED = r"""# notes

$$
s = \frac{1}{1 + e^{-a}}
$$

$$
L = -y \ln s - (1 - y) \ln(1 - s)
$$

Again:

$$
L = -y \ln s - (1 - y) \ln(1 - s)
$$

$$
\frac{\partial L}{\partial a} = s - y
$$
"""


def test_a_restating_row_edited_in_place_is_part_of_the_later_steps_meaning(
    tmp_path: Path,
) -> None:
    """A step after ``L = …`` written again rests on that row's text, not only its place."""
    path = tmp_path / "notes.md"
    memo = Remembered()
    path.write_text(RESTATED, encoding="utf-8")
    first = memo.check(api.load(str(path)), sizes=SIZES, timeout=20)
    assert first["steps"][-1]["status"] == "proved"
    slipped = RESTATED.replace("Again:\n\n$$\nL = -y", "Again:\n\n$$\nL = y")
    assert slipped != RESTATED
    path.write_text(slipped, encoding="utf-8")
    after = memo.check(api.load(str(path)), sizes=SIZES, timeout=20)
    assert statuses(after) == statuses(fresh(path))
    assert after["steps"][-1]["status"] == "unparsed"  # which `L` is meant is not clear


# --- the PDF report ----------------------------------------------------------------

BLANK_LINES = "# t\n\n$$\nx^2 = x \\cdot x\n\n= x x\n$$\n\nProse $$a\n\nb$$ end.\n"


def test_math_with_a_blank_line_is_not_typeset_as_math() -> None:
    """TeX ends a paragraph at a blank line: inside math that stops the whole report."""
    assert not is_author_math("x^2 = x \\cdot x\n\n= x x")
    assert not is_author_math("a\n  \t\nb")
    assert is_author_math("x^2 = x \\cdot x\n= x x")


@NEEDS_TEX
def test_a_display_with_a_blank_line_compiles(tmp_path: Path) -> None:
    """A display whose rows a blank line separates (its steps hold) still makes a PDF."""
    doc = tmp_path / "blank.md"
    doc.write_text(BLANK_LINES, encoding="utf-8")
    out = tmp_path / "blank.tex"
    assert main(["report", str(doc), "-o", str(out), "--pdf"], stdout=io.StringIO()) == 0
    assert out.with_suffix(".pdf").is_file()
