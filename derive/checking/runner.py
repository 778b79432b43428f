"""Checking documents in worker processes: a time limit that always holds, and ``--jobs``.

The documents are shared out among ``jobs`` workers, the longest first to the least
loaded (by the time each took when last checked, as :mod:`derive.checking.store`
remembers it). Each worker is a forked process that checks its documents in turn with
:func:`derive.checking.check.check_task`, so that SymPy's caches serve them all, and
sends back what the caller's ``transform`` makes of each claim's and step's result
(``derive check`` sends :mod:`derive.presenting.record`'s records: plain data, quick to
send, where SymPy objects are slow to rebuild). Inside the worker, a check past its
limit is stopped by an alarm (the verdict is "undecided"). Should a check not return
even then, the parent stops waiting after the limit and a grace period: it kills the
worker, records that check as undecided, and starts a new worker for the rest; a
worker that dies is said to have died, not to have run out of time. Results come back
in the order the documents were given, whatever the number of workers.

Where processes cannot be forked (Windows; macOS defaults to spawning), each worker is
a fresh process that loads its documents again from their files, with the run's seed,
and checks them the same way.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence, Set
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import Any, Generic, TypeVar

from derive.checking import store
from derive.checking.check import Task, check_task, stopped, tasks_of
from derive.checking.results import Result
from derive.defaults import run_seed, set_run_seed
from derive.meaning import check_document
from derive.model import Document
from derive.reading.frontmatter import load_document

METHOD = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
GRACE = 2.0  # seconds past the limit before a worker is stopped from outside
GUESS = 0.05  # seconds per check, to order documents never timed before
WORKER_DIED = "the check stopped its worker process (out of memory, or a bug in derive)"
Progress = Callable[[Document, int, int], None]
T = TypeVar("T")
# What a worker sends back for each result: plain data, quick to send (records).
Transform = Callable[[Result], T]


def worker(
    todo: list[tuple[Document, list[Task]]],
    sizes: Sequence[int],
    timeout: float | None,
    transform: Transform[Any],
    out: Connection,
) -> None:
    """Check each document's tasks in turn; send what ``transform`` makes of each, in order."""
    for doc, tasks in todo:
        for task in tasks:
            out.send(transform(check_task(doc, task, sizes, timeout)))
    out.close()


def spawned(
    todo: list[tuple[str, list[int]]],
    sizes: Sequence[int],
    timeout: float | None,
    transform: Transform[Any],
    seed: int,
    out: Connection,
) -> None:
    """A spawned worker: load each document from its file, then check the tasks at ``positions``.

    A document's tasks are planned from its text alone, so the worker plans the same
    tasks as its parent; the run's seed gives it the same random points.
    """
    set_run_seed(seed)
    documents = [load_document(path) for path, _ in todo]
    for doc in documents:
        check_document(doc)
    plans = []
    for doc, (_, positions) in zip(documents, todo, strict=True):
        planned = tasks_of(doc)
        plans.append((doc, [planned[n] for n in positions]))
    worker(plans, sizes, timeout, transform, out)


class DocumentRun(Generic[T]):
    """A document's tasks (all of them, or every ``pieces``-th from ``piece``) and results."""

    def __init__(
        self, doc: Document, piece: int = 0, pieces: int = 1, wanted: Set[int] | None = None
    ) -> None:
        """Plan the document's checks: the share ``piece`` of ``pieces`` (of ``wanted`` only)."""
        self.doc = doc
        planned = tasks_of(doc)
        every = range(piece, len(planned), pieces)
        self.positions = [n for n in every if wanted is None or n in wanted]  # in its tasks
        self.tasks = [planned[n] for n in self.positions]
        self.results: list[T] = []
        self.began: float | None = None
        self.took: float | None = None  # seconds, once checked

    @property
    def done(self) -> bool:
        """True once every task has a record."""
        return len(self.results) == len(self.tasks)


class Slot(Generic[T]):
    """A worker checking some documents in turn, restarted past a check that hangs."""

    def __init__(
        self,
        runs: list[DocumentRun[T]],
        sizes: Sequence[int],
        timeout: float | None,
        transform: Transform[T],
    ):
        """Take the documents this worker checks, in order."""
        self.runs, self.sizes, self.timeout = runs, sizes, timeout
        self.transform = transform
        self.process: Any = None
        self.conn: Connection | None = None
        self.deadline: float | None = None
        self.mark = 0.0  # when the last record arrived (or the worker started)

    @property
    def current(self) -> DocumentRun[T] | None:
        """The document whose next task the worker is checking."""
        return next((run for run in self.runs if not run.done), None)

    @property
    def done(self) -> bool:
        """True once every document has all its records."""
        return self.current is None

    def start(self) -> None:
        """Fork a worker for the tasks left (nothing to do when none are left)."""
        if self.done:
            return
        left = [r for r in self.runs if not r.done]
        context: Any = multiprocessing.get_context(METHOD)
        mine, theirs = context.Pipe(duplex=False)
        if METHOD == "fork":  # the worker shares this process's documents and caches
            todo = [(r.doc, r.tasks[len(r.results) :]) for r in left]
            target: Any = worker
            args: tuple[Any, ...] = (todo, self.sizes, self.timeout, self.transform, theirs)
        else:  # a fresh process: it loads the documents again from their files
            paths = [(r.doc.path, r.positions[len(r.results) :]) for r in left]
            target = spawned
            args = (paths, self.sizes, self.timeout, self.transform, run_seed(), theirs)
        self.process = context.Process(target=target, args=args, daemon=True)
        self.process.start()
        theirs.close()
        self.conn = mine
        self.mark = time.monotonic()
        self.arm()

    def arm(self) -> None:
        """Start the clock for the next task."""
        self.deadline = None if not self.timeout else time.monotonic() + self.timeout + GRACE

    def receive(self) -> DocumentRun[T]:
        """Take the next record; a worker that died takes its task with it."""
        assert self.conn is not None
        try:
            entry = self.conn.recv()
        except (EOFError, OSError):
            return self.expire(WORKER_DIED, timed_out=False)
        return self.take(entry, restart=False)

    def expire(self, why: str = "", timed_out: bool = True) -> DocumentRun[T]:
        """The current task ran past its limit and grace (or the worker died): go on."""
        run = self.current
        assert run is not None
        task = run.tasks[len(run.results)]
        why = why or f"time limit of {self.timeout:g} s reached (the check was stopped)"
        return self.take(self.transform(stopped(task, why, timed_out)), True)

    def take(self, entry: T, restart: bool) -> DocumentRun[T]:
        """Record ``entry`` for the current task; time the document; restart if asked."""
        run = self.current
        assert run is not None
        now = time.monotonic()
        if run.began is None:
            run.began = self.mark
        run.results.append(entry)
        self.mark = now
        if run.done:
            run.took = now - run.began
        if restart or self.done:
            self.finish()
            self.start()
        else:
            self.arm()
        return run

    def finish(self) -> None:
        """Stop the worker and close the pipe."""
        if self.process is not None:
            self.process.kill()
            self.process.join()
            self.process = None
        if self.conn is not None:
            self.conn.close()
            self.conn = None
        self.deadline = None


def share(
    runs: list[DocumentRun[T]], jobs: int, last: dict[str, float]
) -> list[list[DocumentRun[T]]]:
    """Deal documents to ``jobs`` workers: the longest first, each to the least loaded."""
    expected = {id(run): last.get(run.doc.path, GUESS * len(run.tasks)) for run in runs}
    shares: list[list[DocumentRun[T]]] = [[] for _ in range(max(1, min(jobs, len(runs))))]
    loads = [0.0] * len(shares)
    for run in sorted(runs, key=lambda r: -expected[id(r)]):
        least = loads.index(min(loads))
        shares[least].append(run)
        loads[least] += expected[id(run)]
    return shares


def check_documents(
    docs: Sequence[Document],
    transform: Transform[T],
    *,
    sizes: Sequence[int],
    timeout: float | None,
    jobs: int = 1,
    progress: Progress | None = None,
    where: Path | None = None,
    wanted: Sequence[Set[int]] | None = None,
) -> list[list[T]]:
    """Check every document with ``jobs`` worker processes.

    Each worker checks with :func:`derive.checking.check.check_task` and sends back what
    ``transform`` (a module-level function, so that a spawned worker can be given it)
    makes of each result. Returns, per document, one of those per task of
    :func:`~derive.checking.check.tasks_of`, in order. ``where`` is the store's
    directory (:func:`derive.checking.store.directory`), where the time each document
    takes is kept to share out the next run; ``None`` keeps nothing. ``wanted`` gives,
    per document, the positions of the tasks to check (the others are left out of its
    results): ``derive watch`` checks only what changed.
    """
    pieces = max(1, jobs // len(docs)) if docs else 1  # fewer documents than workers
    runs: list[DocumentRun[T]] = [
        DocumentRun(doc, piece, pieces, None if wanted is None else wanted[n])
        for n, doc in enumerate(docs)
        for piece in range(pieces)
    ]
    last = {path: took / pieces for path, took in store.durations(where).items()}
    slots = [Slot(part, sizes, timeout, transform) for part in share(runs, jobs, last)]
    counts = Counts(runs, progress)
    try:
        for slot in slots:
            slot.start()
        while not all(slot.done for slot in slots):
            step([slot for slot in slots if not slot.done], counts)
    finally:
        for slot in slots:
            slot.finish()
    store.keep_durations(where, durations(runs))
    return [whole(doc, runs) for doc in docs]


def whole(doc: Document, runs: Sequence[DocumentRun[T]]) -> list[T]:
    """A document's results in the order of its tasks, gathered from its pieces."""
    placed: dict[int, T] = {}
    for run in runs:
        if run.doc is doc:
            placed.update(zip(run.positions, run.results, strict=True))
    return [placed[n] for n in sorted(placed)]


def durations(runs: Sequence[DocumentRun[T]]) -> dict[str, float]:
    """The time each document took (its pieces' times added), once all its tasks were checked."""
    out: dict[str, float] = {}
    for path in {run.doc.path for run in runs}:
        mine = [run for run in runs if run.doc.path == path]
        if all(run.took is not None or not run.tasks for run in mine):
            out[path] = sum(run.took or 0.0 for run in mine)
    return out


class Counts:
    """Progress by document, however its tasks were shared out among workers."""

    def __init__(self, runs: Sequence[DocumentRun[Any]], progress: Progress | None) -> None:
        """Count each document's tasks over its pieces."""
        self.runs, self.progress = runs, progress

    def __call__(self, run: DocumentRun[Any]) -> None:
        """Report ``run``'s document: how many of its tasks have results."""
        if self.progress is None:
            return
        mine = [r for r in self.runs if r.doc is run.doc]
        done = sum(len(r.results) for r in mine)
        self.progress(run.doc, done, sum(len(r.tasks) for r in mine))


def step(active: list[Slot[T]], progress: Counts) -> None:
    """Wait for the next record, or the next deadline, and act on it."""
    deadlines = [slot.deadline for slot in active if slot.deadline is not None]
    left = max(0.0, min(deadlines) - time.monotonic()) if deadlines else None
    ready = wait([slot.conn for slot in active if slot.conn is not None], timeout=left)
    now = time.monotonic()
    for slot in active:
        if slot.conn is not None and slot.conn in ready:
            run = slot.receive()
        elif slot.deadline is not None and now > slot.deadline:
            run = slot.expire()
        else:
            continue
        progress(run)
