"""The catalogue, checked once per test process and shared by the tests that read it.

pytest-xdist runs the tests in a few worker processes. In each, a catalogue document is
checked the first time a test asks for its report, and every later test reads that
same report. Loading is reading only: collecting the tests checks nothing.
"""

from __future__ import annotations

from functools import cache

from derive import api
from derive.checking.results import Report
from derive.model import Document
from derive.reading.catalog import list_documents

NAMES = tuple(path.stem for path in list_documents())


@cache
def document(name: str) -> Document:
    """The catalogue document ``name``, loaded (read, not checked)."""
    return api.load(name)


@cache
def report(name: str) -> Report:
    """The catalogue document ``name``, checked with the default options."""
    return api.check(document(name))
