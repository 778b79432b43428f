"""Check a document again after an edit, and only what the edit could have changed.

``derive watch`` checks a file on every save. Each claim and step is remembered under a
key made of everything its verdict is computed from: the step's own text and place, the
conditions on it, what is expected of it, and the meaning of the whole document (its
front matter, what derive inferred from the body, the body's definitions, the rows
that write one again and the rows it could not read, the macros), with the sizes,
time limit and code. An edit to one step changes that step's key only; an edit to a
definition changes the meaning, and so every key. A remembered result is never used
for anything it was not computed from.

>>> from derive import api
>>> memo = Remembered()
>>> doc = api.load("softmax-ce")
>>> first = memo.check(doc, sizes=[1, 2, 3], timeout=10)
>>> again = memo.check(api.load("softmax-ce"), sizes=[1, 2, 3], timeout=10)
>>> memo.last_checked, memo.last_remembered == len(first["claims"]) + len(first["steps"])
(0, True)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from derive.checking import runner, store
from derive.checking.check import Task, tasks_of
from derive.checking.steps import plan_steps
from derive.model import Document
from derive.presenting import record
from derive.presenting.record import DocumentRecord, Entry

__all__ = ["Remembered", "task_key"]

LIMIT = 4096  # results remembered; past it, the oldest are forgotten


class Remembered:
    """The results of one document's claims and steps, kept while a file is watched."""

    def __init__(self) -> None:
        """Start with nothing remembered."""
        self.entries: dict[str, Entry] = {}
        self.last_checked = 0
        self.last_remembered = 0

    def check(
        self, doc: Document, *, sizes: Sequence[int], timeout: float | None, jobs: int = 1
    ) -> DocumentRecord:
        """The record of ``doc``, checking only the claims and steps not remembered.

        What is checked runs in worker processes (:mod:`derive.checking.runner`), with
        the same time limit as ``derive check``.
        """
        tasks = tasks_of(doc)
        meaning = meaning_of(doc)
        keys = [task_key(task, meaning, sizes, timeout) for task in tasks]
        wanted = {n for n, key in enumerate(keys) if key not in self.entries}
        if wanted:
            fresh = runner.check_documents(
                [doc], record.entry, sizes=sizes, timeout=timeout, jobs=jobs, wanted=[wanted]
            )[0]
            for n, entry in zip(sorted(wanted), fresh, strict=True):
                if not entry.get("timed_out"):  # on a quieter machine it may be decided
                    self.entries[keys[n]] = entry
        else:
            fresh = []
        checked = iter(fresh)
        entries = [
            next(checked) if n in wanted else copied(self.entries[key])
            for n, key in enumerate(keys)
        ]
        self.last_checked, self.last_remembered = len(wanted), len(tasks) - len(wanted)
        while len(self.entries) > LIMIT:
            self.entries.pop(next(iter(self.entries)))
        return record.assemble(doc, tasks, entries)


def copied(entry: Entry) -> Entry:
    """A copy of a remembered entry (``assemble`` places notebook steps in their cells)."""
    return json.loads(json.dumps(entry))


def meaning_of(doc: Document) -> str:
    """A digest of what gives every step of ``doc`` its meaning, apart from the step itself.

    The front matter as written (the file's lines before the body; a notebook's whole
    text, so nothing is remembered across its edits), the tables derive inferred, where
    the body defines names and restates them, the rows it could not read and the names
    it could not use, the macros, the sizes fixed and the names padded.
    """
    front = doc.digest or doc.body
    text = None if doc.cells or not doc.path else text_as_read(doc)
    if text is not None:
        front = "\n".join(text.splitlines()[: max(0, doc.body_line - 1)])
    parts: list[Any] = [
        front,
        doc.inferred,
        sorted(doc.defined_at),
        sorted((k, v) for k, v in doc.tainted.items()),
        sorted((list(k), v) for k, v in doc.unchecked.items()),
        sorted((k, v) for k, v in doc.restated.items()),
        restatements(doc),
        sorted(doc.macros.items()),
        sorted(doc.fixed.items()),
        sorted(doc.padded),
        doc.known_wrong,
        [(p.start, p.note) for p in doc.parts],
    ]
    return digest(parts)


def restatements(doc: Document) -> list[list[Any]]:
    """The rows that write an inferred definition again, as written.

    A step after such a row is checked only if the row holds of the definition, so the
    row's text is part of every step's meaning, not its place alone.
    """
    places = {tuple(place) for rows in doc.restated.values() for place in rows}
    return [
        [p.step.left.text, p.step.right.text, [str(c) for c in p.where], p.reading.name]
        for p in plan_steps(doc)
        if (p.step.right.line, p.step.right.col) in places
    ]


def text_as_read(doc: Document) -> str | None:
    """The text of ``doc``'s file, if it is still the text ``doc`` was read from.

    A save that lands between reading the document and this call must not lend its
    front matter to results computed from the text before it: then None.
    """
    try:
        data = Path(doc.path).read_bytes()
    except OSError:
        return None
    text = data.decode("utf-8", errors="replace").removeprefix("\ufeff")
    same = hashlib.sha256(text.encode("utf-8")).hexdigest() == doc.digest
    return text if same else None


def task_key(task: Task, meaning: str, sizes: Sequence[int], timeout: float | None) -> str:
    """The key of one claim's or step's result: itself, the document's meaning, the options."""
    if task.claim is not None:
        claim = task.claim
        own: list[Any] = ["claim", claim.name, claim.text, claim.expect, claim.assume]
        own += [[str(c) for c in claim.where], str(claim.position)]
    else:
        assert task.step is not None
        planned = task.step
        left, right = planned.step.left, planned.step.right
        own = ["step", left.text, left.line, left.col, right.text, right.line, right.col]
        own += [[str(c) for c in planned.where], planned.expect, planned.reading.name]
        own += [[str(s) for s in (*left.where, *right.where)]]
    return digest([store.code_fingerprint(), meaning, own, list(sizes), timeout])


def digest(parts: list[Any]) -> str:
    """The SHA-256 of ``parts`` as JSON (anything else written as its ``str``)."""
    return hashlib.sha256(json.dumps(parts, default=str).encode()).hexdigest()
