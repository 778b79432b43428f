"""Notes in the styles people write (``tests/data/notes/``): read, and judged as labelled.

Each document labels its steps: a step listed under ``[[steps]]`` with
``expect = "refuted"`` is a slip, every other step holds (possibly under a declared
assumption). derive must give at least 95% of the steps a verdict, call no right step
wrong (no false alarm), let no listed slip through (no miss), and skip no display math
without saying so.
"""

from pathlib import Path

import pytest

from derive import api
from derive.checking.results import Report

NOTES = sorted((Path(__file__).parent / "data" / "notes").glob("*.md"))
VERDICTS = ("proved", "verified", "refuted")


@pytest.fixture(scope="module")
def reports() -> dict[str, Report]:
    """Every notes document, checked once."""
    return {path.stem: api.check(api.load(str(path))) for path in NOTES}


def test_there_is_a_document_per_style() -> None:
    """Blog post, lecture, forum answer and notebook styles are all represented."""
    assert {p.stem.split("-")[0] for p in NOTES} >= {"blog", "lecture", "answer", "notebook"}


def test_at_least_95_percent_of_steps_get_a_verdict(reports: dict[str, Report]) -> None:
    """Across the notes, at least 95% of the steps are read and decided."""
    steps = [s for report in reports.values() for s in report.steps]
    decided = [s for s in steps if s.status in VERDICTS]
    assert len(steps) >= 30
    assert len(decided) >= 0.95 * len(steps), [
        (s.step.right.line, s.message) for s in steps if s.status not in VERDICTS
    ]


@pytest.mark.parametrize("name", [p.stem for p in NOTES])
def test_no_false_alarm_and_no_miss(reports: dict[str, Report], name: str) -> None:
    """Right steps hold, listed slips are refuted, and every document has both."""
    steps = reports[name].steps
    alarms = [s.step.right.line for s in steps if s.expect == "holds" and s.status == "refuted"]
    misses = [s.step.right.line for s in steps if s.expect == "refuted" and s.status != "refuted"]
    assert (alarms, misses) == ([], [])
    assert any(s.expect == "refuted" for s in steps)
    assert sum(s.holds for s in steps) >= 4


@pytest.mark.parametrize("name", [p.stem for p in NOTES])
def test_no_display_math_is_skipped(reports: dict[str, Report], name: str) -> None:
    """Every display block of the notes is a step: none is left unread."""
    assert reports[name].unread == []
