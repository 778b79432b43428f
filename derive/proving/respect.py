r"""What a document says of its inputs' values, for counterexamples that respect it.

A label is 0 or 1 (``[values] t = "0 or 1"``), a target is one-hot
(``[values] t = "one-hot"``) or sums to 1 (an assumption ``\sum_k t_k = 1`` under
``[assumptions]``). A claim is still proved or refuted for every value: these only
decide which counterexample is shown. :func:`fitted` turns a candidate point into one
that respects them; :func:`unmet` says which of them a point does not respect.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

import sympy as sp

from derive import symbols
from derive.model import Assumption, Document
from derive.printing.notation import name, unicode

Key = tuple[str, tuple[int, ...]]  # an input: its name and its indices
Kind = Literal["binary", "one-hot", "sums to 1"]


@dataclass(frozen=True)
class Wish:
    """An input's values as the document has them, and how a reader is told of it."""

    name: str  # as the evaluator keys it: ``t``, ``z^{(2)}``
    kind: Kind
    shown: str  # ``t ∈ {0, 1}``, ``t one-hot``, ``Σ_k t_k = 1``


def wishes_of(doc: Document) -> tuple[Wish, ...]:
    """The document's ``[values]``, then its assumptions that a vector sums to 1."""
    out = [
        Wish(key, "binary", f"{name(key)} ∈ {{0, 1}}")
        if kind == "binary"
        else Wish(key, "one-hot", f"{name(key)} one-hot")
        for key, kind in doc.values.items()
    ]
    for assumption in doc.assumptions.values():
        summed = summed_to_one(assumption)
        if summed is not None and summed not in doc.values:
            shown = f"{unicode(assumption.lhs)} = {unicode(assumption.rhs)}"
            out.append(Wish(summed, "sums to 1", shown))
    return tuple(out)


def summed_to_one(assumption: Assumption) -> str | None:
    r"""The name ``t`` of an assumption ``\sum_k t_k = 1`` (or ``\sum_k t_{rk} = 1``, per row)."""
    for total, one in ((assumption.lhs, assumption.rhs), (assumption.rhs, assumption.lhs)):
        if one != 1 or not isinstance(total, sp.Sum) or len(total.limits) != 1:
            continue
        var = total.limits[0][0]
        body = total.function
        if (
            isinstance(body, sp.Indexed)
            and body.indices[-1] == var
            and not any(i.has(var) for i in body.indices[:-1])
        ):
            return symbols.base_name(body)
    return None


def unmet(values: Mapping[Key, Any], wishes: Sequence[Wish]) -> tuple[Wish, ...]:
    """The wishes a point does not respect; an entry it leaves out counts as 0.

    An entry a claim does not read is shown as 0 (:func:`~derive.proving.counterexample.
    completed`), so a row whose entries read hold one 1 and 0s is one-hot as shown.
    """
    return tuple(w for w in wishes if not respects(values, w))


def respects(values: Mapping[Key, Any], wish: Wish) -> bool:
    """True when every entry of ``wish.name`` at this point is as the wish says."""
    entries = {key: value for key, value in values.items() if key[0] == wish.name}
    if not all(is_bit(v) for v in entries.values()) and wish.kind != "sums to 1":
        return False
    if wish.kind == "binary":
        return True
    for row in rows(entries).values():
        total = sum(row.values())
        if abs(total - 1) > 1e-30:
            return False
    return True


def is_bit(value: Any) -> bool:
    """True for 0 and 1 (exact or to the working precision)."""
    return bool(value == 0 or value == 1)


def rows(entries: Mapping[Key, Any]) -> dict[tuple[int, ...], dict[Key, Any]]:
    """Entries grouped by every index but the last: a vector is one row, a matrix its rows."""
    out: dict[tuple[int, ...], dict[Key, Any]] = {}
    for key, value in entries.items():
        out.setdefault(key[1][:-1], {})[key] = value
    return out


def fitted(point: Mapping[Key, Any], wishes: Sequence[Wish], turn: int) -> dict[Key, Any]:
    """``point`` with each wished-for input made to respect its wish.

    A 0/1 label keeps a value of 1 or more as 1 and the rest as 0 (flipped on odd
    ``turn``s, so that both are tried); a one-hot or sum-to-1 row puts its 1 at the entry
    ``turn`` picks, so that successive turns move it along the row.
    """
    out = dict(point)
    for wish in wishes:
        entries = {key: value for key, value in point.items() if key[0] == wish.name}
        if wish.kind == "binary" or not any(key[1] for key in entries):
            for key, value in entries.items():
                out[key] = int((value >= 1) != bool(turn % 2))
            continue
        for number, row in enumerate(rows(entries).values()):
            keys = sorted(row, key=lambda key: key[1])
            hot = keys[(turn + number) % len(keys)]
            out.update({key: int(key == hot) for key in keys})
    return out


def shown(wishes: Iterable[Wish]) -> tuple[str, ...]:
    """The wishes as a reader is told of them."""
    return tuple(w.shown for w in wishes)
