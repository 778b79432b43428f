"""Bounded memos, and one call that empties them all.

Whatever derive remembers between calls (a claim's meaning, a verdict, each SymPy node's
index symbols, …) is kept in a :class:`Memo`: a dict with a bound, past which the entry
put in first is forgotten first. Every memo is registered when it is made, and
:func:`clear` empties them all (``bench/bench.py`` calls it before each timed run, and
tests may). :func:`memos` lists them.

First in, first out, not least recently used: a hit is then the dict's own lookup, with
no bookkeeping (``proving/evaluate.py`` looks a node up each time it evaluates it, so a
hit must cost no more than it did), and derive's working sets are either far below the
bounds (a run over the whole catalogue) or a sweep over claims in turn, where the entry
put in first is also the one used longest ago.

:class:`OwnedMemo` remembers per document. A :class:`~derive.model.Document` is a
dataclass whose fields hold dicts, so it cannot be a key: it is keyed by ``id()``, and
as an ``id`` is reused once its object is gone, each entry also holds a weak reference
to its owner and is served to that very object only. No memo keeps a document alive.

Not memos, and not cleared (each says why where it is defined): the table of
unspecified functions by name in :mod:`derive.symbols` (a registry: its classes are
what makes two readings of a name such as ``act`` equal), the process's LaTeX parser
(:mod:`derive.reading.latex.parser`) and the fingerprint of the running code
(:mod:`derive.checking.store`), built once per process from no input.

A shared leaf: it imports nothing from derive.
"""

from __future__ import annotations

import weakref
from collections import OrderedDict
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")
Owner = TypeVar("Owner")

_REGISTRY: list[weakref.ref[Memo[Any, Any]]] = []


class Memo(OrderedDict[K, V]):
    """A dict of at most ``bound`` entries, the first put in forgotten first; registered.

    Read it as a dict (``get``, ``in``, ``[]``); every write, by ``[]`` or ``setdefault``
    or ``update``, goes through :meth:`__setitem__`, which keeps the bound.
    """

    def __init__(self, name: str, bound: int) -> None:
        """An empty memo called ``name`` (``module.WHAT``) of at most ``bound`` entries."""
        if bound < 1:
            raise ValueError(f"a memo needs room for one entry at least, not {bound}")
        super().__init__()
        self.name = name
        self.bound = bound
        _REGISTRY[:] = [r for r in _REGISTRY if r() is not None]
        _REGISTRY.append(weakref.ref(self))

    def __setitem__(self, key: K, value: V) -> None:
        """Remember ``value`` for ``key``, forgetting the oldest entry if there is no room."""
        if len(self) >= self.bound and key not in self:
            self.popitem(last=False)
        super().__setitem__(key, value)

    def __repr__(self) -> str:
        return f"Memo({self.name!r}, {len(self)} of {self.bound})"


class OwnedMemo(Generic[Owner, K, V]):
    """A memo per owner (a document), matched by identity; it never keeps an owner alive."""

    def __init__(self, name: str, bound: int) -> None:
        """An empty memo called ``name`` of at most ``bound`` entries (over all owners)."""
        self.entries: Memo[tuple[int, K], tuple[weakref.ref[Owner], V]] = Memo(name, bound)

    def get(self, owner: Owner, key: K) -> V | None:
        """What was put for ``owner`` (this very object) and ``key``; ``None`` if nothing."""
        found = self.entries.get((id(owner), key))
        if found is None or found[0]() is not owner:
            return None  # never put, forgotten, or put for an object gone since
        return found[1]

    def put(self, owner: Owner, key: K, value: V) -> V:
        """Remember ``value`` for ``owner`` and ``key``; return it."""
        self.entries[(id(owner), key)] = (weakref.ref(owner), value)
        return value

    def __len__(self) -> int:
        return len(self.entries)


def memos() -> list[Memo[Any, Any]]:
    """Every memo made so far (and still alive), in the order they were made."""
    return [memo for ref in _REGISTRY if (memo := ref()) is not None]


def clear() -> None:
    """Empty every memo: whatever is checked next is worked out afresh."""
    for memo in memos():
        memo.clear()
