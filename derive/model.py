"""The meaning of a document: sizes, indices, definitions, assumptions and claims.

Frozen dataclasses, built by :mod:`derive.reading.frontmatter` from a document's front matter.
Every item keeps the position of its text. Here too are the reader's names
(:class:`Scope`) and what an expression needs to be real (:data:`Requirement`), which the
model's items hold.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

import sympy as sp

from derive import symbols
from derive.errors import Position

# A sum around a requirement: its variable, bounds, and the deltas its `\neq` leaves out.
Over = tuple[sp.Basic, sp.Basic, sp.Basic, tuple[sp.Basic, ...]]
# An expression, "> 0", "≥ 0" or "≠ 0", and the sums it sits in (outermost first): it
# must hold for each value of their variables.
Requirement = tuple[sp.Expr, str, tuple[Over, ...]]


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
    guessed: frozenset[str] = frozenset()  # sizes inferred from the body, not written
    # defined names whose written arguments only document them: `L(y, \hat{y})` is `L`;
    # each with its arguments as the front matter writes them (SymPy's spelling)
    documented: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Copy the mappings into read-only views so a scope cannot change; check shapes."""
        object.__setattr__(self, "indices", _frozen(self.indices))
        object.__setattr__(self, "functions", _frozen(self.functions))
        shapes = {key: tuple(shape) for key, shape in self.shapes.items()}
        object.__setattr__(self, "shapes", _frozen(shapes))
        object.__setattr__(self, "sizes", frozenset(self.sizes))
        object.__setattr__(self, "names", frozenset(self.names))
        object.__setattr__(self, "documented", _frozen(self.documented))
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
                tuple(sorted(self.documented.items())),
            )
        )


@dataclass(frozen=True)
class Definition:
    """``name_{params} = body``: a defined quantity, with index parameters."""

    name: str
    params: tuple[sp.Basic, ...]
    body: sp.Expr
    text: str
    position: Position
    domain: tuple[Requirement, ...] = ()  # what the body needs, as written


@dataclass(frozen=True)
class FunctionDecl:
    r"""An unspecified function declared under ``[functions]``.

    ``\text{act}(x)`` is a scalar function (its derivative is ``\text{act}'``);
    ``C(\mathbf{z})`` is a scalar function of every entry of ``z``, such as a loss.
    """

    name: str
    params: tuple[sp.Basic, ...]
    text: str
    position: Position

    @property
    def opaque(self) -> bool:
        """True for a function of a whole tensor (its gradient is a tensor of inputs)."""
        return any(not isinstance(p, sp.Symbol) for p in self.params)


@dataclass(frozen=True)
class Assumption:
    """A named equation ``lhs = rhs``, used only where a claim lists it."""

    name: str
    lhs: sp.Expr
    rhs: sp.Expr
    text: str
    position: Position


@dataclass(frozen=True)
class Condition:
    r"""A condition on a claim's free indices, such as ``k \neq j``."""

    left: sp.Expr
    op: str
    right: sp.Expr
    text: str


@dataclass(frozen=True)
class Claim:
    """A stated identity ``lhs = rhs`` and what its author expects of it."""

    name: str
    lhs: sp.Expr
    rhs: sp.Expr
    text: str
    position: Position
    assume: tuple[str, ...] = ()
    where: tuple[Condition, ...] = ()
    expect: str = "proved"
    # what the sides need to be real as written (a radicand ≥ 0, a divisor ≠ 0, …):
    # SymPy may have simplified the condition away, as (x^{1/3})^3 to x
    domain: tuple[Requirement, ...] = ()
    # how the statement was read where it was not as written: "read `log` as `\log`"
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Part:
    """From file line ``start`` on, the body is read with ``document``'s tables."""

    start: int
    note: str
    document: Document


@dataclass(frozen=True)
class Document:
    """A whole derivation document, parsed."""

    name: str
    title: str
    path: str
    sizes: Mapping[str, str]
    indices: Mapping[str, str]
    definitions: Mapping[str, Definition]
    assumptions: Mapping[str, Assumption]
    claims: tuple[Claim, ...]
    sources: tuple[str, ...] = ()
    functions: Mapping[str, FunctionDecl] = field(default_factory=dict)
    shapes: Mapping[str, tuple[str, str]] = field(default_factory=dict)
    known_wrong: tuple[str, ...] = ()  # right sides (their start) of steps known wrong
    body: str = ""
    body_line: int = 1
    scope: Scope = field(default_factory=lambda: Scope({}, frozenset()))
    parts: tuple[Part, ...] = ()
    fixed: Mapping[str, int] = field(default_factory=dict)  # sizes given as numbers
    padded: frozenset[str] = frozenset()  # names whose entries outside their range are 0
    where: tuple[Condition, ...] = ()  # conditions on indices that hold in every step
    macros: Mapping[str, str] = field(default_factory=dict)  # body text as written -> as read
    # [values]: what the document says an input's entries are: "binary" (each 0 or 1) or
    # "one-hot" (in each row, one entry 1 and the others 0); counterexamples prefer them
    values: Mapping[str, str] = field(default_factory=dict)
    digest: str = ""  # SHA-256 of the document's text as read
    # the front-matter tables derive inferred from the body (empty: all were written),
    # and where the body writes each inferred definition (line, column of its right side)
    inferred: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    defined_at: frozenset[tuple[int, int]] = frozenset()
    # names the body defines in a way derive cannot read (a step using one is not
    # checked), and the rows that are not equations (`w = w - \eta g`), with why
    tainted: Mapping[str, str] = field(default_factory=dict)
    unchecked: Mapping[tuple[int, int], str] = field(default_factory=dict)
    bare: bool = False  # read with no front matter at all: everything is inferred
    # an inferred definition's later rows `E = …` (their right sides' places)
    restated: Mapping[str, list[tuple[int, int]]] = field(default_factory=dict)
    origins: Mapping[str, Position] = field(default_factory=dict)  # inferred text -> place
    cells: tuple[tuple[int, int], ...] = ()  # a notebook's body lines: (cell, line in cell)

    def reading_at(self, line: int) -> Document:
        """The document whose tables give the body's line ``line`` its meaning."""
        reading = self
        for part in self.parts:
            if part.start <= line:
                reading = part.document
        return reading

    def size_symbol(self, index: sp.Symbol) -> sp.Symbol:
        """Return the size symbol over which ``index`` ranges."""
        return symbols.size(self.indices[index.name])

    def claim(self, name: str) -> Claim:
        """Return the claim called ``name``."""
        for claim in self.claims:
            if claim.name == name:
                return claim
        raise KeyError(name)
