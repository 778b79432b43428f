"""Shared test set-up: the tests never read or write the user's store of results."""

from __future__ import annotations

import os

import pytest

# derive.checking.store reads this when a command runs; subprocesses inherit it. Tests of the
# store point it at a temporary directory of their own.
os.environ["DERIVE_CACHE_DIR"] = "off"

LONGEST = ("tests/test_soundness.py", "tests/test_mutants.py", "tests/test_gradient.py")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The longest test files first, so that no worker runs one of them alone at the end."""
    items.sort(
        key=lambda item: next(
            (n for n, f in enumerate(LONGEST) if item.nodeid.startswith(f)), len(LONGEST)
        )
    )
