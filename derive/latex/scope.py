"""What the parser knows about a document's names: indices, sizes, names, functions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType


def _frozen(mapping: Mapping[str, object]) -> Mapping[str, object]:
    return MappingProxyType(dict(mapping))


@dataclass(frozen=True)
class Scope:
    r"""The names an expression may use, keyed as the parser spells them.

    Attributes:
        indices: Index name to the name of its size, e.g. ``{"k": "K", "t'": "K"}``.
        sizes: Size names, e.g. ``{"K"}``.
        names: Defined names such as ``"E"`` or ``r"\text{soft}"``; only ``\text``
            and ``\operatorname`` names must be listed here (or in ``functions``).
        functions: Names written as applications ``f(a, b)``, with their arity.
    """

    indices: Mapping[str, str]
    sizes: frozenset[str]
    names: frozenset[str] = frozenset()
    functions: Mapping[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Copy the mappings into read-only views so a scope cannot change."""
        object.__setattr__(self, "indices", _frozen(self.indices))
        object.__setattr__(self, "functions", _frozen(self.functions))
        object.__setattr__(self, "sizes", frozenset(self.sizes))
        object.__setattr__(self, "names", frozenset(self.names))

    def __hash__(self) -> int:
        """Hash by content, so a scope can key a cache."""
        return hash(
            (
                tuple(sorted(self.indices.items())),
                self.sizes,
                self.names,
                tuple(sorted(self.functions.items())),
            )
        )
