"""What the parser knows about a document's names: indices, sizes, names, functions, shapes."""

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
        shapes: Names that are matrices, with their rows and columns, each a size name
            or ``"1"``: ``{"W^{(1)}": ("H", "N"), "x": ("N", "1")}`` (a vector is a
            column). Written without a subscript such a name is a ``MatrixSymbol``;
            with one it is an element, as any other name.

    Raises:
        ValueError: A shape names a size that is not in ``sizes`` (the caller checks
            its document first; this guards against a bug, not against a user).
    """

    indices: Mapping[str, str]
    sizes: frozenset[str]
    names: frozenset[str] = frozenset()
    functions: Mapping[str, int] = field(default_factory=dict)
    shapes: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Copy the mappings into read-only views so a scope cannot change; check shapes."""
        object.__setattr__(self, "indices", _frozen(self.indices))
        object.__setattr__(self, "functions", _frozen(self.functions))
        shapes = {key: tuple(shape) for key, shape in self.shapes.items()}
        object.__setattr__(self, "shapes", _frozen(shapes))
        object.__setattr__(self, "sizes", frozenset(self.sizes))
        object.__setattr__(self, "names", frozenset(self.names))
        for key, shape in self.shapes.items():
            if len(shape) != 2 or any(d != "1" and d not in self.sizes for d in shape):
                raise ValueError(f"shape of `{key}`: {shape!r} is not two sizes or 1")

    def __hash__(self) -> int:
        """Hash by content, so a scope can key a cache."""
        return hash(
            (
                tuple(sorted(self.indices.items())),
                self.sizes,
                self.names,
                tuple(sorted(self.functions.items())),
                tuple(sorted(self.shapes.items())),
            )
        )
