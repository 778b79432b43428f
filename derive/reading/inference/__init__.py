r"""A front matter inferred from the body: notes checked as they are written.

Real notes say what their front matter would: ``y_k = \frac{e^{z_k}}{\sum_{j=1}^{K}
e^{z_j}}`` defines ``y`` and ranges ``k`` and ``j`` over ``K``; ``E = -\sum_k t_k \ln
y_k`` defines the loss. From the body's display math this module infers

- **definitions**: the first equality of a chain whose left side is a name, an entry
  (``y_k``) or a function (``L(y, \hat y)``) not defined before, whose right side does
  not use it (a known function, ``\sigma(z)``, keeps its meaning: that equality is a
  step);
- **sizes and indices**: a sum ``\sum_{k=1}^{K}`` ranges ``k`` over the size ``K`` (a
  number makes a fixed size); the subscripts of one name at one place share a range, so
  ``z_j`` and ``z_k`` put ``j`` and ``k`` over one size; an index with no such evidence
  gets a size of its own (``k`` over ``K``, or ``N_k`` when ``K`` is taken);
- **candidate assumptions**: for a vector input summed or weighting a logarithm
  (``\sum_k t_k``, ``t_k \ln y_k``), ``\sum_k t_k = 1`` (``if Σ t = 1`` in messages), so
  that a step that needs it is reported as holding if it holds; a candidate is never
  used unless a step is wrong without it.

What is not defined is a free input. A front matter the document has always wins, key by
key; an inferred one only fills its gaps. Nothing here reads values: the inferred
tables are LaTeX text, read by the same reader as a written front matter.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from derive.errors import Position
from derive.reading.inference.definitions import Definitions
from derive.reading.inference.evidence import Evidence, gather
from derive.reading.inference.ranges import candidates, ranges
from derive.reading.inference.trees import (
    declared_key,
    key_of,
    mentions,
    tokens_in,
    tree_of,
)

__all__ = ["Inference", "infer", "key_of", "mentions"]


TABLES = ("sizes", "indices", "definitions", "assumptions")


@dataclass(frozen=True)
class Inference:
    r"""The inferred front-matter tables and where each inferred definition is written.

    ``tainted`` names what the body defines in a way derive cannot read (a right side
    it cannot parse, ``e`` which it reads as Euler's number): a step that uses such a
    name gets no verdict, since the name would otherwise be a free input. ``unchecked``
    are rows that are not equations, by the place of their right side, with why: an
    update ``w = w - \eta g``, a value ``K = 3`` given for a size already used.
    """

    tables: dict[str, dict[str, Any]]
    origins: dict[str, Position]  # a definition's text -> where the body writes it
    tainted: dict[str, tuple[str, Position]] = field(default_factory=dict)
    unchecked: dict[tuple[int, int], str] = field(default_factory=dict)
    restated: dict[str, list[tuple[int, int]]] = field(default_factory=dict)

    def without(self, head: str, why: str = "") -> Inference:
        """The inference less the definition of ``head`` (tainted with ``why``)."""
        definitions = dict(self.tables.get("definitions", {}))
        body = definitions.pop(head, None)
        origins = {k: v for k, v in self.origins.items() if k not in (body, head)}
        tainted = dict(self.tainted)
        if why and head in self.origins:
            tainted[key_of(head)] = (why, self.origins[head])
        tables = {**self.tables, "definitions": definitions}
        return Inference(tables, origins, tainted, self.unchecked, self.restated)

    def closed(self) -> Inference:
        """Less every definition whose right side uses a tainted name, itself tainted."""
        found = self
        changed = True
        while changed:
            changed = False
            for head, body in found.tables.get("definitions", {}).items():
                name = next((n for n in found.tainted if mentions(str(body), n)), None)
                if name is not None and key_of(head) not in found.tainted:
                    found = found.without(head, f"it uses `{name}`, which derive does not read")
                    changed = True
                    break
        return found

    def merged(self, front: Mapping[str, Any]) -> dict[str, Any]:
        """``front`` with its gaps filled: a key it has always wins."""
        out = dict(front)
        for table in TABLES:
            mine = self.tables.get(table, {})
            given = front.get(table, {})
            if mine and isinstance(given, dict):
                out[table] = {**mine, **given}
        if "names" in self.tables:
            out["names"] = self.tables["names"]
        return out


def infer(
    chains: list[list[tuple[str, Position]]],
    front: Mapping[str, Any],
    inline: Sequence[tuple[str, Position]] = (),
) -> Inference:
    """Infer the tables a front matter would give, from the body's chains of sides.

    ``inline`` are the equalities of the prose's inline math (``$E = …$``): never
    definitions, but a name one defines is not a free input either (it is tainted).
    """
    declared = {k for t in ("definitions", "functions") for k in dict(front.get(t, {}))}
    evidence = Evidence()
    parsed = []
    seen: dict[str, int] = {}  # the first line each letter is written on
    for sides in chains:
        trees = [tree_of(text) for text, _ in sides]
        for tree, (text, place) in zip(trees, sides, strict=True):
            if tree is not None:
                gather(tree, text, evidence)
                for token in tokens_in(tree):
                    if token.type == "LETTER":
                        seen[str(token)] = min(seen.get(str(token), place.line), place.line)
        parsed.append((sides, trees))
    limits = {str(v) for vs in evidence.ranges.values() for v in vs}
    limits |= set(dict(front.get("sizes", {})))
    found = Definitions({declared_key(k) for k in declared}, limits, seen)
    for sides, trees in parsed:
        if len(sides) >= 2 and trees[0] is not None:
            found.consider(sides, trees)
        found.reversed(sides)
    letters = set(evidence.bound) | {x for group in evidence.axes.values() for x in group}
    for text, place in inline:
        found.inline(text, place, letters)
    sizes, indices = ranges(evidence, front, found.fixed)
    assumptions = candidates(evidence, found.definitions, declared, indices)
    tables: dict[str, Any] = {"sizes": sizes, "indices": indices}
    tables["definitions"] = found.definitions
    tables["assumptions"] = assumptions
    given = list(front.get("names", []))
    tagged = sorted(evidence.tagged - set(given))
    if tagged:
        tables["names"] = [*given, *tagged]
    return Inference(tables, found.origins, found.tainted, found.unchecked, found.restated)
