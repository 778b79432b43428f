"""Sizes and indices from subscripts and sums, and the candidate assumptions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from derive.reading.inference.evidence import Evidence
from derive.reading.inference.trees import declared_key


def ranges(
    evidence: Evidence, front: Mapping[str, Any], fixed: Mapping[str, int]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Sizes and indices: letters at one place of one name share a size; sums give it.

    A letter's own range (written, or its sum's upper limit) comes first; a letter with
    none takes its group's. A size the body gives a value (``K = 3``) is fixed.
    """
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        parent[find(a)] = find(b)

    letters = set(evidence.bound) | {x for group in evidence.axes.values() for x in group}
    given_indices = dict(front.get("indices", {}))
    given_sizes = dict(front.get("sizes", {}))
    for group in evidence.axes.values():
        first, *rest = sorted(group)
        for other in rest:
            union(first, other)
    sizes: dict[str, Any] = {}
    indices: dict[str, str] = {}
    group_size: dict[str, str] = {}
    taken = Taken(given_sizes, evidence.written)
    own: dict[str, str] = {}
    for letter in sorted(letters):
        written = given_indices.get(letter)
        limit = (
            written if written is not None else next(iter(evidence.ranges.get(letter, [])), None)
        )
        if limit is not None:
            own[letter] = size_name(limit, sizes, taken)
            group_size.setdefault(find(letter), own[letter])
    for letter in sorted(letters):
        root = find(letter)
        if letter not in given_indices and len({*evidence.ranges.get(letter, [])}) > 1:
            for limit in evidence.ranges[letter]:
                if isinstance(limit, str):
                    size_name(limit, sizes, taken)  # still a size
            continue  # sums over it run to different sizes: each sum says its own
        if root not in group_size:
            group_size[root] = size_name(letter.upper(), sizes, taken, fresh=letter)
        indices[letter] = own.get(letter, group_size[root])
    for name, value in fixed.items():
        if name in sizes and name not in given_sizes:
            sizes[name] = value
    return sizes, indices


@dataclass(frozen=True)
class Taken:
    """The size names that are not free: written ones, and every name the body uses."""

    given: Mapping[str, Any]
    written: set[str]


FIXED_NAMES = ("N", "M", "D", "H", "P", "Q", "S", "B", "C", "F", "G", "R", "U", "V")


def size_name(size: Any, sizes: dict[str, Any], taken: Taken, fresh: str = "") -> str:
    """The name of a size: ``K`` as written, a fixed number ``N = 10``, or a new one.

    A fixed number gets a name the body does not use (so a written ``N`` stays the
    author's), the same name for the same number.
    """
    if isinstance(size, int):
        same = next((n for n, v in sizes.items() if v == size and isinstance(v, int)), None)
        if same is not None:
            return same
        free = (n for n in FIXED_NAMES if n not in sizes and n not in taken.given)
        name = next((n for n in free if n not in taken.written), f"N_{{{size}}}")
        sizes[name] = size
        return name
    if fresh and (size in sizes or size in taken.given or size in taken.written):
        size = f"N_{fresh}"
    if size not in taken.given:
        why = (
            f"the range of {fresh}, inferred" if fresh else "inferred from the upper limit of a sum"
        )
        sizes.setdefault(size, why)
    return str(size)


def candidates(
    evidence: Evidence,
    definitions: Mapping[str, str],
    declared: set[str],
    indices: Mapping[str, str],
) -> dict[str, str]:
    """``if Σ_k t_k = 1`` for each vector input summed or weighting a logarithm."""
    defined = {declared_key(d) for d in (*definitions, *declared)}
    out: dict[str, str] = {}
    for name in sorted(evidence.summed - defined):
        axes = [a for (n, a) in evidence.axes if n == name]
        if axes != [0]:
            continue
        letter = sorted(evidence.axes[(name, 0)])[0]
        size = indices.get(letter)
        if size is None:
            continue
        out[f"if Σ_{letter} {name}_{letter} = 1"] = (
            rf"\sum_{{{letter}=1}}^{{{size}}} {name}_{{{letter}}} = 1"
        )
    return out
