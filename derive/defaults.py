"""Defaults shared by the prover, the commands and the pytest plugin.

Kept apart from :mod:`derive.proving` so that reading them imports nothing heavy.
"""

from __future__ import annotations

import hashlib
import secrets

VERSION = "0.1.0"  # derive's version (``derive.__version__``, ``derive --version``)
DEFAULT_SIZES = tuple(range(1, 9))  # concrete sizes tried when no all-K proof is found
DEFAULT_TIMEOUT = 10.0  # seconds per claim before it is undecided

# The seed of this run's random points: drawn afresh when the process starts, so that no
# document can be written against fixed points; `derive check --seed N` sets it to
# reproduce a run (its --json says which seed it used).
_RUN = {"seed": secrets.randbits(32)}


def run_seed() -> int:
    """The seed of this run's random points."""
    return _RUN["seed"]


def set_run_seed(seed: int | None = None) -> int:
    """Use ``seed`` for this run's random points (a fresh one for ``None``); return it."""
    _RUN["seed"] = secrets.randbits(32) if seed is None else int(seed)
    return _RUN["seed"]


def seed_for(*what: object) -> int:
    """A seed for one check, fixed by the run's seed and ``what`` (the claim)."""
    text = repr((run_seed(), *what)).encode()
    return int.from_bytes(hashlib.blake2b(text, digest_size=8).digest(), "big")
