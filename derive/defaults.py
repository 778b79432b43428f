"""Defaults shared by the prover, the commands and the pytest plugin.

Kept apart from :mod:`derive.prover` so that reading them imports nothing heavy.
"""

from __future__ import annotations

DEFAULT_SIZES = tuple(range(1, 9))  # concrete sizes tried when no all-K proof is found
DEFAULT_TIMEOUT = 10.0  # seconds per claim before it is undecided
