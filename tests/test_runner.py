"""Checking in worker processes: the time limit always holds, and --jobs keeps the order."""

import io
import json
import signal
import time
from collections.abc import Sequence
from typing import Any

import pytest

import derive.checking.runner as runner
from derive import api
from derive.checking.check import Task, check_task, tasks_of
from derive.checking.results import Result
from derive.cli import main
from derive.model import Document
from derive.presenting import record, words
from tests import catalogue


def never_returns(doc: Document, task: Task, sizes: Sequence[int], timeout: float | None) -> Result:
    """A check that blocks the alarm and does not return (as a stuck library call)."""
    if task.claim is not None and task.claim.name == "log-lemma":
        signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGALRM})
        time.sleep(3600)
    return real_check(doc, task, sizes, timeout)


real_check = check_task


def check_documents(docs: list[Document], **options: Any) -> list[record.DocumentRecord]:
    """Each document's record, checked by the runner's workers."""
    found = runner.check_documents(docs, record.entry, **options)
    return [record.assemble(d, tasks_of(d), e) for d, e in zip(docs, found, strict=True)]


def test_a_check_that_never_returns_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past the limit and its grace the worker is stopped; the other checks still run."""
    monkeypatch.setattr(runner, "check_task", never_returns)
    monkeypatch.setattr(runner, "GRACE", 0.5)
    doc = api.load("softmax-ce")
    # 4 s: the other claims finish well within it even on a loaded machine
    (found,) = check_documents([doc], sizes=range(1, 9), timeout=4.0)
    verdicts = {c["name"]: c for c in found["claims"]}
    assert verdicts["log-lemma"]["status"] == "undecided"
    assert verdicts["log-lemma"]["timed_out"] is True
    assert "the check was stopped" in verdicts["log-lemma"]["message"]
    others = [c["status"] for name, c in verdicts.items() if name != "log-lemma"]
    assert len(others) == 11 and "undecided" not in others
    assert [c["name"] for c in found["claims"]] == [c.name for c in doc.claims]


def test_cli_exit_3_when_a_check_is_stopped(monkeypatch: pytest.MonkeyPatch) -> None:
    """The stopped claim is undecided, none refuted unexpectedly: exit code 3."""
    monkeypatch.setattr(runner, "check_task", never_returns)
    monkeypatch.setattr(runner, "GRACE", 0.5)
    out = io.StringIO()
    assert main(["check", "softmax-ce", "--timeout", "1", "--json"], stdout=out) == 3
    claims = json.loads(out.getvalue())["documents"][0]["claims"]
    assert [c["status"] for c in claims if c["name"] == "log-lemma"] == ["undecided"]


def test_jobs_give_the_same_output_in_the_same_order() -> None:
    """--jobs 2 prints what --jobs 1 prints, document by document, claim by claim."""
    names = ["softmax", "sigmoid", "softmax-ce", "seed-004"]
    outputs = []
    for jobs in ("1", "2"):
        out = io.StringIO()
        argv = ["check", *names, "--json", "--jobs", jobs, "--seed", "7", "--no-cache"]
        assert main(argv, stdout=out) == 0
        data = json.loads(out.getvalue())
        for doc in data["documents"]:
            for item in doc["claims"] + doc["steps"]:
                item.pop("ms")
        outputs.append(data)
    assert outputs[0] == outputs[1]
    assert [d["name"] for d in outputs[1]["documents"]] == names


def test_same_verdicts_as_in_process() -> None:
    """A worker's verdicts are the in-process ones."""
    doc = api.load("seed-004")
    (found,) = check_documents([doc], sizes=range(1, 9), timeout=10)
    direct = record.document_record(catalogue.report("seed-004"))

    def timeless(steps: list[record.StepRecord]) -> list[dict[str, object]]:
        return [{k: v for k, v in step.items() if k != "ms"} for step in steps]

    assert timeless(found["steps"]) == timeless(direct["steps"])
    assert (
        found["steps_summary"]
        == direct["steps_summary"]
        == words.summary(list(catalogue.report("seed-004").steps))
    )


def test_spawned_workers_give_the_same_verdicts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Spawned workers (where fork is missing) give the records forked ones give.

    They load the documents again from their files; the run's seed gives them the same
    random points.
    """
    from derive.defaults import set_run_seed

    set_run_seed(7)
    docs = [api.load(name) for name in ("softmax-ce", "seed-004")]
    forked = check_documents(docs, sizes=range(1, 9), timeout=10.0, jobs=2)
    monkeypatch.setattr(runner, "METHOD", "spawn")
    spawned = check_documents(docs, sizes=range(1, 9), timeout=10.0, jobs=2)

    def plain(records: list[record.DocumentRecord]) -> list[list[tuple[str, str]]]:
        return [[(e["status"], e["message"]) for e in r["claims"] + r["steps"]] for r in records]

    assert plain(spawned) == plain(forked)
    assert any(e["status"] == "refuted" for r in spawned for e in r["claims"] + r["steps"])


def test_one_document_is_shared_among_the_workers(monkeypatch: pytest.MonkeyPatch) -> None:
    """With fewer documents than workers, a document's checks are dealt out among them.

    The results come back in the document's order, the same as from one worker, with
    forked and with spawned workers.
    """
    from derive.defaults import set_run_seed

    set_run_seed(7)
    doc = api.load("seed-004")
    (alone,) = check_documents([doc], sizes=range(1, 9), timeout=10.0, jobs=1)
    (shared,) = check_documents([doc], sizes=range(1, 9), timeout=10.0, jobs=2)
    monkeypatch.setattr(runner, "METHOD", "spawn")
    (spawned,) = check_documents([doc], sizes=range(1, 9), timeout=10.0, jobs=2)

    def plain(found: record.DocumentRecord) -> list[tuple[int, str, str]]:
        return [(e["line"], e["status"], e["message"]) for e in found["steps"]]

    assert plain(shared) == plain(alone) == plain(spawned)
    runs: list[runner.DocumentRun[object]] = [runner.DocumentRun(doc, p, 2) for p in range(2)]
    assert sorted(n for run in runs for n in run.positions) == list(range(len(tasks_of(doc))))
