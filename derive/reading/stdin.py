"""Standard input as a document: ``derive check -`` reads it once, as ``<stdin>``.

What it reads from, and the bytes once read, are kept in two memos of one entry each
(:mod:`derive.memo`): :func:`derive.memo.clear` forgets them, after which ``-`` is
``sys.stdin`` again and a second read gets what is left of it.
"""

from __future__ import annotations

import sys
from typing import TextIO

from derive.memo import Memo

DASH = "-"  # what the command line names standard input by
SHOWN = "<stdin>"  # the path positions in it print with

STREAM: Memo[str, TextIO] = Memo("stdin.STREAM", 1)  # the stream `-` names, when not sys.stdin
READ: Memo[str, bytes] = Memo("stdin.READ", 1)  # what was read from it


def use(stream: TextIO | None) -> None:
    """Read documents named ``-`` from ``stream`` (default: ``sys.stdin``), once."""
    STREAM.clear()
    READ.clear()
    if stream is not None:
        STREAM[DASH] = stream


def data() -> bytes:
    """The bytes of standard input, read at the first call and kept for the others."""
    if DASH not in READ:
        stream = STREAM.get(DASH, sys.stdin)
        raw = getattr(stream, "buffer", None)
        READ[DASH] = raw.read() if raw is not None else stream.read().encode("utf-8")
    return READ[DASH]
