"""Shared test set-up: the tests never read or write the user's store of results."""

from __future__ import annotations

import os

# derive.checking.store reads this when a command runs; subprocesses inherit it. Tests of the
# store point it at a temporary directory of their own.
os.environ["DERIVE_CACHE_DIR"] = "off"
