"""``derive watch``: only what changed is checked again, and never a stale verdict."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from derive import api
from derive.checking.check import tasks_of
from derive.cli import main
from derive.commands import incremental
from derive.commands.incremental import Remembered
from derive.presenting.record import DocumentRecord, document_record

SIZES = (1, 2, 3)

NOTES = """# Softmax and its loss, by hand

$$y_k = \\frac{e^{z_k}}{\\sum_{j} e^{z_j}}$$

$$E = -\\sum_k t_k \\ln y_k$$

$$\\frac{\\partial y_i}{\\partial z_i} = y_i (1 - y_i)$$

$$\\frac{\\partial E}{\\partial z_j} = \\sum_k t_k y_j - t_j = y_j \\sum_k t_k - t_j$$

$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$

$$\\frac{d}{dx} \\sigma(x) = \\sigma(x) (1 - \\sigma(x))$$
"""


def verdicts(record: DocumentRecord) -> list[tuple[int, int, str, str]]:
    """Each step's place, text and status; each claim's name and status."""
    steps = [(s["line"], s["col"], s["to"], s["status"]) for s in record["steps"]]
    return steps + [(0, 0, c["name"], c["status"]) for c in record["claims"]]


def fresh(path: Path) -> DocumentRecord:
    """A check of ``path`` from nothing."""
    return document_record(api.check(api.load(str(path)), sizes=SIZES, timeout=30))


EDITS = [  # each the notes' text after an edit, and how many checks it should need at most
    (NOTES.replace("y_i (1 - y_i)", "y_i (1 + y_i)"), 1),  # one step
    (NOTES.replace("(1 - \\sigma(x))", "(1 + \\sigma(x))"), 1),
    (NOTES.replace("e^{-x}", "e^{x}"), None),  # a definition: its users again
    (NOTES.replace("-\\sum_k t_k \\ln y_k", "-\\sum_k t_k \\ln y_k + 0"), None),
    (NOTES, None),  # back as it was: remembered
]


def test_an_edit_checks_only_what_changed_and_agrees_with_a_fresh_check(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    memo = Remembered()
    first = memo.check(api.load(str(notes)), sizes=SIZES, timeout=30)
    assert memo.last_remembered == 0 and memo.last_checked == len(first["steps"])
    for text, most in EDITS:
        notes.write_text(text, encoding="utf-8")
        again = memo.check(api.load(str(notes)), sizes=SIZES, timeout=30)
        assert verdicts(again) == verdicts(fresh(notes)), text
        if most is not None:
            assert memo.last_checked <= most
            assert memo.last_remembered == len(again["steps"]) - memo.last_checked
    assert memo.last_checked == 0  # the text it started with is remembered whole


def test_a_definition_changed_makes_its_users_be_checked_again(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    memo = Remembered()
    before = memo.check(api.load(str(notes)), sizes=SIZES, timeout=30)
    notes.write_text(NOTES.replace("{e^{z_k}}", "{e^{2 z_k}}"), encoding="utf-8")
    after = memo.check(api.load(str(notes)), sizes=SIZES, timeout=30)
    assert memo.last_checked == len(after["steps"])  # the meaning of y changed: all again

    def slope(record: DocumentRecord) -> list[str]:
        return [s["status"] for s in record["steps"] if "y_i (1 - y_i)" in s["to"]]

    assert slope(before) == ["proved"] and slope(after) == ["refuted"]


def test_the_key_holds_the_options_and_the_code(tmp_path: Path) -> None:
    doc = api.load("sigmoid")
    task = tasks_of(doc)[0]
    meaning = incremental.meaning_of(doc)
    keys = {
        incremental.task_key(task, meaning, SIZES, 10),
        incremental.task_key(task, meaning, (1, 2), 10),
        incremental.task_key(task, meaning, SIZES, 5),
        incremental.task_key(task, meaning + "x", SIZES, 10),
    }
    assert len(keys) == 4


def test_a_missing_file_is_one_line_and_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["watch", "no/such/notes.md"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no such file to watch" in err


def test_a_port_in_use_is_one_line_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["watch", str(notes), "--serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "choose another --port" in err


def test_the_terminal_shows_each_save(tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "derive", "watch", str(notes), "--checks", "3"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert watcher.stdout is not None
    lines: list[str] = []

    def until(text: str) -> None:
        assert watcher.stdout is not None
        while not any(text in line for line in lines):
            line = watcher.stdout.readline()
            assert line, "".join(lines)
            lines.append(line)

    try:
        until("steps, ")
        time.sleep(0.5)
        notes.write_text(NOTES.replace("y_i (1 - y_i)", "y_i (1 + y_i)"), encoding="utf-8")
        until("checked 1, remembered")
        until("1 wrong")
        time.sleep(0.5)
        notes.write_text("+++\nname = 1\n+++\n", encoding="utf-8")  # cannot be read
        until("derive: ")
        assert watcher.wait(timeout=60) == 0  # --checks 3: stopped by itself
    finally:
        watcher.kill()
    said = "".join(lines)
    assert "Traceback" not in said
    error = next(line for line in lines if "derive: " in line)
    assert str(notes) in error and error.count("\n") == 1
