"""The store of results: reused only for the very same document, options and code."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NoReturn

import pytest

from derive.checking import runner, store
from derive.cli import main
from derive.model import Document

CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"


@pytest.fixture
def where(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A store of its own for the test."""
    folder = tmp_path / "store"
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(folder))
    return folder


@pytest.fixture
def doc(tmp_path: Path) -> Path:
    """A copy of the softmax document, free to edit."""
    path = tmp_path / "softmax.md"
    path.write_text((CATALOGUE / "softmax.md").read_text(encoding="utf-8"), encoding="utf-8")
    return path


def check(*argv: str) -> tuple[int, dict[str, Any]]:
    """Run ``derive check --json``; return the exit code and the JSON object."""
    out = io.StringIO()
    code = main(["check", *argv, "--json"], stdout=out, stderr=io.StringIO())
    return code, json.loads(out.getvalue())


def verdicts(summary: dict[str, Any]) -> list[list[tuple[str, str, str, str]]]:
    """What was found, without the times and the store's mark."""
    return [
        [(c["name"], c["status"], c["sizes"], c["message"]) for c in d["claims"]]
        for d in summary["documents"]
    ]


def refuse_to_check(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make any real check fail the test."""

    def fail(*args: object, **kwargs: object) -> NoReturn:
        raise AssertionError("the document was checked again")

    monkeypatch.setattr(runner, "check_documents", fail)


def test_unchanged_document_is_not_checked_again(
    where: Path, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, first = check(str(doc))
    assert code == 0 and first["documents"][0]["cached"] is False
    assert [p.suffix for p in where.iterdir() if p.name != store.TIMES] == [".json"]
    refuse_to_check(monkeypatch)
    code, second = check(str(doc))
    assert code == 0 and second["documents"][0]["cached"] is True
    assert verdicts(second) == verdicts(first)


def test_text_output_says_the_results_are_kept(where: Path, doc: Path) -> None:
    main(["check", str(doc)], stdout=io.StringIO())
    out = io.StringIO()
    assert main(["check", str(doc)], stdout=out) == 0
    assert "unchanged: results of its last check (--no-cache checks again)" in out.getvalue()


@pytest.mark.parametrize(
    "change",
    ["edit", "sizes", "timeout", "code"],
)
def test_anything_the_results_depend_on_changes_the_key(
    where: Path, doc: Path, monkeypatch: pytest.MonkeyPatch, change: str
) -> None:
    check(str(doc))
    options: list[str] = []
    if change == "edit":  # one character of prose: the text is not the same
        doc.write_text(doc.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    elif change == "sizes":
        options = ["--sizes", "1..4"]
    elif change == "timeout":
        options = ["--timeout", "9"]
    else:
        monkeypatch.setattr(store, "code_fingerprint", lambda: "another version of derive")
    _, again = check(str(doc), *options)
    assert again["documents"][0]["cached"] is False


def test_a_false_claim_is_kept_as_refuted(
    where: Path, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    text = doc.read_text(encoding="utf-8")
    head, rest = text.split("+++\n", 2)[1:]
    planted = "[[claims]]\nname = \"planted\"\nstatement = 'y_j = y_k'\n"
    doc.write_text(f"+++\n{head}{planted}+++\n{rest}", encoding="utf-8")
    code, first = check(str(doc))
    refuse_to_check(monkeypatch)
    again = check(str(doc))
    assert again[1]["seed"] != first["seed"]  # a new run, with its own seed...
    assert again == (  # ...shows the kept results, with the seed of their run
        code,
        {
            **first,
            "seed": again[1]["seed"],
            "documents": [{**first["documents"][0], "cached": True}],
        },
    )
    assert code == 1


def test_no_cache_neither_reads_nor_writes(where: Path, doc: Path) -> None:
    check(str(doc), "--no-cache")
    assert not where.exists()
    check(str(doc))
    _, again = check(str(doc), "--no-cache")
    assert again["documents"][0]["cached"] is False


def test_off_turns_the_store_off(
    tmp_path: Path, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DERIVE_CACHE_DIR", store.OFF)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    check(str(doc))
    check(str(doc))
    assert not (tmp_path / "xdg").exists() and not (tmp_path / "home").exists()


@pytest.mark.parametrize(
    "damage", ['{"claims": [', '{"claims": []}', "[1, 2]", '{"name": "softmax", "steps": 3}']
)
def test_a_damaged_entry_is_checked_again_and_rewritten(
    where: Path, doc: Path, damage: str
) -> None:
    check(str(doc))
    (entry,) = [p for p in where.iterdir() if p.name != store.TIMES]
    entry.write_text(damage, encoding="utf-8")
    code, again = check(str(doc))
    assert code == 0 and again["documents"][0]["cached"] is False
    assert json.loads(entry.read_text(encoding="utf-8"))["name"] == "softmax"


def test_a_store_that_cannot_be_written_is_left_alone(
    tmp_path: Path, doc: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("DERIVE_CACHE_DIR", str(blocker / "store"))
    code, summary = check(str(doc))
    assert code == 0 and summary["documents"][0]["cached"] is False


def test_a_check_that_reached_its_time_limit_is_not_kept(where: Path, tmp_path: Path) -> None:
    path = tmp_path / "two-layer-net.md"
    path.write_text((CATALOGUE / "two-layer-net.md").read_text(encoding="utf-8"), "utf-8")
    _, summary = check(str(path), "--timeout", "0.001")
    entries = summary["documents"][0]["claims"] + summary["documents"][0]["steps"]
    assert any(e["timed_out"] for e in entries)
    assert [p.name for p in where.iterdir()] in ([], [store.TIMES])


def test_the_longest_document_starts_first(where: Path, tmp_path: Path) -> None:
    from derive import api

    docs = [api.load(str(CATALOGUE / name)) for name in ("softmax.md", "sigmoid.md")]
    store.keep_durations(where, {docs[0].path: 0.1, docs[1].path: 9.0})
    started: list[str] = []

    def progress(doc: Document, done: int, total: int) -> None:
        started.append(doc.name)

    from derive.presenting import record

    found = runner.check_documents(
        docs, record.entry, sizes=(1, 2), timeout=10, jobs=1, progress=progress, where=where
    )
    assert started[0] == "sigmoid" and started[-1] == "softmax"
    assert [len(entries) for entries in found] == [len(d.claims) for d in docs]
    assert set(store.durations(where)) == {docs[0].path, docs[1].path}


def test_an_unchanged_run_imports_no_sympy(where: Path, doc: Path) -> None:
    check(str(doc))
    program = (
        "import io, sys\n"
        "from derive.cli import main\n"
        f"code = main(['check', {str(doc)!r}], stdout=io.StringIO())\n"
        "print(code, 'sympy' in sys.modules)\n"
    )
    env = {**os.environ, "DERIVE_CACHE_DIR": str(where)}
    done = subprocess.run(
        [sys.executable, "-c", program], capture_output=True, text=True, env=env, check=True
    )
    assert done.stdout.split() == ["0", "False"]


def test_only_the_newest_records_are_kept(where: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store, "MAX_ENTRIES", 3)
    for n in range(5):
        store.keep(where, f"entry{n}", json.dumps({"n": n}))
        os.utime(where / f"entry{n}.json", (n, n))  # distinct, increasing times
    store.keep_durations(where, {"a.md": 1.0})
    store.keep(where, "entry5", json.dumps({"n": 5}))
    kept = sorted(p.name for p in where.iterdir())
    assert kept == ["entry3.json", "entry4.json", "entry5.json", store.TIMES]
    assert store.fetch(where, "entry5") == {"n": 5} and store.fetch(where, "entry0") is None
