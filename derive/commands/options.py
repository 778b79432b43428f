"""The command line's values, checked as they are parsed: a bad one is one line, exit 2.

Each function takes the flag's text and returns its value, or raises
:class:`argparse.ArgumentTypeError` with what to write instead; :class:`Parser` prints
that as one line, ``derive check: --sizes …``, and exits with code 2.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import sys
from typing import NoReturn

from derive.defaults import DEFAULT_TIMEOUT
from derive.errors import UsageError
from derive.reading.catalog import list_documents

MAX_SIZE = 64  # the largest concrete size --sizes takes
MAX_TIMEOUT = 86_400.0  # seconds: one day
MAX_JOBS = 64
DEFAULT_JOBS = min(os.cpu_count() or 1, MAX_JOBS)  # worker processes: one per CPU
MAX_SEED = 2**63 - 1


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line on stderr, exit code 2."""

    def error(self, message: str) -> NoReturn:
        """Print ``PROG: MESSAGE (see PROG --help)`` and exit with code 2."""
        self.exit(2, f"{self.prog}: {message} (see `{self.prog} --help`)\n")

    def exit(self, status: int = 0, message: str | None = None) -> NoReturn:
        """Leave with ``status``, writing ``message`` to stderr if there is one."""
        if message:
            sys.stderr.write(message)
        raise SystemExit(status)


DIGITS = re.compile(r"\s*[0-9]+\s*")


def number(text: str) -> int:
    """A whole number written in the digits 0 to 9, nothing else (no ``1_000``, no ``١``).

    Raises:
        ValueError: anything else.
    """
    if not DIGITS.fullmatch(text):
        raise ValueError(text)
    return int(text)


def sizes(text: str) -> list[int]:
    """``1..8`` or ``2,3,5``: concrete sizes between 1 and :data:`MAX_SIZE`.

    >>> sizes("2..4"), sizes("2, 5")
    ([2, 3, 4], [2, 5])
    """
    try:
        if ".." in text:
            lo, hi = (number(part) for part in text.split("..", 1))
            if lo > hi:
                raise argparse.ArgumentTypeError(
                    f"the range {text!r} is empty: write the smaller size first, as in 1..8"
                )
            bounds = [lo, hi]
        else:
            bounds = [number(part) for part in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes a range like 1..8 or a list like 2,3,5, not {text!r}"
        ) from None
    if not bounds or min(bounds) < 1 or max(bounds) > MAX_SIZE:
        raise argparse.ArgumentTypeError(f"takes sizes between 1 and {MAX_SIZE}, not {text!r}")
    if ".." in text:
        return list(range(bounds[0], bounds[1] + 1))
    return sorted(set(bounds))


def seconds(text: str) -> float:
    """A finite positive number of seconds, at most :data:`MAX_TIMEOUT`.

    >>> seconds("2.5")
    2.5
    """
    try:
        if not text.isascii() or "_" in text:
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"takes a number of seconds, not {text!r}") from None
    if not math.isfinite(value) or value <= 0 or value > MAX_TIMEOUT:
        raise argparse.ArgumentTypeError(
            f"takes a number of seconds above 0 and at most {MAX_TIMEOUT:g}, not {text!r}"
        )
    return value


def jobs(text: str) -> int:
    """A number of worker processes, 1 to :data:`MAX_JOBS`."""
    return whole(text, 1, MAX_JOBS, "a number of worker processes")


def seed(text: str) -> int:
    """A seed for the random points, 0 to 2^63 − 1."""
    return whole(text, 0, MAX_SEED, "a seed")


def whole(text: str, lo: int, hi: int, what: str) -> int:
    """An integer between ``lo`` and ``hi``."""
    try:
        value = number(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"takes a whole number in the digits 0 to 9, not {text!r}"
        ) from None
    if not lo <= value <= hi:
        raise argparse.ArgumentTypeError(f"takes {what} from {lo} to {hi}, not {text!r}")
    return value


def add_timeout(parser: argparse.ArgumentParser, what: str) -> None:
    """The ``--timeout`` flag every command takes: ``what`` says what the seconds bound."""
    parser.add_argument(
        "--timeout",
        type=seconds,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"{what}, above 0 and at most {MAX_TIMEOUT:g} (default {DEFAULT_TIMEOUT:g})",
    )


def document_names(args: argparse.Namespace, command: str) -> list[str]:
    """The documents a command is given: ``--all`` (every one found) or those it names.

    Raises:
        UsageError: both, or neither.
    """
    if args.all and args.documents:
        raise UsageError("give --all or documents, not both: --all takes every document found")
    names = [str(p) for p in list_documents()] if args.all else list(args.documents)
    if not names:
        raise UsageError(f"name a document (derive {command} softmax-ce), a path, or --all")
    return names
