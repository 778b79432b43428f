"""Results kept between runs: an unchanged document is not checked again.

``derive check`` keeps each document's results as the plain data of its ``--json``
record (:mod:`derive.presenting.record` writes the JSON), under a key made of everything
they are computed from: the document's text and path, the sizes and time limit asked
for, and the code that checked it (derive's own source files and the versions of
Python, SymPy, mpmath and lark). Change any of these and the key changes, so a kept
result is never reused for anything it was not computed from. A document in which some
check reached its time limit is not kept: on a less loaded machine it may be decided.

The store is a directory: ``$DERIVE_CACHE_DIR``, else ``$XDG_CACHE_HOME/derive``, else
``~/.cache/derive``. ``DERIVE_CACHE_DIR=off`` or ``derive check --no-cache`` leaves it
alone. Entries are JSON, written to a temporary file and renamed; one that cannot be
read is ignored, and the document checked again. The 512 most recently written are
kept. The store also remembers how long each document took, to share the documents
out among the workers (:mod:`derive.checking.runner`).

Reading the store imports neither SymPy nor the prover, so a run that finds every
document unchanged takes a fraction of a second.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import tempfile
from collections.abc import Sequence
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

OFF = "off"
TIMES = "times.json"
MAX_ENTRIES = 512  # records kept; about 10-100 kB each


def directory() -> Path | None:
    """Where results are kept; ``None`` when the store is turned off."""
    chosen = os.environ.get("DERIVE_CACHE_DIR")
    if chosen == OFF:
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "derive"


@cache
def code_fingerprint() -> str:
    """A digest of derive's source files and the versions of what it runs on.

    Worked out once: the code running does not change while it runs, though its files
    may, so it is not a :mod:`derive.memo` memo and is not cleared with them.
    """
    digest = hashlib.sha256()
    for part in (sys.version, *(metadata.version(p) for p in ("sympy", "mpmath", "lark"))):
        digest.update(part.encode() + b"\0")
    package = Path(__file__).parent.parent  # all of derive, not only derive/checking/
    for path in sorted(package.rglob("*.py")):
        digest.update(str(path.relative_to(package)).encode() + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def text_digest(data: bytes) -> str:
    """The digest of a document's text, as :class:`~derive.model.Document` keeps it."""
    return hashlib.sha256(data).hexdigest()


def key(
    digest: str, path: str, sizes: Sequence[int], timeout: float | None, seed: int | None = None
) -> str:
    """The key of a document's results: its text's digest, path, options and the code.

    A run without ``--seed`` may reuse any earlier run's results (each drew its own
    points); with one, only those of that seed.
    """
    what = json.dumps([code_fingerprint(), digest, path, list(sizes), timeout, seed])
    return hashlib.sha256(what.encode()).hexdigest()


def fetch(where: Path | None, name: str) -> dict[str, Any] | None:
    """The record kept under ``name`` (a :func:`key`), or ``None``."""
    if where is None:
        return None
    try:
        found = json.loads((where / f"{name}.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):  # missing, truncated or not ours: check again
        return None
    return found if isinstance(found, dict) else None


def keep(where: Path | None, name: str, text: str) -> None:
    """Keep a record, as its JSON ``text``, under ``name`` (unless the store is read-only).

    Past :data:`MAX_ENTRIES` records the least recently written are removed.
    """
    if where is None:
        return
    with contextlib.suppress(OSError):
        write(where / f"{name}.json", text.encode("utf-8"))
        prune(where)


def prune(where: Path) -> None:
    """Remove the oldest records past :data:`MAX_ENTRIES`."""
    entries = [p for p in where.glob("*.json") if p.name != TIMES]
    if len(entries) <= MAX_ENTRIES:
        return
    entries.sort(key=lambda p: p.stat().st_mtime)
    for old in entries[: len(entries) - MAX_ENTRIES]:
        with contextlib.suppress(OSError):
            old.unlink()


def durations(where: Path | None) -> dict[str, float]:
    """Seconds each document (by path) took when it was last checked."""
    if where is None:
        return {}
    try:
        found = json.loads((where / TIMES).read_text())
    except (OSError, ValueError):
        return {}
    if not isinstance(found, dict):
        return {}
    return {str(k): float(v) for k, v in found.items() if isinstance(v, int | float)}


def keep_durations(where: Path | None, measured: dict[str, float]) -> None:
    """Remember how long the documents just checked took."""
    if where is None or not measured:
        return
    merged = {**durations(where), **{k: round(v, 3) for k, v in measured.items()}}
    with contextlib.suppress(OSError):
        write(where / TIMES, json.dumps(merged, sort_keys=True).encode())


def write(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` through a temporary file, renamed into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as file:
            file.write(data)
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
