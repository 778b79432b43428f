"""Documents' records as ``derive check`` gets them, for it and for ``derive report --html``.

A document unchanged since its last check (same text, options and derive) is read back
from the store (:mod:`derive.checking.store`); the others are checked by the runner's
workers (:mod:`derive.checking.runner`) and kept. A document that cannot be found or
read becomes an error record, and the others are still checked.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from derive.checking import store
from derive.errors import DeriveError
from derive.presenting.terminal import console
from derive.reading import stdin as standard_input
from derive.reading.catalog import find_document
from derive.reading.document import source_bytes

if TYPE_CHECKING:
    from derive.model import Document
    from derive.presenting.record import DocumentRecord, ErrorRecord


@dataclass(frozen=True)
class Options:
    """How documents are checked: the options of ``derive check`` that change a record."""

    sizes: list[int]
    timeout: float
    seed: int | None
    jobs: int
    use_store: bool = True
    spinner: bool = True  # a status line on a terminal's stderr while checking


@dataclass(frozen=True)
class Checked:
    """The records of the documents found, in the order named, and the errors."""

    paths: list[str]  # each record's path as found (``-`` for standard input)
    records: list[DocumentRecord]
    errors: list[ErrorRecord]


def check_names(names: list[str], how: Options, stderr: TextIO) -> Checked:
    """Find, read and check the named documents (kept records where the store has them)."""
    from derive.presenting import record

    errors: list[ErrorRecord] = []
    paths: list[str] = []
    order: dict[str, int] = {}  # each name's and path's place, for the errors' order
    for n, name in enumerate(names):
        order[name] = n
        try:
            paths.append(str(find_document(name)))
            order[paths[-1]] = n
        except DeriveError as err:
            errors.append(record.error_record(name, err))
    where = store.directory() if how.use_store else None
    found = [kept(where, path, how) for path in paths]
    todo = [n for n, done in enumerate(found) if done is None]
    if todo:
        checked = check_afresh([paths[n] for n in todo], how, where, stderr, errors)
        for n, done in zip(todo, checked, strict=True):
            found[n] = done
    errors.sort(key=lambda error: order[error["path"]])
    pairs = [(path, r) for path, r in zip(paths, found, strict=True) if r is not None]
    return Checked([p for p, _ in pairs], [r for _, r in pairs], errors)


def kept(where: Path | None, path: str, how: Options) -> DocumentRecord | None:
    """The record kept for the document at ``path`` as it is now, marked as kept."""
    from derive.presenting import record

    if where is None:
        return None
    try:
        data = source_bytes(path)  # `-`: standard input, read once and kept
    except DeriveError:
        return None  # loading it says what is wrong
    shown = standard_input.SHOWN if path == standard_input.DASH else path  # as the document's
    key = store.key(store.text_digest(data), shown, how.sizes, how.timeout, how.seed)
    found = store.fetch(where, key)
    return None if found is None else record.kept(found)  # damaged: check it again


def check_afresh(
    paths: list[str],
    how: Options,
    where: Path | None,
    stderr: TextIO,
    errors: list[ErrorRecord],
) -> list[DocumentRecord | None]:
    """Load and check documents; keep the records. One that cannot be read is None."""
    from derive import api  # SymPy and the prover: only when checking
    from derive.checking import runner
    from derive.checking.check import tasks_of
    from derive.presenting import record

    docs: list[Document | None] = []
    for path in paths:
        try:
            docs.append(api.load(path))
        except DeriveError as unreadable:
            errors.append(record.error_record(path, unreadable))
            docs.append(None)
    readable = [doc for doc in docs if doc is not None]
    err = console(stderr)
    show_progress = how.spinner and stderr.isatty()
    with err.status("checking…") if show_progress else nullcontext() as status:

        def progress(d: Document, n: int, total: int) -> None:
            if status is not None:
                status.update(f"checking {d.name}: {n}/{total} claims and steps")

        entries = iter(
            runner.check_documents(
                readable,
                record.entry,
                sizes=how.sizes,
                timeout=how.timeout,
                jobs=how.jobs,
                progress=progress,
                where=where,
            )
        )
    results: list[DocumentRecord | None] = []
    for doc in docs:
        if doc is None:
            results.append(None)
            continue
        found = record.assemble(doc, tasks_of(doc), next(entries))
        if doc.digest and not record.timed_out(found):
            key = store.key(doc.digest, doc.path, how.sizes, how.timeout, how.seed)
            store.keep(where, key, record.dumps(found))
        results.append(found)
    return results
