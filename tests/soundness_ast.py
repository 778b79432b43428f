r"""The soundness test's own expressions: an AST, its LaTeX, and an oracle apart from derive.

Nothing here imports derive. A claim is built as a small tree of the nodes below; it is
written (a) as LaTeX in derive's subset, for derive to read, and (b) evaluated directly
at concrete sizes, index values and rational points, for the oracle:

- sums are Python loops over the written-out range (``hi < lo``: the empty sum, 0);
- indices are integers, an entry outside its vector's range ``1..K`` does not exist
  (the claim is undefined there);
- a derivative is ``sympy.diff`` of the written-out body at those sizes and indices,
  with respect to the concrete entry's symbol, evaluated at the point;
- every value is an mpmath real at 50 digits; ``ln`` of a non-positive number, a root
  (or fractional power) of a negative number and division by zero are undefined, and
  an undefined side is never part of a counterexample.

The oracle never calls ``simplify``: it only evaluates.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from fractions import Fraction
from typing import Any, Union, cast

import mpmath
import sympy as sp

DIGITS = 50
MP = mpmath.mp.clone()  # the oracle's own context: mpmath's global one is left alone
MP.dps = DIGITS
EPS = MP.mpf("1e-40")  # below this a value is zero (a pole, ln 0, ...)
TOLERANCE = MP.mpf("1e-30")  # relative difference that counts as "the sides differ"

# The document's declarations (the test writes them into every document's front matter).
INDEX_RANGE = {"i": "K", "j": "K", "k": "K", "l": "K", "n": "N", "m": "N"}
VECTORS = {
    "z": ("K",),
    "t": ("K",),
    "w": ("N", "K"),
    "b": ("K",),
    "g": ("K",),
    "P": ("K", "K"),
}
PADDED = frozenset({"b", "g"})  # `[padding] b = "zero"`: an entry outside 1..K is 0
SCALARS = ("x", "a")
SIZES = ("K", "N")


@dataclass(frozen=True)
class Shift:
    """A subscript with arithmetic: ``Σ coeff·letter + offset`` (``k+1``, ``2k-1``, ``n+k-1``).

    The letters may be index letters, or the strings ``"1"``, ``"K"`` an ellipsis writes.
    """

    terms: tuple[tuple[int, str], ...]
    offset: int = 0

    def value(self, env: Mapping[str, int]) -> int:
        """The subscript's integer value."""
        return sum(c * _letter_value(v, env) for c, v in self.terms) + self.offset

    def tex(self) -> str:
        r"""As written: ``k+1``, ``2 \cdot k``, ``2k-1``, ``j-n+1``."""
        parts: list[str] = []
        for c, v in self.terms:
            sign = "-" if c < 0 else ("+" if parts else "")
            mag = abs(c)
            alone = len(self.terms) == 1 and not self.offset
            body = v if mag == 1 else (f"{mag} \\cdot {v}" if alone else f"{mag}{v}")
            parts.append(sign + body)
        if self.offset:
            parts.append(("+" if self.offset > 0 else "-") + str(abs(self.offset)))
        return "".join(parts) or "0"


def _letter_value(v: str, env: Mapping[str, int]) -> int:
    return int(v) if v.isdigit() else env[v]


Sub = Union[str, int, Shift]  # noqa: UP007  (a runtime alias: a letter, a literal or a shift)


class Undefined(Exception):
    """The expression has no real value here."""


# --------------------------------------------------------------------------- the AST


@dataclass(frozen=True)
class Bound:
    """A sum's limit: ``base + offset`` where base is a size, an index letter or None."""

    base: str | None
    offset: int = 0

    def value(self, env: Mapping[str, int]) -> int:
        """The bound's integer value under ``env`` (sizes and indices)."""
        return (env[self.base] if self.base is not None else 0) + self.offset

    def tex(self) -> str:
        """The bound as written: ``K-1``, ``j``, ``3``."""
        if self.base is None:
            return str(self.offset)
        if self.offset == 0:
            return self.base
        sign = "+" if self.offset > 0 else "-"
        return f"{self.base}{sign}{abs(self.offset)}"


class Node:
    """Base class of the AST's nodes (frozen dataclasses, compared by value)."""


@dataclass(frozen=True)
class Num(Node):
    """A rational constant."""

    value: Fraction


@dataclass(frozen=True)
class BigInt(Node):
    """``2^{e} + delta``, written so (the modular check's prime is 2^61 − 1)."""

    exponent: int
    delta: int

    @property
    def value(self) -> int:
        """The integer."""
        return 2**self.exponent + self.delta


@dataclass(frozen=True)
class Var(Node):
    """A free real scalar: x, a."""

    name: str  # a free real scalar: x, a


@dataclass(frozen=True)
class SizeVal(Node):
    """A size used as a number: K y_j."""

    name: str  # K or N used as a number


@dataclass(frozen=True)
class IndexVal(Node):
    """An index used as a number: j z_j."""

    name: str  # an index used as a number: j z_j


@dataclass(frozen=True)
class Entry(Node):
    """An entry of an input vector or matrix: z_k, t_2, w_{nk}."""

    vec: str
    subs: tuple[Sub, ...]
    comma: bool = False  # w_{n,k} rather than w_{nk}


@dataclass(frozen=True)
class Y(Node):
    """The document's softmax ``y_k = e^{z_k} / Σ_i e^{z_i}``."""

    sub: Sub


@dataclass(frozen=True)
class Loss(Node):
    """The document's cross-entropy ``E = −Σ_k t_k ln y_k``."""


@dataclass(frozen=True)
class Delta(Node):
    """The Kronecker delta of two indices (letters or literals)."""

    a: Sub
    b: Sub


@dataclass(frozen=True)
class Cases(Node):
    r"""``\begin{cases} same & a = b \\ other & a \neq b \end{cases}`` (rows in ``order``)."""

    a: Sub
    b: Sub
    same: Node
    other: Node
    order: str = "eq-neq"  # eq-neq, neq-eq, eq-otherwise, neq-otherwise


@dataclass(frozen=True)
class Add(Node):
    """A sum of terms."""

    terms: tuple[Node, ...]


@dataclass(frozen=True)
class Mul(Node):
    """A product of factors."""

    factors: tuple[Node, ...]
    dot: bool = False  # write \cdot between factors


@dataclass(frozen=True)
class Neg(Node):
    """Minus its argument."""

    arg: Node


@dataclass(frozen=True)
class Frac(Node):
    r"""A quotient, written ``\frac{a}{b}``, ``{a \over b}`` or ``\cfrac{a}{b}``."""

    num: Node
    den: Node
    style: str = "frac"  # frac, over or cfrac


@dataclass(frozen=True)
class Decor(Node):
    r"""Its argument, decorated in a way that changes nothing.

    ``\boxed{…}``, a colour, ``\underbrace{…}_{\text{…}}`` or thin spaces.
    """

    arg: Node
    kind: str  # boxed, color, switch, underbrace, space


@dataclass(frozen=True)
class Written(Node):
    r"""A whole side written in matrix notation (``\|g\|^2``, ``\operatorname{tr}(P)``).

    ``text`` is what the document says; ``meaning`` is the same quantity in index form,
    which the oracle evaluates (its own reading of the notation, not derive's). A leaf
    for traversal: a mutation never changes the meaning without the text.
    """

    text: str
    meaning: Node


@dataclass(frozen=True)
class SquareOf(Node):
    """``det P`` (``at`` empty) or entry ``at`` of ``P^{-1}``, for the K×K matrix ``P``.

    With ``positive``, defined only where ``det P > 0`` (a side written with ``ln det P``).
    The oracle evaluates it with mpmath's own ``det`` and ``inverse``.
    """

    at: tuple[int, ...] = ()
    positive: bool = False


@dataclass(frozen=True)
class Pow(Node):
    """A power with a rational exponent."""

    base: Node
    exp: Fraction
    style: str = "slash"  # how a fractional exponent is written: slash 1/2, frac \frac{1}{2}


@dataclass(frozen=True)
class Exp(Node):
    r"""The exponential, written e^{...} or \exp(...)."""

    arg: Node
    style: str = "e"  # e^{...} or \exp


@dataclass(frozen=True)
class Fn(Node):
    """A function of one argument: ln, sin, cos, tanh, sqrt, root3 (the cube root)."""

    name: str  # ln, sin, cos, tanh, sqrt, root3
    arg: Node


@dataclass(frozen=True)
class Kink(Node):
    r"""A piecewise value: ``\max``, ``\min`` (two arguments), ``|x|``, or an indicator.

    ``kind`` is max, min, abs, gt (``1\{x > 0\}``), ge (``\mathbb{1}[x \geq 0]``) or
    cases (``args = (c, a, b)``: ``a`` where ``c > 0``, else ``b``, as a ``cases`` whose
    rows compare ``c`` with 0); ``style`` picks one of the ways each is written.
    """

    kind: str
    args: tuple[Node, ...]
    style: int = 0


@dataclass(frozen=True)
class Norm1(Node):
    r"""``\|g\|_1``: the sum of the absolute values of a vector's entries (over K)."""

    vec: str
    style: int = 0  # \|g\|_1, \lVert g \rVert_1, \left\| g \right\|_1


@dataclass(frozen=True)
class MaxOver(Node):
    r"""``\max_k body`` or ``\min_k body`` over the whole range of ``var``."""

    var: str
    body: Node
    kind: str = "max"  # max or min
    style: int = 0  # \max_k, \max_{k}, \max_{1 \le k \le K}


@dataclass(frozen=True)
class Sum(Node):
    r"""``\\sum_{var=lo}^{hi}``, ``\\sum_var`` (lo = hi = None) or ``\\sum_{var \\neq neq}``."""

    var: str
    body: Node
    lo: Bound | None = None
    hi: Bound | None = None
    neq: Sub | None = None
    # how it is written (the oracle ignores both): the terms around an ellipsis
    # (``dots``, ``cdots``, ``ldots``; ``cdots2`` and the like write the second term too),
    # or ``\sum_{c=1}^{K}`` with an index letter the document does not declare
    dots: str = ""
    letter: str = ""


@dataclass(frozen=True)
class Prod(Sum):
    r"""``\prod_{var=lo}^{hi}``, ``\prod_var`` or ``\prod_{var \neq neq}``: a product.

    A :class:`Sum` in every way but its operation (the empty product is 1); never
    written with an ellipsis or an undeclared letter.
    """


@dataclass(frozen=True)
class Deriv(Node):
    r"""The derivative of ``body`` with respect to an input (an entry or a scalar).

    With ``outer``, the second derivative ``∂²body/∂outer ∂wrt``, written in one fraction
    (``\frac{\partial^2}{\partial x \partial z_j}``, ``\frac{d^2}{dx^2}``).
    """

    body: Node
    wrt: Entry | Var
    style: str = "op"  # op: \frac{\partial}{\partial z_j} (...); frac: \frac{\partial E}{...}; d
    outer: Entry | Var | None = None

    def variables(self) -> tuple[Entry | Var, ...]:
        """The variables, the first differentiated first."""
        return (self.wrt,) if self.outer is None else (self.wrt, self.outer)


@dataclass(frozen=True)
class Claim:
    """``lhs = rhs`` with the assumptions and where-conditions it lists."""

    lhs: Node
    rhs: Node
    assume: tuple[str, ...] = ()
    where: tuple[tuple[Sub, Sub], ...] = ()  # pairs (a, b): a \neq b
    family: str = ""
    true: bool | None = True  # the generator's intent: True when built by valid rewrites only
    mutation: str = ""
    # written as a row of two entries, ``(lhs, other) = (rhs, other)`` (the oracle judges
    # lhs = rhs: ``other`` is a leaf defined everywhere, equal to itself)
    row: str = ""  # pmatrix, bmatrix or paren
    other: Node | None = None
    other_first: bool = False
    # written as vectors over its one free index j, ``(A(1), \dots, A(K)) = (B(1), …)``:
    # the ellipsis command (the oracle judges A = B for every j, as for the claim itself)
    vector: str = ""

    def statement(self) -> str:
        """The claim as written in the document."""
        if self.vector and vector_ok(self):
            return f"{self.vector_tex(self.lhs)} = {self.vector_tex(self.rhs)}"
        if not self.row or self.other is None:
            return f"{tex(self.lhs)} = {tex(self.rhs)}"
        return f"{self.row_tex(self.lhs)} = {self.row_tex(self.rhs)}"

    def vector_tex(self, side: Node) -> str:
        """One side as the vector of its entries over the free index, with an ellipsis."""
        (j,) = claim_free(self)
        ends = [tex(substitute(side, {j: v})) for v in ("1", INDEX_RANGE[j])]
        return rf"\left({ends[0]}, \{self.vector}, {ends[1]}\right)"

    def row_tex(self, side: Node) -> str:
        """One side as a row of two entries, the other entry written around it."""
        entries = [tex(side), tex(cast("Node", self.other))]
        if self.other_first:
            entries.reverse()
        if self.row == "paren":
            return "(" + ", ".join(entries) + ")"
        return rf"\begin{{{self.row}}} " + " & ".join(entries) + rf" \end{{{self.row}}}"

    def where_tex(self) -> list[str]:
        """The where-conditions as written."""
        return [f"{sub_tex(a)} \\neq {sub_tex(b)}" for a, b in self.where]


# --------------------------------------------------------------------------- traversal


def children(node: Node) -> tuple[Node, ...]:
    if isinstance(node, Add):
        return node.terms
    if isinstance(node, Mul):
        return node.factors
    if isinstance(node, (Neg, Exp, Fn, Decor)):
        return (node.arg,)
    if isinstance(node, Frac):
        return (node.num, node.den)
    if isinstance(node, Pow):
        return (node.base,)
    if isinstance(node, (Sum, Deriv, MaxOver)):
        return (node.body,)
    if isinstance(node, Cases):
        return (node.same, node.other)
    if isinstance(node, Kink):
        return node.args
    return ()


def with_children(node: Node, kids: tuple[Node, ...]) -> Node:
    if isinstance(node, Add):
        return replace(node, terms=kids)
    if isinstance(node, Mul):
        return replace(node, factors=kids)
    if isinstance(node, (Neg, Exp, Fn, Decor)):
        return replace(node, arg=kids[0])
    if isinstance(node, Frac):
        return replace(node, num=kids[0], den=kids[1])
    if isinstance(node, Pow):
        return replace(node, base=kids[0])
    if isinstance(node, (Sum, Deriv, MaxOver)):
        return replace(node, body=kids[0])
    if isinstance(node, Cases):
        return replace(node, same=kids[0], other=kids[1])
    if isinstance(node, Kink):
        return replace(node, args=kids)
    return node


def walk(node: Node) -> Iterator[Node]:
    yield node
    for child in children(node):
        yield from walk(child)


def letters_of(node: Node) -> set[str]:
    """Index letters a node mentions directly (not in its children)."""
    out: set[str] = set()

    def add(s: Sub | None) -> None:
        if isinstance(s, str):
            out.add(s)
        elif isinstance(s, Shift):
            out.update(v for _, v in s.terms if v in INDEX_RANGE)

    if isinstance(node, Entry):
        for s in node.subs:
            add(s)
    elif isinstance(node, Y):
        add(node.sub)
    elif isinstance(node, (Delta, Cases)):
        add(node.a)
        add(node.b)
    elif isinstance(node, IndexVal):
        out.add(node.name)
    elif isinstance(node, Sum):
        for b in (node.lo, node.hi):
            if b is not None and b.base in INDEX_RANGE:
                out.add(b.base)
        add(node.neq)
    elif isinstance(node, Deriv):
        for var in node.variables():
            out |= letters_of(var)
    return out


def free_indices(node: Node, bound: frozenset[str] = frozenset()) -> set[str]:
    """Index letters free in ``node``."""
    out = letters_of(node) - bound
    if isinstance(node, Sum | MaxOver):
        inner = bound | {node.var}
        return out | free_indices(node.body, inner)
    for child in children(node):
        out |= free_indices(child, bound)
    return out


def substitute(node: Node, mapping: Mapping[str, Sub]) -> Node:
    """Replace free index letters (not those bound by a sum inside)."""

    def s(x: Sub) -> Sub:
        if isinstance(x, Shift):
            return shifted(x, mapping)
        return mapping.get(x, x) if isinstance(x, str) else x

    def b(x: Bound | None) -> Bound | None:
        if x is None or x.base is None or x.base not in mapping:
            return x
        new = mapping[x.base]
        if isinstance(new, int):
            return Bound(None, new + x.offset)
        if isinstance(new, Shift):
            raise TypeError("a sum's limit takes a letter or a number, not a shift")
        return Bound(new, x.offset)

    if isinstance(node, Entry):
        return replace(node, subs=tuple(s(x) for x in node.subs))
    if isinstance(node, Y):
        return Y(s(node.sub))
    if isinstance(node, Delta):
        return Delta(s(node.a), s(node.b))
    if isinstance(node, Cases):
        kids = tuple(substitute(k, mapping) for k in (node.same, node.other))
        return replace(node, a=s(node.a), b=s(node.b), same=kids[0], other=kids[1])
    if isinstance(node, IndexVal):
        new = mapping.get(node.name, node.name)
        if isinstance(new, Shift):
            raise TypeError("an index used as a number takes a letter or a number")
        return Num(Fraction(new)) if isinstance(new, int) else IndexVal(new)
    if isinstance(node, Sum):
        inner = {k: v for k, v in mapping.items() if k != node.var}
        return replace(
            node,
            lo=b(node.lo),
            hi=b(node.hi),
            neq=None if node.neq is None else s(node.neq),
            body=substitute(node.body, inner),
        )
    if isinstance(node, MaxOver):
        inner = {k: v for k, v in mapping.items() if k != node.var}
        return replace(node, body=substitute(node.body, inner))
    if isinstance(node, Deriv):
        # substitute keeps a node's class: an Entry stays an Entry, a Var a Var
        wrt = cast("Entry | Var", substitute(node.wrt, mapping))
        outer = None if node.outer is None else substitute(node.outer, mapping)
        outer = cast("Entry | Var | None", outer)
        return replace(node, wrt=wrt, outer=outer, body=substitute(node.body, mapping))
    kids = children(node)
    if not kids:
        return node
    return with_children(node, tuple(substitute(k, mapping) for k in kids))


def shifted(x: Shift, mapping: Mapping[str, Sub]) -> Sub:
    """A shift with letters replaced: by letters, or by numbers folded into its offset."""
    terms: list[tuple[int, str]] = []
    offset = x.offset
    for c, v in x.terms:
        new = mapping.get(v, v)
        if isinstance(new, str) and new.isdigit():
            new = int(new)
        if isinstance(new, int):
            offset += c * new
        elif isinstance(new, str):
            terms.append((c, new))
        else:
            raise TypeError(f"a shift inside a shift: {new}")
    if not terms:
        return offset
    return Shift(tuple(terms), offset)


def sizes_touched(claim: Claim) -> list[str]:
    """The sizes the claim depends on, as the oracle reads it (K before N)."""
    found: set[str] = set()
    for side in (claim.lhs, claim.rhs):
        for node in walk(side):
            if isinstance(node, Entry):
                found.update(VECTORS[node.vec])
            elif isinstance(node, (Y, Loss, SquareOf)):
                found.add("K")
            elif isinstance(node, SizeVal):
                found.add(node.name)
            elif isinstance(node, Written):
                found.update(sizes_touched(Claim(node.meaning, node.meaning)))
            elif isinstance(node, Norm1):
                found.update(VECTORS[node.vec])
            elif isinstance(node, MaxOver):
                found.add(INDEX_RANGE[node.var])
            elif isinstance(node, Sum):
                found.add(INDEX_RANGE[node.var])
                for bd in (node.lo, node.hi):
                    if bd is not None and bd.base in SIZES:
                        found.add(bd.base)
            elif isinstance(node, Deriv):
                for var in node.variables():
                    if isinstance(var, Entry):
                        found.update(VECTORS[var.vec])
            for letter in letters_of(node):
                found.add(INDEX_RANGE[letter])
    for a, b in claim.where:
        for s in (a, b):
            if isinstance(s, str):
                found.add(INDEX_RANGE[s])
    if {"targets", "first"} & set(claim.assume):
        found.add("K")
    return [s for s in SIZES if s in found]


def vector_ok(claim: Claim) -> bool:
    """A claim with one free index over K, no `where`, the index only in subscripts."""
    free = claim_free(claim)
    if claim.where or len(free) != 1 or INDEX_RANGE[free[0]] != "K":
        return False
    (j,) = free
    if j not in free_indices(claim.lhs) or j not in free_indices(claim.rhs):
        return False  # `(1, \dots, 1)` abbreviates no pattern
    if any(isinstance(n, Sum) and n.dots for n in (*walk(claim.lhs), *walk(claim.rhs))):
        return False  # an ellipsis inside another would write `\delta_{11}`
    if any(has_shift(n) or isinstance(n, Prod) for n in (*walk(claim.lhs), *walk(claim.rhs))):
        return False
    for n in (*walk(claim.lhs), *walk(claim.rhs)):
        if j not in letters_of(n) or isinstance(n, (Y, Entry)):
            continue
        if isinstance(n, Delta) and isinstance(n.a, str) and isinstance(n.b, str) and n.a != n.b:
            continue
        return False
    return True


def claim_free(claim: Claim) -> list[str]:
    free = free_indices(claim.lhs) | free_indices(claim.rhs)
    for a, b in claim.where:
        free |= {s for s in (a, b) if isinstance(s, str)}
    return sorted(free)


# --------------------------------------------------------------------------- LaTeX


def sub_tex(s: Sub) -> str:
    return s.tex() if isinstance(s, Shift) else str(s)


def subs_tex(subs: tuple[Sub, ...], comma: bool) -> str:
    if len(subs) == 1:
        (s,) = subs
        text = sub_tex(s)
        return text if len(text) == 1 else "{" + text + "}"
    if comma or any(isinstance(s, (int, Shift)) for s in subs):
        return "{" + ",".join(sub_tex(s) for s in subs) + "}"
    return "{" + "".join(sub_tex(s) for s in subs) + "}"


def entry_tex(node: Entry) -> str:
    return f"{node.vec}_{subs_tex(node.subs, node.comma)}"


def is_bigop(node: Node) -> bool:
    """Nodes that take the rest of a product as their body when written bare."""
    bare = isinstance(node, Sum | MaxOver)
    return bare or (isinstance(node, Deriv) and node.style in ("op", "d"))


def paren(text: str) -> str:
    return r"\left(" + text + r"\right)"


def is_atom(node: Node) -> bool:
    if isinstance(node, Num):
        return node.value.denominator == 1 and node.value >= 0
    return isinstance(node, (Var, SizeVal, IndexVal, Entry, Y, Loss, Delta, BigInt, Norm1)) or (
        isinstance(node, Deriv) and node.style == "frac"
    )


def tex(node: Node) -> str:
    """The LaTeX of a whole expression (one side of a claim)."""
    if isinstance(node, Written):
        return node.text
    if isinstance(node, Sum) and node.dots and dots_ok(node):
        return tex_dots(node)
    if isinstance(node, Add):
        parts = []
        for n, term in enumerate(node.terms):
            if n > 0 and isinstance(term, Neg):
                parts.append(" - " + tex_negated(term.arg))
            elif n > 0 and isinstance(term, Num) and term.value < 0:
                parts.append(" - " + tex(Num(-term.value)))
            else:
                parts.append((" + " if n > 0 else "") + tex_term(term, n == len(node.terms) - 1))
        return "".join(parts)
    return tex_term(node, True)


def tex_term(node: Node, last_in_add: bool) -> str:
    """A term of a sum (no leading sign handled here except Neg)."""
    del last_in_add  # a bare big operator's body is a term: it stops at + and -
    if isinstance(node, Add):
        return paren(tex(node))
    if isinstance(node, Neg):
        return "-" + tex_negated(node.arg)
    if isinstance(node, Mul):
        return tex_product(node)
    if isinstance(node, Num) and node.value < 0:
        return "-" + tex_factor(Num(-node.value), True)
    return tex_factor(node, last=True)


def tex_negated(inner: Node) -> str:
    """What follows a minus sign."""
    if isinstance(inner, (Add, Neg)) or (isinstance(inner, Num) and inner.value < 0):
        return paren(tex(inner))
    return tex_term(inner, True)


def tex_product(node: Mul) -> str:
    out: list[str] = []
    factors = node.factors
    for n, f in enumerate(factors):
        last = n == len(factors) - 1
        text = tex_factor(f, last)
        if n > 0:
            prev = out[-1]
            needs_dot = (
                node.dot
                or text[0].isdigit()
                or text.startswith(r"\left(")
                or text.startswith(r"\frac")
                or prev.endswith(r"\right)")
                or isinstance(factors[n - 1], (Fn, Exp))
                or isinstance(f, (Num, BigInt))
            )
            out.append(r" \cdot " if needs_dot else " ")
        out.append(text)
    return "".join(out)


def tex_factor(node: Node, last: bool) -> str:
    """A factor of a product; bigops not last in the product are wrapped."""
    if isinstance(node, Num):
        v = node.value
        if v < 0:
            return paren("-" + tex_factor(Num(-v), True))
        if v.denominator == 1:
            return str(v.numerator)
        return rf"\frac{{{v.numerator}}}{{{v.denominator}}}"
    if isinstance(node, BigInt):
        sign = "+" if node.delta > 0 else "-"
        inner = f"2^{{{node.exponent}}}" + (f" {sign} {abs(node.delta)}" if node.delta else "")
        return paren(inner)
    if isinstance(node, (Var, SizeVal, IndexVal)):
        return node.name
    if isinstance(node, Entry):
        return entry_tex(node)
    if isinstance(node, Norm1):
        return NORM1_TEX[node.style % len(NORM1_TEX)].format(node.vec)
    if isinstance(node, Y):
        return f"y_{subs_tex((node.sub,), False)}"
    if isinstance(node, Loss):
        return "E"
    if isinstance(node, Delta):
        if isinstance(node.a, int) and isinstance(node.b, int):
            return rf"\delta_{{{node.a},{node.b}}}"
        return rf"\delta_{{{sub_tex(node.a)}{sub_tex(node.b)}}}"
    if isinstance(node, (Add, Neg, Mul)):
        return paren(tex(node))
    if isinstance(node, Frac):
        return tex_frac(node)
    if isinstance(node, Cases):
        return tex_cases(node)
    if isinstance(node, Decor):
        return tex_decor(node)
    if isinstance(node, Pow):
        return tex_pow(node)
    if isinstance(node, Exp):
        if node.style == "exp":
            return r"\exp" + paren(tex(node.arg))
        return "e^{" + tex(node.arg) + "}"
    if isinstance(node, Kink):
        return tex_kink(node)
    if isinstance(node, Fn):
        if node.name == "sqrt":
            return r"\sqrt{" + tex(node.arg) + "}"
        if node.name == "root3":
            return r"\sqrt[3]{" + tex(node.arg) + "}"
        return "\\" + node.name + paren(tex(node.arg))
    if isinstance(node, Sum) and node.dots and dots_ok(node):
        return paren(tex_dots(node))  # terms of their own: in parentheses inside anything
    if isinstance(node, Sum):
        text = tex_sum(node)
        return text if last else paren(text)
    if isinstance(node, MaxOver):
        text = tex_max_over(node)
        return text if last else paren(text)
    if isinstance(node, Deriv):
        text = tex_deriv(node)
        return text if (last or node.style == "frac") else paren(text)
    if isinstance(node, SquareOf):
        return r"\det(P)" if not node.at else f"(P^{{-1}})_{{{node.at[0]},{node.at[1]}}}"
    raise TypeError(node)


NORM1_TEX = [r"\|{0}\|_1", r"\lVert {0} \rVert_1", r"\left\| {0} \right\|_1"]
MAX_OVER_TEX = [r"\{0}_{1} {3}", r"\{0}_{{{1}}} {3}", r"\{0}_{{1 \le {1} \le {2}}} {3}"]


def tex_max_over(node: MaxOver) -> str:
    r"""``\max_k z_k``; a body other than an entry in parentheses (one factor)."""
    body = node.body
    inner = tex(body) if isinstance(body, Entry) else paren(tex(body))
    form = MAX_OVER_TEX[node.style % len(MAX_OVER_TEX)]
    return form.format(node.kind, node.var, INDEX_RANGE[node.var], inner)


KINK_TEX = {
    "max": [r"\max({0}, {1})", r"\max\{{{0}, {1}\}}"],
    "min": [r"\min({0}, {1})", r"\min\{{{0}, {1}\}}"],
    "abs": [r"\left|{0}\right|", r"\lvert {0} \rvert", r"\left\lvert {0} \right\rvert"],
    "gt": [r"\mathbb{{1}}\{{{0} > 0\}}", r"\mathbb{{1}}[{0} > 0]", r"\mathbb{{1}}_{{0 < {0}}}"],
    "ge": [
        r"\mathbb{{1}}[{0} \geq 0]",
        r"\mathbb{{1}}\{{{0} \ge 0\}}",
        r"\mathbf{{1}}\{{0 \le {0}\}}",
    ],
    "cases": [
        r"\begin{{cases}} {1} & {0} > 0 \\ {2} & \text{{otherwise}} \end{{cases}}",
        r"\begin{{cases}} {1} & \text{{if }} {0} > 0 \\ {2} & \text{{if }} {0} \le 0 \end{{cases}}",
        r"\begin{{cases}} {2} & {0} \leq 0 \\ {1} & {0} > 0 \end{{cases}}",
    ],
}


def tex_kink(node: Kink) -> str:
    """A max, min, absolute value or indicator in one of its spellings."""
    forms = KINK_TEX[node.kind]
    return forms[node.style % len(forms)].format(*(tex(a) for a in node.args))


def tex_cases(node: Cases) -> str:
    a, b = sub_tex(node.a), sub_tex(node.b)
    first, second = node.order.split("-")
    rows = {
        "eq": (node.same, rf"\text{{if }} {a} = {b}"),
        "neq": (node.other, rf"{a} \neq {b}"),
        "otherwise": (node.other if first == "eq" else node.same, r"\text{otherwise}"),
    }
    body = r" \\ ".join(f"{tex(rows[r][0])} & {rows[r][1]}" for r in (first, second))
    return r"\begin{cases} " + body + r" \end{cases}"


def tex_frac(node: Frac) -> str:
    r"""A quotient in its style; ``{a \over b}`` is a brace group of its own."""
    if node.style == "over":
        return rf"{{{tex(node.num)} \over {tex(node.den)}}}"
    command = r"\cfrac" if node.style == "cfrac" else r"\frac"
    return rf"{command}{{{tex(node.num)}}}{{{tex(node.den)}}}"


DECORATIONS = {
    "boxed": r"\boxed{{{}}}",
    "color": r"\color{{red}}{{{}}}",
    "switch": r"{{\color{{blue}} {}}}",
    "underbrace": r"\underbrace{{{}}}_{{\text{{this part}}}}",
    "space": r"{{\, {} \!}}",
}


def tex_decor(node: Decor) -> str:
    """The argument as a brace group, decorated."""
    return DECORATIONS[node.kind].format(tex(node.arg))


def tex_pow(node: Pow) -> str:
    base = node.base
    if isinstance(base, (Var, Entry, Y, SizeVal, IndexVal)) or (
        isinstance(base, Num) and base.value.denominator == 1 and base.value > 0
    ):
        b = tex_factor(base, True)
    else:
        b = paren(tex(base))
    e = node.exp
    if e.denominator == 1:
        ex = str(e.numerator)
    elif node.style == "frac":
        ex = ("-" if e < 0 else "") + rf"\frac{{{abs(e.numerator)}}}{{{e.denominator}}}"
    else:
        ex = f"{e.numerator}/{e.denominator}"
    return f"{b}^{{{ex}}}"


def tex_sum(node: Sum) -> str:
    if isinstance(node, Prod):
        return tex_prod(node)
    if node.letter and letter_ok(node):
        lo = node.lo.tex() if node.lo is not None else "1"
        hi = node.hi.tex() if node.hi is not None else INDEX_RANGE[node.var]
        head = rf"\sum_{{{node.letter}={lo}}}^{{{hi}}}"
        return head + " " + term_tex(substitute(node.body, {node.var: node.letter}))
    if node.neq is not None:
        head = rf"\sum_{{{node.var} \neq {sub_tex(node.neq)}}}"
    elif node.lo is None:
        head = rf"\sum_{node.var}"
    else:
        assert node.hi is not None
        head = rf"\sum_{{{node.var}={node.lo.tex()}}}^{{{node.hi.tex()}}}"
    return head + " " + term_tex(node.body)


def tex_prod(node: Prod) -> str:
    r"""``\prod_{k=1}^{K} …``, ``\prod_k …``, ``\prod_{k \neq j} …``."""
    if node.neq is not None:
        head = rf"\prod_{{{node.var} \neq {sub_tex(node.neq)}}}"
    elif node.lo is None:
        head = rf"\prod_{node.var}"
    else:
        assert node.hi is not None
        head = rf"\prod_{{{node.var}={node.lo.tex()}}}^{{{node.hi.tex()}}}"
    if isinstance(node.body, Mul):  # `\prod_k t_1 z_k` is refused: whose factor is t_1?
        return head + " " + paren(tex(node.body))
    return head + " " + term_tex(node.body)


def tex_dots(node: Sum) -> str:
    r"""``f(1) + \dots + f(K)`` (with ``f(2)`` too for a ``…2`` style): see :func:`dots_ok`.

    Each term is the body with the index written as the number or size (a string, so
    that subscripts keep the letter's layout: ``w_{1j}`` and ``w_{Kj}`` alike).
    """
    hi = node.hi.tex() if node.hi is not None else INDEX_RANGE[node.var]
    command = node.dots.rstrip("2")
    values = ["1", "2"] if node.dots.endswith("2") else ["1"]
    terms = [term_tex(substitute(node.body, {node.var: v})) for v in values]
    return " + ".join([*terms, "\\" + command, term_tex(substitute(node.body, {node.var: hi}))])


def term_tex(node: Node) -> str:
    """A term of a sum written out, parenthesized unless it is one term."""
    if isinstance(node, (Add, Neg)) or (isinstance(node, Num) and node.value < 0):
        return paren(tex(node))
    return tex_term(node, True)


def dots_ok(node: Sum) -> bool:
    """Tell whether the sum may be written with an ellipsis.

    It runs over 1..size or 1..n (n ≥ 2), and its index occurs only in subscripts
    (``z_k``, ``y_k``, ``w_{nk}``, ``δ_kj`` with a letter for the other index).
    """
    size = INDEX_RANGE[node.var]
    if isinstance(node, Prod) or any(has_shift(n) for n in walk(node.body)):
        return False
    if node.neq is not None or node.letter or node.var not in free_indices(node.body):
        return False
    if node.lo is not None and (node.lo != Bound(None, 1) or node.hi is None):
        return False
    if node.hi is not None and node.hi != Bound(size):
        if node.hi.base is not None or node.hi.offset < 2:
            return False
    for n in walk(node.body):
        if node.var not in letters_of(n) or isinstance(n, (Y, Entry)):
            continue
        if isinstance(n, Delta) and isinstance(n.a, str) and isinstance(n.b, str) and n.a != n.b:
            continue  # δ_{1j} … δ_{Kj}; not δ_{13} (thirteen?) nor δ_{11}
        return False
    return True


def has_shift(node: Node) -> bool:
    """An entry with arithmetic in a subscript (``b_{k+1}``)."""
    return isinstance(node, Entry) and any(isinstance(s, Shift) for s in node.subs)


def second_ok(node: Sum) -> bool:
    """A second term may be written before the ellipsis: the last is a size or at least 3."""
    return node.hi is None or node.hi.base is not None or node.hi.offset >= 3


def letter_ok(node: Sum) -> bool:
    """The sum may bind an undeclared letter: its upper limit is its size (or none given)."""
    if node.neq is not None or node.dots or isinstance(node, Prod):
        return False
    return node.hi is None or node.hi == Bound(INDEX_RANGE[node.var])


def var_tex(var: Entry | Var) -> str:
    return entry_tex(var) if isinstance(var, Entry) else var.name


def tex_second(node: Deriv, outer: Entry | Var) -> str:
    r"""``\frac{\partial^2 f}{\partial x \partial z_j}``, ``\frac{d^2}{dx^2} (…)``: one fraction."""
    mark = "d" if node.style == "d" else r"\partial"
    inner, top = var_tex(node.wrt), var_tex(outer)
    if node.wrt == outer:
        below = f"{mark} {inner}^2"
    else:
        below = f"{mark} {top} {mark} {inner}"
    if node.style == "frac":
        body = tex(node.body)
        if not (is_atom(node.body) or isinstance(node.body, Fn)):
            body = paren(body)
        return rf"\frac{{{mark}^2 {body}}}{{{below}}}"
    return rf"\frac{{{mark}^2}}{{{below}}} " + paren(tex(node.body))


def tex_deriv(node: Deriv) -> str:
    if node.outer is not None:
        return tex_second(node, node.outer)
    wrt = node.wrt
    var = entry_tex(wrt) if isinstance(wrt, Entry) else wrt.name
    body = node.body
    if node.style == "frac":
        inner = tex(body)
        if not (is_atom(body) or isinstance(body, Fn)):
            inner = paren(inner)
        return rf"\frac{{\partial {inner}}}{{\partial {var}}}"
    if node.style == "d":
        head = rf"\frac{{d}}{{d{var}}}"
    else:
        head = rf"\frac{{\partial}}{{\partial {var}}}"
    return head + " " + paren(tex(body))


# --------------------------------------------------------------------------- the oracle


def point_name(vec: str, idx: tuple[int, ...]) -> str:
    return vec + "_" + "_".join(map(str, idx)) if idx else vec


def in_range(vec: str, idx: tuple[int, ...], env: Mapping[str, int]) -> bool:
    sizes = VECTORS[vec]
    if len(idx) != len(sizes):
        return False
    return all(1 <= i <= env[s] for i, s in zip(idx, sizes, strict=True))


def sub_value(s: Sub, env: Mapping[str, int]) -> int:
    if isinstance(s, Shift):
        return s.value(env)
    return env[s] if isinstance(s, str) else s


def padding(vec: str, idx: tuple[int, ...], env: Mapping[str, int]) -> bool:
    """An entry of a zero-padded vector outside its range: its value is 0."""
    return vec in PADDED and not in_range(vec, idx, env)


def zero(v: Any) -> bool:
    return abs(v) <= EPS


def real_pow(b: Any, e: Fraction) -> Any:
    """``b^e`` over the reals: a root or fractional power of a negative is undefined."""
    if e.denominator == 1:
        if e < 0 and zero(b):
            raise Undefined("division by zero")
        return b ** int(e)
    if b < -EPS:
        raise Undefined("root of a negative number")
    if zero(b):
        if e > 0:
            return MP.mpf(0)
        raise Undefined("division by zero")
    return MP.power(b, MP.mpf(e.numerator) / e.denominator)


def real_ln(v: Any) -> Any:
    if v <= EPS:
        raise Undefined("ln of a non-positive number")
    return MP.log(v)


@dataclass
class Context:
    """One evaluation context: the sizes and a cache of written-out derivatives."""

    derivatives: dict[tuple[int, tuple[tuple[str, int], ...]], Any] = field(default_factory=dict)


def evaluate(node: Node, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    """The value of ``node`` (an mpf), or :class:`Undefined`."""
    return EVAL[type(node)](node, env, point, ctx)


def _num(node: Num, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.mpf(node.value.numerator) / node.value.denominator


def _big(node: BigInt, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.mpf(node.value)


def _var(node: Var, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return point[node.name]


def _size(
    node: SizeVal | IndexVal, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context
) -> Any:
    return MP.mpf(env[node.name])


def _entry(node: Entry, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    idx = tuple(sub_value(s, env) for s in node.subs)
    if padding(node.vec, idx, env):
        return MP.mpf(0)
    if not in_range(node.vec, idx, env):
        raise Undefined(f"{node.vec}{idx} is outside its range")
    return point[point_name(node.vec, idx)]


def _y(node: Y, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    s = sub_value(node.sub, env)
    if not 1 <= s <= env["K"]:
        raise Undefined(f"y_{s} is outside its range")
    total = MP.fsum(MP.exp(point[f"z_{i}"]) for i in range(1, env["K"] + 1))
    return MP.exp(point[f"z_{s}"]) / total


def _loss(node: Loss, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    total = MP.fsum(MP.exp(point[f"z_{i}"]) for i in range(1, env["K"] + 1))
    out = MP.mpf(0)
    for k in range(1, env["K"] + 1):
        out -= point[f"t_{k}"] * MP.log(MP.exp(point[f"z_{k}"]) / total)
    return out


def _delta(node: Delta, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.mpf(1 if sub_value(node.a, env) == sub_value(node.b, env) else 0)


def _cases(node: Cases, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    same = sub_value(node.a, env) == sub_value(node.b, env)
    return evaluate(node.same if same else node.other, env, point, ctx)


def _add(node: Add, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.fsum(evaluate(t, env, point, ctx) for t in node.terms)


def _mul(node: Mul, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    out = MP.mpf(1)
    for f in node.factors:
        out *= evaluate(f, env, point, ctx)
    return out


def _neg(node: Neg, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return -evaluate(node.arg, env, point, ctx)


def _decor(node: Decor, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return evaluate(node.arg, env, point, ctx)


def _frac(node: Frac, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    num = evaluate(node.num, env, point, ctx)
    den = evaluate(node.den, env, point, ctx)
    if zero(den):
        raise Undefined("division by zero")
    return num / den


def _pow(node: Pow, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return real_pow(evaluate(node.base, env, point, ctx), node.exp)


def _exp(node: Exp, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.exp(evaluate(node.arg, env, point, ctx))


def square_matrix(env: Mapping[str, int], entry: Callable[[str], Any]) -> list[list[Any]]:
    """The rows of ``P`` at this size, each entry from its point name."""
    k = env["K"]
    return [[entry(point_name("P", (a, b))) for b in range(1, k + 1)] for a in range(1, k + 1)]


def _square(node: SquareOf, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    m = MP.matrix(square_matrix(env, lambda name: point[name]))
    det = MP.det(m)
    if not node.at:
        return det  # defined everywhere, a singular P too
    if abs(det) < MP.mpf(10) ** -20 or (node.positive and det <= 0):
        raise Undefined("P is singular (or det P ≤ 0 under a log) here")
    a, b = node.at
    if not (a <= env["K"] and b <= env["K"]):
        raise Undefined("an entry of P^{-1} outside its range")
    return MP.inverse(m)[a - 1, b - 1]


def _fn(node: Fn, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    v = evaluate(node.arg, env, point, ctx)
    if node.name == "ln":
        return real_ln(v)
    if node.name == "sqrt":
        return real_pow(v, Fraction(1, 2))
    if node.name == "root3":
        return real_pow(v, Fraction(1, 3))
    return getattr(MP, node.name)(v)


def _kink(node: Kink, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    values = [evaluate(a, env, point, ctx) for a in node.args]
    return kink_value(node.kind, values)


def kink_value(kind: str, values: list[Any]) -> Any:
    """The value of a max, min, absolute value or indicator, from its arguments' values."""
    if kind == "max":
        return max(values)
    if kind == "min":
        return min(values)
    if kind == "abs":
        return abs(values[0])
    if kind == "gt":
        return MP.mpf(1 if values[0] > 0 else 0)
    if kind == "cases":
        return values[1] if values[0] > 0 else values[2]
    return MP.mpf(1 if values[0] >= 0 else 0)


def sum_range(node: Sum, env: Mapping[str, int]) -> list[int]:
    if node.lo is None or node.hi is None:
        values = range(1, env[INDEX_RANGE[node.var]] + 1)
    else:
        values = range(node.lo.value(env), node.hi.value(env) + 1)  # empty when hi < lo
    skip = sub_value(node.neq, env) if node.neq is not None else None
    return [v for v in values if v != skip]


def _sum(node: Sum, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    out = []
    inner = dict(env)
    for v in sum_range(node, env):
        inner[node.var] = v
        out.append(evaluate(node.body, inner, point, ctx))
    return MP.fsum(out) if out else MP.mpf(0)


def _prod(node: Prod, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    out = MP.mpf(1)
    inner = dict(env)
    for v in sum_range(node, env):
        inner[node.var] = v
        out *= evaluate(node.body, inner, point, ctx)
    return out


def over_range(var: str, env: Mapping[str, int]) -> list[int]:
    """The values an index takes over its whole range."""
    return list(range(1, env[INDEX_RANGE[var]] + 1))


def _max_over(node: MaxOver, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    values = [
        evaluate(node.body, {**env, node.var: v}, point, ctx) for v in over_range(node.var, env)
    ]
    if not values:
        raise Undefined("a maximum over no entries")
    return max(values) if node.kind == "max" else min(values)


def norm1_entries(node: Norm1, env: Mapping[str, int]) -> list[str]:
    """The point's names of the vector's entries."""
    return [point_name(node.vec, (v,)) for v in range(1, env[VECTORS[node.vec][0]] + 1)]


def _norm1(node: Norm1, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    return MP.fsum(abs(to_mpf(point[name])) for name in norm1_entries(node, env))


def constant_gap(node: Kink, env: Mapping[str, int]) -> bool:
    """True when the kink's gap is the number 0 as written (``|z_1 − z_1|`` is 0: no kink)."""
    try:
        args = [written(a, env) for a in node.args]
    except Undefined:
        return False
    gap = args[0] - args[1] if len(args) == 2 else args[0]
    return bool(gap == 0)


def no_kink(node: Node, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> None:
    """Raise Undefined at a kink of ``node`` (a tie, |0|, an indicator's edge, a row's edge).

    Sums and maxima over an index are looked into at each value of their index.
    """
    if isinstance(node, Written):
        no_kink(node.meaning, env, point, ctx)
        return
    if isinstance(node, Sum | MaxOver):
        values = sum_range(node, env) if isinstance(node, Sum) else over_range(node.var, env)
        if isinstance(node, MaxOver):
            terms = [evaluate(node.body, {**env, node.var: v}, point, ctx) for v in values]
            best = max(terms) if node.kind == "max" else min(terms)
            if sum(1 for t in terms if abs(t - best) < EPS) > 1:
                raise Undefined("a derivative where two entries tie")
        for v in values:
            no_kink(node.body, {**env, node.var: v}, point, ctx)
        return
    if isinstance(node, Deriv):
        return  # its own derivative checks its own kinks
    if isinstance(node, Norm1):
        if any(abs(to_mpf(point[name])) < EPS for name in norm1_entries(node, env)):
            raise Undefined("a derivative of |x| at 0")
        return
    if isinstance(node, Kink) and not constant_gap(node, env):
        values = [evaluate(a, env, point, ctx) for a in node.args]
        gap = values[0] - values[1] if len(values) == 2 else values[0]
        if abs(gap) < EPS:
            raise Undefined("a derivative at a kink")
    for child in children(node):
        no_kink(child, env, point, ctx)


def _deriv(node: Deriv, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context) -> Any:
    evaluate(node.body, env, point, ctx)  # the function must be defined at the point
    no_kink(node.body, env, point, ctx)
    key = (id(node), tuple(sorted(env.items())))
    if key not in ctx.derivatives:
        try:
            ctx.derivatives[key] = written_derivative(node, env)
        except Undefined as err:
            ctx.derivatives[key] = err
    found = ctx.derivatives[key]
    if isinstance(found, Undefined):
        raise found
    return sympy_value(found, point)


EVAL: dict[type, Callable[..., Any]] = {
    Num: _num,
    BigInt: _big,
    Var: _var,
    SizeVal: _size,
    IndexVal: _size,
    Entry: _entry,
    Y: _y,
    Loss: _loss,
    Delta: _delta,
    Cases: _cases,
    Add: _add,
    Mul: _mul,
    Neg: _neg,
    Frac: _frac,
    Decor: _decor,
    Pow: _pow,
    Kink: _kink,
    MaxOver: _max_over,
    Norm1: _norm1,
    Exp: _exp,
    Fn: _fn,
    SquareOf: _square,
    Sum: _sum,
    Prod: _prod,
    Deriv: _deriv,
    Written: lambda node, env, point, ctx: evaluate(node.meaning, env, point, ctx),
}

# ---- written out in SymPy, for derivatives


def written_derivative(node: Deriv, env: Mapping[str, int]) -> sp.Expr:
    """``sympy.diff`` of the body written out at these sizes and indices."""
    expr = sp.diff(written(node.body, env), *[variable(v, env) for v in node.variables()])
    if expr.has(sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Undefined("division by zero")
    return expr


def variable(wrt: Entry | Var, env: Mapping[str, int]) -> sp.Symbol:
    """The SymPy symbol of a variable of differentiation at these indices."""
    if isinstance(wrt, Entry):
        idx = tuple(sub_value(s, env) for s in wrt.subs)
        if not in_range(wrt.vec, idx, env):
            raise Undefined("the derivative's variable is outside its range")
        return sp.Symbol(point_name(wrt.vec, idx))
    return sp.Symbol(wrt.name)


def softmax_denominator(env: Mapping[str, int]) -> sp.Expr:
    return sp.Add(*[sp.exp(sp.Symbol(f"z_{i}")) for i in range(1, env["K"] + 1)])


def written(node: Node, env: Mapping[str, int]) -> sp.Expr:
    """The node as a SymPy expression at concrete sizes and indices, sums written out."""
    if isinstance(node, Num):
        return sp.Rational(node.value.numerator, node.value.denominator)
    if isinstance(node, BigInt):
        return sp.Integer(node.value)
    if isinstance(node, Var):
        return sp.Symbol(node.name)
    if isinstance(node, (SizeVal, IndexVal)):
        return sp.Integer(env[node.name])
    if isinstance(node, Entry):
        idx = tuple(sub_value(s, env) for s in node.subs)
        if padding(node.vec, idx, env):
            return sp.Integer(0)
        if not in_range(node.vec, idx, env):
            raise Undefined(f"{node.vec}{idx} is outside its range")
        return sp.Symbol(point_name(node.vec, idx))
    if isinstance(node, Y):
        s = sub_value(node.sub, env)
        if not 1 <= s <= env["K"]:
            raise Undefined("y outside its range")
        return sp.exp(sp.Symbol(f"z_{s}")) / softmax_denominator(env)
    if isinstance(node, Loss):
        den = softmax_denominator(env)
        return -sp.Add(
            *[
                sp.Symbol(f"t_{k}") * sp.log(sp.exp(sp.Symbol(f"z_{k}")) / den)
                for k in range(1, env["K"] + 1)
            ]
        )
    if isinstance(node, SquareOf):
        m = sp.Matrix(square_matrix(env, sp.Symbol))
        if not node.at:
            return m.det()
        if max(node.at) > env["K"]:
            raise Undefined("an entry of P^{-1} outside its range")
        return m.adjugate()[node.at[0] - 1, node.at[1] - 1] / m.det()
    if isinstance(node, Delta):
        return sp.Integer(1 if sub_value(node.a, env) == sub_value(node.b, env) else 0)
    if isinstance(node, Cases):
        same = sub_value(node.a, env) == sub_value(node.b, env)
        return written(node.same if same else node.other, env)
    if isinstance(node, Add):
        return sp.Add(*[written(t, env) for t in node.terms])
    if isinstance(node, Mul):
        return sp.Mul(*[written(f, env) for f in node.factors])
    if isinstance(node, Neg):
        return -written(node.arg, env)
    if isinstance(node, Frac):
        return written(node.num, env) * sp.Pow(written(node.den, env), -1)
    if isinstance(node, Decor):
        return written(node.arg, env)
    if isinstance(node, Pow):
        return sp.Pow(
            written(node.base, env), sp.Rational(node.exp.numerator, node.exp.denominator)
        )
    if isinstance(node, Exp):
        return sp.exp(written(node.arg, env))
    if isinstance(node, Fn):
        arg = written(node.arg, env)
        if node.name == "sqrt":
            return sp.Pow(arg, sp.Rational(1, 2))
        if node.name == "root3":
            return sp.Pow(arg, sp.Rational(1, 3))
        return {"ln": sp.log, "sin": sp.sin, "cos": sp.cos, "tanh": sp.tanh}[node.name](arg)
    if isinstance(node, Sum):
        inner = dict(env)
        terms = []
        for v in sum_range(node, env):
            inner[node.var] = v
            terms.append(written(node.body, inner))
        return sp.Mul(*terms) if isinstance(node, Prod) else sp.Add(*terms)
    if isinstance(node, Deriv):
        return written_derivative(node, env)
    if isinstance(node, Norm1):
        return sp.Add(*[sp.sqrt(sp.Symbol(name) ** 2) for name in norm1_entries(node, env)])
    if isinstance(node, MaxOver):  # pairwise, through |a − b| = √((a − b)²)
        terms = [written(node.body, {**env, node.var: v}) for v in over_range(node.var, env)]
        if not terms:
            raise Undefined("a maximum over no entries")
        best = terms[0]
        for term in terms[1:]:
            gap = sp.sqrt((best - term) ** 2)
            best = (best + term + (gap if node.kind == "max" else -gap)) / 2
        return best
    if isinstance(node, Kink):  # max and min through |a − b| = √((a − b)²): no SymPy Max
        args = [written(a, env) for a in node.args]
        if node.kind in ("max", "min"):
            gap = sp.sqrt((args[0] - args[1]) ** 2)
            return (args[0] + args[1] + (gap if node.kind == "max" else -gap)) / 2
        if node.kind == "abs":
            return sp.sqrt(args[0] ** 2)
        if node.kind == "cases":
            return sp.Piecewise((args[1], args[0] > 0), (args[2], True))
        condition = args[0] > 0 if node.kind == "gt" else args[0] >= 0
        return sp.Piecewise((1, condition), (0, True))
    raise TypeError(node)


def sympy_kink(expr: sp.Expr, point: Mapping[str, Any]) -> Any:
    """A max, min, |x|, piecewise value, or the step and sign of their derivatives."""
    if isinstance(expr, sp.Piecewise):
        for value, condition in expr.args:
            if condition is sp.true or bool(
                condition.func(sympy_value(condition.lhs - condition.rhs, point), 0)
            ):
                return sympy_value(value, point)
        raise Undefined("no branch holds")
    values = [sympy_value(a, point) for a in expr.args]
    if isinstance(expr, (sp.Heaviside, sp.sign)):
        if abs(values[0]) < EPS:
            raise Undefined("a step at its kink")
        low = 0 if isinstance(expr, sp.Heaviside) else -1
        return MP.mpf(1 if values[0] > 0 else low)
    kind = {sp.Max: "max", sp.Min: "min", sp.Abs: "abs"}[type(expr)]
    return kink_value(kind, values)


def sympy_value(expr: sp.Expr, point: Mapping[str, Any]) -> Any:
    """Evaluate a SymPy expression at the point with mpmath, undefined as in the AST."""
    if expr.is_Symbol:
        return point[expr.name]
    if expr.is_Rational:
        return MP.mpf(expr.p) / expr.q
    if expr.is_Add:
        return MP.fsum(sympy_value(a, point) for a in expr.args)
    if expr.is_Mul:
        out = MP.mpf(1)
        for a in expr.args:
            out *= sympy_value(a, point)
        return out
    if expr.is_Pow:
        base, e = expr.args
        if e.is_Rational:
            return real_pow(sympy_value(base, point), Fraction(int(e.p), int(e.q)))
        if base == sp.E:
            return MP.exp(sympy_value(e, point))
        raise TypeError(f"cannot evaluate {expr}")
    if isinstance(expr, sp.exp):
        return MP.exp(sympy_value(expr.args[0], point))
    if isinstance(expr, sp.log):
        return real_ln(sympy_value(expr.args[0], point))
    if isinstance(expr, (sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, sp.Piecewise)):
        return sympy_kink(expr, point)
    if isinstance(expr, sp.sin):
        return MP.sin(sympy_value(expr.args[0], point))
    if isinstance(expr, sp.cos):
        return MP.cos(sympy_value(expr.args[0], point))
    if isinstance(expr, sp.tanh):
        return MP.tanh(sympy_value(expr.args[0], point))
    if expr is sp.E:
        return MP.e
    if expr is sp.pi:
        return MP.pi
    if expr is sp.I:
        raise Undefined("not real")
    if expr in (sp.zoo, sp.nan, sp.oo, -sp.oo):
        raise Undefined("division by zero")
    raise TypeError(f"cannot evaluate {expr!r}")


# ---- points, assumptions, the search


def random_value(rng: random.Random, lo: int = -3, hi: int = 3) -> Fraction:
    q = rng.choice((1, 1, 2, 3, 4, 5, 7))
    return Fraction(rng.randint(lo * q, hi * q), q)


def input_names(env: Mapping[str, int]) -> list[tuple[str, tuple[int, ...]]]:
    out: list[tuple[str, tuple[int, ...]]] = [(s, ()) for s in SCALARS]
    for vec, sizes in VECTORS.items():
        for idx in itertools.product(*(range(1, env[s] + 1) for s in sizes)):
            out.append((vec, idx))
    return out


def random_point(rng: random.Random, env: Mapping[str, int]) -> dict[str, Fraction]:
    return {point_name(v, i): random_value(rng) for v, i in input_names(env)}


def impose(assume: tuple[str, ...], point: dict[str, Any], env: Mapping[str, int]) -> None:
    """Make the document's assumptions hold at the point (see HEADER in soundness_gen)."""
    if "first" in assume:
        point["t_1"] = Fraction(1)
    if "scale" in assume:
        point["a"] = Fraction(2)
    if "targets" in assume:
        last = env["K"]
        rest = sum((point[f"t_{k}"] for k in range(1, last)), Fraction(0))
        if "first" in assume and last == 1:
            point["t_1"] = Fraction(1)  # both say t_1 = 1
        else:
            point[f"t_{last}"] = 1 - rest


def assumptions_hold(
    assume: tuple[str, ...], point: Mapping[str, Any], env: Mapping[str, int]
) -> str | None:
    """Which listed assumption fails at the point (None when all hold)."""

    def close(u: Any, v: Any) -> bool:
        return abs(MP.mpf(u) - MP.mpf(v)) <= TOLERANCE

    def get(name: str) -> Any:
        v = point.get(name)
        return None if v is None else to_mpf(v)

    if "first" in assume and (get("t_1") is None or not close(get("t_1"), 1)):
        return "first"
    if "scale" in assume and (get("a") is None or not close(get("a"), 2)):
        return "scale"
    if "targets" in assume:
        values = [get(f"t_{k}") for k in range(1, env["K"] + 1)]
        if any(v is None for v in values) or not close(MP.fsum(values), 1):
            return "targets"
    return None


def to_mpf(v: Any) -> Any:
    if isinstance(v, Fraction):
        return MP.mpf(v.numerator) / v.denominator
    return v


def differ(left: Any, right: Any) -> bool:
    scale = max(MP.mpf(1), abs(left), abs(right))
    return abs(left - right) > TOLERANCE * scale


@dataclass
class Finding:
    """What the oracle found for a claim."""

    status: str  # "counterexample", "holds", "undefined" (nowhere defined)
    sizes: dict[str, int] = field(default_factory=dict)
    indices: dict[str, int] = field(default_factory=dict)
    point: dict[str, Any] = field(default_factory=dict)
    left: Any = None
    right: Any = None
    defined: int = 0

    def describe(self) -> str:
        """One line for a report."""
        if self.status != "counterexample":
            return f"{self.status} ({self.defined} defined points)"
        used = ", ".join(f"{k}={v}" for k, v in {**self.sizes, **self.indices}.items())
        pt = ", ".join(f"{k}={v}" for k, v in self.point.items())
        return f"at {used}; {pt}: left {MP.nstr(self.left, 12)}, right {MP.nstr(self.right, 12)}"


def where_ok(claim: Claim, indices: Mapping[str, int]) -> bool:
    return all(sub_value(a, indices) != sub_value(b, indices) for a, b in claim.where)


def sides_at(
    claim: Claim, env: Mapping[str, int], point: Mapping[str, Any], ctx: Context
) -> tuple[Any, Any]:
    """Both sides' values at the point (raises Undefined when either is undefined)."""
    values = {k: to_mpf(v) for k, v in point.items()}
    return (evaluate(claim.lhs, env, values, ctx), evaluate(claim.rhs, env, values, ctx))


def search(claim: Claim, rng: random.Random, max_size: int = 4, points: int = 12) -> Finding:
    """Look for a counterexample at sizes 1..max_size, every index assignment, random points.

    ``points`` is the number of points tried in all at a combination-less claim; each
    combination of sizes and indices gets at least two.
    """
    sizes = sizes_touched(claim)
    free = claim_free(claim)
    combos = []
    for values in itertools.product(range(1, max_size + 1), repeat=len(sizes)):
        env = dict.fromkeys(SIZES, 1)
        env.update(zip(sizes, values, strict=True))
        ranges = [range(1, env[INDEX_RANGE[f]] + 1) for f in free]
        for idx in itertools.product(*ranges):
            indices = dict(zip(free, idx, strict=True))
            if where_ok(claim, indices):
                combos.append((env, indices))
    per = max(2, -(-points // max(1, len(combos))))
    ctx = Context()
    defined = 0
    for env, indices in combos:
        full = {**env, **indices}
        for _ in range(per):
            point = random_point(rng, env)
            impose(claim.assume, point, env)
            try:
                left, right = sides_at(claim, full, point, ctx)
            except Undefined:
                continue
            defined += 1
            if differ(left, right):
                shown = {k: v for k, v in point.items() if k in used_inputs(claim, full)}
                return Finding(
                    "counterexample",
                    {s: env[s] for s in sizes},
                    indices,
                    shown,
                    left,
                    right,
                    defined,
                )
    return Finding("holds" if defined else "undefined", defined=defined)


def used_inputs(claim: Claim, env: Mapping[str, int]) -> set[str]:
    """Input names at these sizes the claim could touch (for showing a point)."""
    names = set(SCALARS)
    for v, i in input_names(env):
        names.add(point_name(v, i))
    mentioned = set()
    for side in (claim.lhs, claim.rhs):
        for node in walk(side):
            if isinstance(node, Var):
                mentioned.add(node.name)
            elif isinstance(node, (Entry, Norm1)):
                mentioned.add(node.vec)
            elif isinstance(node, Deriv):
                for wrt in node.variables():
                    mentioned.add(wrt.vec if isinstance(wrt, Entry) else wrt.name)
            elif isinstance(node, (Y, Loss)):
                mentioned.add("z")
                if isinstance(node, Loss):
                    mentioned.add("t")
    if "targets" in claim.assume or "first" in claim.assume:
        mentioned.add("t")
    return {n for n in names if n.split("_")[0] in mentioned}
