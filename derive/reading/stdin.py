"""Standard input as a document: ``derive check -`` reads it once, as ``<stdin>``."""

from __future__ import annotations

import sys
from typing import TextIO

DASH = "-"  # what the command line names standard input by
SHOWN = "<stdin>"  # the path positions in it print with

_stream: list[TextIO] = []
_read: list[bytes] = []


def use(stream: TextIO | None) -> None:
    """Read documents named ``-`` from ``stream`` (default: ``sys.stdin``), once."""
    _stream[:] = [stream] if stream is not None else []
    _read.clear()


def data() -> bytes:
    """The bytes of standard input, read at the first call and kept for the others."""
    if not _read:
        stream = _stream[0] if _stream else sys.stdin
        raw = getattr(stream, "buffer", None)
        _read.append(raw.read() if raw is not None else stream.read().encode("utf-8"))
    return _read[0]
