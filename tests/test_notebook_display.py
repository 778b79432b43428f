"""derive in a notebook: check by name or path, short reprs, HTML reports, ``%%derive``."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from IPython.core.interactiveshell import InteractiveShell
from traitlets.config import Config

import derive
from derive import api
from derive.checking.results import Report
from derive.presenting.html.page import BOX
from derive.presenting.html.scope import scoped
from derive.verdict import LONGEST_REPR, Counterexample, Verdict

from .catalogue import report as report_of

CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"

SLIP = r"""# A slip

$$
\frac{d}{dx} x^3 = 3 x^2 = 3 x
$$
"""
SOUND = r"""$$
\frac{d}{dx} x^3 = 3 x^2
$$
"""
UNKNOWN_KEY = "+++\nname = 'x'\nbogus = 1\n+++\n\n$$x = x$$\n"


@pytest.fixture(scope="module")
def shell(tmp_path_factory: pytest.TempPathFactory) -> Iterator[InteractiveShell]:
    """An IPython shell with ``%load_ext derive`` run, its profile in a temporary folder."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("IPYTHONDIR", str(tmp_path_factory.mktemp("ipython")))
        config = Config()
        config.HistoryManager.enabled = False  # no history database written anywhere
        ip = InteractiveShell.instance(config=config)
        ip.run_line_magic("load_ext", "derive")
        yield ip
        InteractiveShell.clear_instance()


def cell(shell: InteractiveShell, line: str, text: str) -> object:
    """What ``%%derive LINE`` returns for a cell holding ``text``."""
    return shell.run_cell_magic("derive", line, text)  # type: ignore[no-untyped-call]


def marks(html: str) -> list[str]:
    """The kind of each mark beside a row of the derivation (✓, ✗, ?), in order."""
    return re.findall(r'<span class="mark \w+" data-kind="(\w+)"', html)


def test_check_takes_a_name_a_path_or_a_document() -> None:
    """``derive.check`` loads a catalogue name, a ``str`` or ``Path`` path, or takes a Document."""
    path = CATALOGUE / "softmax-ce.md"
    reports = [derive.check(x) for x in ("softmax-ce", str(path), path)]
    reports.append(derive.check(derive.load("softmax-ce")))
    for report in reports:
        assert isinstance(report, Report) and report.ok
        assert report.document.name == "softmax-ce"
    statuses = [[r.verdict.status for r in report.results] for report in reports]
    assert len(statuses[0]) == 12 and statuses.count(statuses[0]) == 4
    assert statuses[0].count("refuted") == 2


def test_check_by_a_name_not_found_says_so() -> None:
    """A name that is neither a document nor a file is a DeriveError, not AttributeError."""
    with pytest.raises(derive.DeriveError, match=r"^no document called `no-such-thing`"):
        derive.check("no-such-thing")


def test_reprs_are_one_short_line() -> None:
    """A report, a claim's result, a step's and a verdict each print as one line."""
    report = report_of("seed-001")
    shown = [repr(report), repr(report.results[0]), repr(report.steps[0])]
    shown += [repr(report.results[0].verdict)]
    for line in shown:
        assert "\n" not in line and len(line) <= 140 and line.startswith("<") and line.endswith(">")
    steps = len(report.steps)
    assert shown[0].startswith("<Report seed-001: ") and f"; {steps} steps: " in shown[0]
    first = report.results[0]
    assert shown[1] == f"<ClaimResult {first.claim.name}: {first.verdict.status}, as expected>"
    where = report.steps[0].step.right
    assert shown[2].startswith(f"<StepResult {where.line}:{where.col} {report.steps[0].status}")
    assert shown[3].startswith(f"<Verdict {first.verdict.status}: ")


def test_report_repr_counts_statuses() -> None:
    """The report's line counts its claims as expected and its steps by status."""
    report = derive.check("softmax-ce")
    assert repr(report) == "<Report softmax-ce: 12 of 12 claims as expected; no steps>"
    slip = derive.check(api.load_text(SLIP))
    assert repr(slip) == "<Report cell: no claims; 2 steps: 1 proved, 1 refuted, 1 not as expected>"


def test_verdict_repr_shows_the_counterexample_and_stays_short() -> None:
    """A refuted verdict shows where it fails; a long detail is cut to one short line."""
    example = Counterexample({"K": 2}, {"j": 1}, {"z": "(0, 1)"}, "0.5", "0.25")
    assert repr(Verdict("refuted", counterexample=example)) == (
        "<Verdict refuted: K=2, j=1, z=(0, 1): left 0.5, right 0.25>"
    )
    assert repr(Verdict("undecided", timed_out=True)) == "<Verdict undecided: time limit reached>"
    long = repr(Verdict("verified", sizes="K=1..8", method="x" * 500))
    assert len(long) == len("<Verdict verified: >") + LONGEST_REPR and long.endswith("…>")


def test_short_reprs_keep_dataclass_equality() -> None:
    """Equal fields, equal results; a changed status is a different verdict."""
    result = derive.check("softmax-ce").results[0]
    assert dataclasses.replace(result) == result
    assert dataclasses.replace(result.verdict) == result.verdict
    assert dataclasses.replace(result.verdict, status="refuted") != result.verdict


def test_report_html_is_a_fragment_with_a_mark_per_step() -> None:
    """The notebook's HTML: a box, no page or script, and each step's mark beside its row."""
    report = report_of("seed-004")
    html = report._repr_html_()
    assert html.startswith(f'<div class="{BOX}">')
    assert not re.search(r"<(script|html|head|body|main|!DOCTYPE)\b", html)
    found = marks(html)
    assert len(found) == len(report.steps) + len(report.unread)
    assert found.count("wrong") == sum(s.status == "refuted" for s in report.steps) > 0


def test_report_html_style_reaches_only_its_box() -> None:
    """Every rule of the embedded style is scoped to the box (``@media`` blocks inside too)."""
    html = derive.check("softmax-ce")._repr_html_()
    css = re.search(r"<style>(.*?)</style>", html, re.DOTALL)
    assert css is not None and len(re.findall("<style>", html)) == 1
    rules = re.findall(r"([^{}]+)\{[^{}]*\}", css.group(1))
    assert len(rules) > 40
    for prelude in rules:
        for selector in prelude.split(","):
            assert selector.strip().startswith(f".{BOX}"), selector


def test_claim_html_is_one_row() -> None:
    """A claim's result shows as the table of claims with its one row, scoped too."""
    result = derive.check("softmax-ce").results[2]
    html = result._repr_html_()
    assert html.startswith(f'<div class="{BOX}">') and "<script" not in html
    assert html.count('<tr class="claim') == 1 and "gradient-needs-targets" in html
    assert '<td class="mark wrong">✗</td>' in html and "counterexample" in html


def test_scoped_prefixes_every_selector() -> None:
    """The page becomes the box; lists, ``:is(a, b)`` and ``@media`` rules are scoped."""
    css = "/* x */ :root { --a: 1; } h2, .a:is(b, c) { x: 1; } @media print { body { y: 2; } }"
    assert scoped(css, ".box").splitlines() == [
        ".box { --a: 1; }",
        ".box h2, .box .a:is(b, c) { x: 1; }",
        "@media print {",
        ".box { y: 2; }",
        "}",
    ]


def test_magic_shows_the_report_with_a_cross_for_a_wrong_step(shell: InteractiveShell) -> None:
    """``%%derive`` checks the cell; the wrong step of the chain gets the ✗, the right one ✓."""
    report = cell(shell, "--timeout 20", SLIP)
    assert isinstance(report, Report)
    html = report._repr_html_()
    assert marks(html) == ["holds", "wrong"]
    assert "✗ line 4: this step does not hold" in html  # the cell's own line numbers
    assert "✗" in html and "derive check &lt;cell&gt;" not in html  # a cell is not a file
    sound = cell(shell, "", SOUND)
    assert isinstance(sound, Report) and sound.ok and marks(sound._repr_html_()) == ["holds"]


def test_magic_registered_by_load_ext(shell: InteractiveShell) -> None:
    """``%load_ext derive`` registers the cell magic, and only it."""
    assert shell.magics_manager is not None
    magics = shell.magics_manager.magics
    assert "derive" in magics["cell"] and "derive" not in magics["line"]


def test_magic_malformed_cell_is_one_line(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cell derive cannot read: one line with ``<cell>:line:col`` and what to do, no traceback."""
    assert cell(shell, "", UNKNOWN_KEY) is None
    out, err = capsys.readouterr()
    assert out == ""
    assert re.fullmatch(
        r"derive: <cell>:3:1: unknown front-matter key `bogus`; the keys are .*\n", err
    )


def test_magic_bad_option_is_one_line(
    shell: InteractiveShell, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad option on the magic's line is one line naming the option, and nothing checked."""
    assert cell(shell, "--timeout soon", SOUND) is None
    assert cell(shell, "--sizes '2..", SOUND) is None
    _, err = capsys.readouterr()
    lines = err.splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert lines[0] == (
        "%%derive: argument --timeout: takes a number of seconds, not 'soon' "
        "(see `%%derive --help`)"
    )
    assert lines[1] == "%%derive: cannot read the options: No closing quotation"
