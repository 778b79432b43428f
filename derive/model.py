"""The meaning of a document: sizes, indices, definitions, assumptions and claims.

Frozen dataclasses, built by :mod:`derive.reading.frontmatter` from a document's front matter.
Every item keeps the position of its text.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

import sympy as sp

from derive import symbols
from derive.errors import Position
from derive.reading.latex import Scope
from derive.reading.latex.shapes import Requirement


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
    where: tuple[Condition, ...] = ()  # conditions on indices that hold in every step
    macros: Mapping[str, str] = field(default_factory=dict)  # body text as written -> as read
    digest: str = ""  # SHA-256 of the document's text as read

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
