"""Checking documents in worker processes: a time limit that always holds, and ``--jobs``.

Each document is checked in a forked worker that sends back one result per claim and
per step. Inside the worker, a check past its limit is stopped by an alarm (the
verdict is "undecided"). Should a check not return even then, the parent stops waiting
after the limit and a grace period: it kills the worker, records that check as
undecided, and starts a new worker for the rest. Up to ``jobs`` documents are checked
at once, the longest first (by the time each took when last checked, as
:mod:`derive.store` remembers it); reports come back in the order the documents were
given.

Where processes cannot be forked, documents are checked in this process, in turn.
"""

from __future__ import annotations

import multiprocessing
import time
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any

from derive import api, store
from derive.model import Claim, Document
from derive.steps import PlannedStep, StepResult, plan_steps, run_step
from derive.verdict import Verdict

GRACE = 2.0  # seconds past the limit before a worker is stopped from outside
GUESS = 0.05  # seconds per check, to order documents never timed before
Progress = Callable[[Document, int, int], None]


@dataclass(frozen=True)
class Task:
    """One check of a document: a claim, or a planned step of its body."""

    claim: Claim | None = None
    step: PlannedStep | None = None


def tasks_of(doc: Document) -> list[Task]:
    """The document's claims, then its steps."""
    return [Task(claim=c) for c in doc.claims] + [Task(step=s) for s in plan_steps(doc)]


def perform(
    doc: Document, task: Task, sizes: Sequence[int], timeout: float | None
) -> api.ClaimResult | StepResult:
    """Run one check."""
    if task.claim is not None:
        return api.check_claim(doc, task.claim, sizes, timeout)
    assert task.step is not None
    return api.explain_step(doc, run_step(task.step, tuple(sizes), timeout))


def stopped(task: Task, timeout: float | None) -> api.ClaimResult | StepResult:
    """The result of a check that had to be stopped from outside."""
    why = f"time limit of {timeout:g} s reached (the check was stopped)"
    verdict = Verdict("undecided", message=why, timed_out=True)
    if task.claim is not None:
        return api.ClaimResult(task.claim, verdict)
    assert task.step is not None
    return StepResult(task.step.step, "undecided", verdict, why, expect=task.step.expect)


def worker(
    doc: Document, todo: list[Task], sizes: Sequence[int], timeout: float | None, out: Connection
) -> None:
    """Send one result per task, in order."""
    for task in todo:
        out.send(perform(doc, task, sizes, timeout))
    out.close()


class DocumentRun:
    """One document being checked in a worker, restarted past a check that hangs."""

    def __init__(self, doc: Document, sizes: Sequence[int], timeout: float | None) -> None:
        """Plan the document's checks."""
        self.doc, self.sizes, self.timeout = doc, sizes, timeout
        self.tasks = tasks_of(doc)
        self.results: list[Any] = []
        self.process: Any = None
        self.conn: Connection | None = None
        self.deadline: float | None = None
        self.began: float | None = None
        self.took: float | None = None  # seconds, once checked here

    @property
    def done(self) -> bool:
        """True once every task has a result."""
        return len(self.results) == len(self.tasks)

    def start(self) -> None:
        """Fork a worker for the tasks left (nothing to do when none are left)."""
        if self.done:
            return
        if self.began is None:
            self.began = time.monotonic()
        context = multiprocessing.get_context("fork")
        mine, theirs = context.Pipe(duplex=False)
        todo = self.tasks[len(self.results) :]
        self.process = context.Process(
            target=worker, args=(self.doc, todo, self.sizes, self.timeout, theirs), daemon=True
        )
        self.process.start()
        theirs.close()
        self.conn = mine
        self.arm()

    def arm(self) -> None:
        """Start the clock for the next task."""
        self.deadline = None if not self.timeout else time.monotonic() + self.timeout + GRACE

    def receive(self) -> None:
        """Take the next result; a worker that died takes its task with it."""
        assert self.conn is not None
        try:
            self.results.append(self.conn.recv())
        except (EOFError, OSError):
            self.results.append(stopped(self.tasks[len(self.results)], self.timeout))
            self.restart()
            return
        if self.done:
            self.finish()
        else:
            self.arm()

    def expire(self) -> None:
        """The current task ran past its limit and grace: stop the worker, go on."""
        self.results.append(stopped(self.tasks[len(self.results)], self.timeout))
        self.restart()

    def restart(self) -> None:
        """Stop the worker; start a new one for the tasks left."""
        self.finish()
        self.start()

    def finish(self) -> None:
        """Stop the worker and close the pipe."""
        if self.done and self.began is not None and self.took is None:
            self.took = time.monotonic() - self.began
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.deadline = None

    def report(self) -> api.Report:
        """The document's report, in the order of its claims and steps."""
        claims = tuple(r for r in self.results if isinstance(r, api.ClaimResult))
        steps = tuple(r for r in self.results if isinstance(r, StepResult))
        return api.Report(self.doc, claims, steps)


def check_documents(
    docs: Sequence[Document],
    *,
    sizes: Sequence[int],
    timeout: float | None,
    jobs: int = 1,
    progress: Progress | None = None,
    where: Path | None = None,
) -> list[api.Report]:
    """Check every document, ``jobs`` at a time, each in its own worker process.

    ``where`` is the store's directory (:func:`derive.store.directory`), where the time
    each document takes is kept to order the next run; ``None`` keeps nothing.
    """
    if "fork" not in multiprocessing.get_all_start_methods():
        return [api.check(doc, sizes=sizes, timeout=timeout) for doc in docs]
    runs = [DocumentRun(doc, sizes, timeout) for doc in docs]
    last = store.durations(where)
    waiting = deque(sorted(runs, key=lambda r: -last.get(r.doc.path, GUESS * len(r.tasks))))
    active: list[DocumentRun] = []
    try:
        while waiting or active:
            while waiting and len(active) < jobs:
                run = waiting.popleft()
                run.start()
                if not run.done:
                    active.append(run)
            if active:
                step(active, progress)
            active = [run for run in active if not run.done]
    finally:
        for run in runs:
            run.finish()
    store.keep_durations(where, {r.doc.path: r.took for r in runs if r.took is not None})
    return [run.report() for run in runs]


def step(active: list[DocumentRun], progress: Progress | None) -> None:
    """Wait for the next result, or the next deadline, and act on it."""
    deadlines = [run.deadline for run in active if run.deadline is not None]
    left = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
    ready = wait([run.conn for run in active if run.conn is not None], timeout=left)
    now = time.monotonic()
    for run in active:
        if run.conn is not None and run.conn in ready:
            run.receive()
            if progress is not None:
                progress(run.doc, len(run.results), len(run.tasks))
        elif run.deadline is not None and now > run.deadline:
            run.expire()
