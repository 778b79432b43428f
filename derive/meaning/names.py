r"""Every name's type: how many subscripts it takes and the size of each axis.

A defined name gets its type from its definition's head (``y_k``: one axis, over
``k``'s size); a name under ``[shapes]`` from its shape; any other name from its first
use, in the order definitions, assumptions, claims. Every use must then agree:

- the same number of subscripts each time, and a subscripted name never written bare
  (a bare ``w`` beside ``w_i`` would be a second, unrelated variable);
- each subscript an index over that axis's size (``t_{nk}`` with ``n`` over ``N`` makes
  ``t``'s first axis ``N``, so ``t_{jk}`` with ``j`` over ``K`` is refused);
- a sum over ``k`` runs at most to ``k``'s size (``K``, ``K − 1``, an index over ``K``
  or a number), never to another size.

A literal subscript (``z_3``) says nothing about the axis; where the claim holds only
from a size on, the prover finds that out.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

import sympy as sp

from derive import symbols
from derive.errors import Position
from derive.meaning import reach
from derive.model import Document


@dataclass(frozen=True)
class Mistake:
    """A use that contradicts a name's type: what to say, and the value to point at."""

    message: str
    at: sp.Basic  # the offending use (an element, a name, or Tuple(k, upper) for a sum)
    # the text (and its place) the use was written in, when not the one being checked:
    # `x_{i+k-1}` in an earlier claim, refused once a later use gives x's size
    source: tuple[str, Position] | None = None


@dataclass
class Type:
    """A name's subscripts: one size name per axis (``None`` while unknown)."""

    axes: list[str | None]
    first: str  # how it was first written, for messages
    fixed: bool = False  # from a definition or a shape: the uses must follow it


@dataclass
class Names:
    """The types of a document's names, built up use by use."""

    doc: Document
    types: dict[str, Type] = field(default_factory=dict)
    bound: tuple[sp.Basic, ...] = ()  # the indices the sums around a use bind
    free_in: dict[str, frozenset[sp.Symbol]] = field(default_factory=dict)
    # undeclared indices a sum binds, with the size their upper limit names: `Σ_{c=1}^{K}`
    over: dict[str, str] = field(default_factory=dict)
    # the limits of the sums around a use, for the reach of `x_{i+k-1}`
    spans: dict[sp.Symbol, tuple[sp.Expr, sp.Expr]] = field(default_factory=dict)
    # affine uses met before their axis was known: checked when it becomes known
    pending: list[reach.Pending] = field(default_factory=list)
    source: tuple[str, Position] | None = None  # the text being checked, for `pending`

    def __post_init__(self) -> None:
        """Types fixed by ``[shapes]`` and by definitions' heads."""
        doc = self.doc
        for name, (rows, cols) in doc.shapes.items():
            axes = [d for d in (rows, cols) if d != "1"]
            self.types[name] = Type(list(axes), f"{name} ({rows} x {cols})", True)
        for name, definition in doc.definitions.items():
            params = definition.params
            if not params or not all(is_index(p) for p in params):
                continue  # a scalar, a matrix, or a function of vectors and scalars
            sizes: list[str | None] = [doc.indices.get(str(p)) for p in params]
            head = f"{name}_{{{''.join(str(p) for p in params)}}}"
            known = self.types.get(name)
            if known is not None and known.fixed and len(known.axes) != len(sizes):
                continue  # the shape and the head disagree: reported as a use
            self.types[name] = Type(sizes, head, True)

    # -- walking an expression ---------------------------------------------------------
    def check(self, expr: sp.Basic) -> Mistake | None:
        """The first use in ``expr`` that contradicts the types (which it extends)."""
        for mistake in self.walk(expr):
            return mistake
        return None

    def walk(self, node: sp.Basic) -> Iterator[Mistake]:
        """Check every use in ``node``, recording the types of new names."""
        found = self.implicit(node)
        if found is not None:
            yield found
            return
        if isinstance(node, sp.Sum | sp.Product):
            saved, outer, spans = self.bound, dict(self.over), dict(self.spans)
            # first the ranges of undeclared indices: SymPy writes Σ_{c=1}^{K} Σ_{i=1}^{c}
            # as one sum whose limits are (i, 1, c), (c, 1, K)
            for var, _, upper in node.limits:
                if var.name not in self.doc.indices and str(upper) in self.doc.sizes:
                    self.over[var.name] = str(upper)
            try:
                for var, _, upper in node.limits:
                    mistake = self.limit(var, upper)
                    if mistake is not None:
                        yield mistake
                self.bound = (*saved, *(lim[0] for lim in node.limits))
                self.spans.update({var: (lo, hi) for var, lo, hi in node.limits})
                yield from self.walk(node.function)
            finally:
                self.bound, self.over, self.spans = saved, outer, spans
            for _, lower, upper in node.limits:
                yield from self.walk(lower)
                yield from self.walk(upper)
            return
        if isinstance(node, sp.Indexed):
            yield from self.element(node)
            return
        if isinstance(node, sp.Symbol):
            yield from self.bare(node)
            return
        if isinstance(node, symbols.VectorView):
            yield from self.view(node)
            return
        if isinstance(node, sp.IndexedBase):
            return  # a whole vector, as a function's argument
        if isinstance(node, sp.Derivative):
            for var in node.variables:
                yield from self.walk(var)
        for arg in node.args:
            if isinstance(arg, sp.Basic) and not isinstance(arg, type):
                yield from self.walk(arg)

    def implicit(self, node: sp.Basic) -> Mistake | None:
        """A defined name that leaves an index free, used inside a sum over that index.

        ``p = e^{z_i}/Σ_k e^{z_k}`` means the entry of the claim's free ``i``; inside
        ``Σ_i`` it is not clear whether the sum's ``i`` is meant.
        """
        if not self.bound:
            return None
        name = symbols.base_name(node) if not isinstance(node, sp.Derivative) else None
        if name is None or name not in self.doc.definitions:
            return None
        clash = sorted(str(i) for i in self.leaves_free(name) if i in self.bound)
        if not clash:
            return None
        i = clash[0]
        return Mistake(
            f"`{name}` leaves the index `{i}` free (its definition uses `{i}`, which is not "
            f"among its subscripts), and here a sum binds `{i}`: give `{name}` the "
            f"subscript `{i}` in its definition, or sum over another index",
            node,
        )

    def leaves_free(self, name: str, seen: frozenset[str] = frozenset()) -> frozenset[sp.Symbol]:
        """The indices a definition uses but does not bind, through other definitions too."""
        found = self.free_in.get(name)
        if found is not None:
            return found
        definition = self.doc.definitions[name]
        own: set[sp.Basic] = set()
        for param in definition.params:  # `s(z_i)` binds `i`, as `y_k` binds `k`
            own |= param.free_symbols if isinstance(param, sp.Basic) else set()
        body = definition.body
        out: set[sp.Symbol] = set()
        if not isinstance(body, sp.MatrixExpr):
            out = {
                s
                for s in body.free_symbols
                if isinstance(s, sp.Symbol) and s.is_integer and s.name in self.doc.indices
            }
        for other in uses(body):
            if other in self.doc.definitions and other not in seen and other != name:
                out |= self.leaves_free(other, seen | {name})
        self.free_in[name] = frozenset(out - own)
        return self.free_in[name]

    def element(self, node: sp.Indexed) -> Iterator[Mistake]:
        """``t_{nk}``: as many subscripts as ``t`` takes, each over its axis's size."""
        name = symbols.base_name(node) or str(node.base.label)
        indices = list(node.indices)
        written = shown(node)
        known = self.types.get(name)
        if known is None:
            self.types[name] = Type([self.size_of(i) for i in indices], written)
            self.pending += reach.unsized(self, node)
            return
        if len(indices) != len(known.axes):
            yield Mistake(
                f"`{written}` has {count(len(indices))}, but `{name}` takes "
                f"{count(len(known.axes))} (as in `{known.first}`)"
                + (": write it as in its definition or shape" if known.fixed else ""),
                node,
            )
            return
        for n, index in enumerate(indices):
            size = self.size_of(index)
            if size is None and reach.is_affine(index):
                found = reach.check(self, node, index, known.axes[n])
                if known.axes[n] is None:
                    self.pending.append(reach.Pending(node, n, index, dict(self.spans)))
                if found is not None:
                    yield found
                continue  # `x_{i+k-1}`: says nothing about the axis
            if size is None:
                found = self.literal(node, written, n, index, known.axes[n])
                if found is not None:
                    yield found
                continue  # a number: fine, if the size is large enough
            axis = known.axes[n]
            if axis is None:
                known.axes[n] = size
                yield from reach.settled(self, name, n, size)
            elif axis != size:
                yield Mistake(
                    f"in `{written}`, `{index}` ranges over {size}, but subscript "
                    f"{n + 1} of `{name}` ranges over {axis} (as in `{known.first}`): "
                    f"use an index over {axis}",
                    node,
                )

    def literal(
        self, node: sp.Indexed, written: str, n: int, index: sp.Basic, axis: str | None
    ) -> Mistake | None:
        """A number as a subscript: from 1, and within a size the document fixes."""
        if not isinstance(index, sp.Integer):
            return None
        if index < 1:
            return Mistake(f"in `{written}`, subscripts count from 1, not {index}", node)
        if axis is not None and axis in self.doc.fixed and index > self.doc.fixed[axis]:
            return Mistake(
                f"in `{written}`, subscript {n + 1} is {index}, but it ranges over {axis} "
                f"= {self.doc.fixed[axis]}",
                node,
            )
        return None

    def bare(self, node: sp.Symbol) -> Iterator[Mistake]:
        """A name without subscripts: not one that has entries."""
        name = node.name
        if node.is_integer or name in self.doc.sizes:
            return
        known = self.types.get(name)
        if known is None:
            if name not in self.doc.definitions and name not in self.doc.functions:
                self.types[name] = Type([], name)
            return
        if known.axes and name not in self.doc.shapes:
            yield Mistake(
                f"`{name}` has entries (as in `{known.first}`): a bare `{name}` would be "
                f"another, unrelated variable; write an entry such as `{known.first}`, or "
                f"declare `{name}` under [shapes] to use it whole",
                node,
            )

    def view(self, node: symbols.VectorView) -> Iterator[Mistake]:
        r"""``{}^r \mathbf{z}``: ``z`` takes the prefix's indices and one more."""
        name = symbols.base_name(node.base) or ""
        known = self.types.get(name)
        wanted = len(node.prefix) + 1
        if known is None:
            self.types[name] = Type([*(self.size_of(i) for i in node.prefix), None], name)
        elif len(known.axes) != wanted:
            yield Mistake(
                f"`{name}` is used with {count(wanted)} here, but takes "
                f"{count(len(known.axes))} (as in `{known.first}`)",
                node,
            )

    def limit(self, var: sp.Symbol, upper: sp.Expr) -> Mistake | None:
        """A sum over ``k`` runs to ``k``'s size at most (a sum derive wrote is not checked)."""
        if isinstance(var, sp.Dummy):  # `tr(A)`, `\|W\|_F`: bound by the reader, not written
            return None
        size = self.doc.indices.get(var.name)
        if size is None:
            return None
        if size in self.doc.fixed:
            fixed = self.doc.fixed[size]
            if not upper.is_Integer or upper <= fixed:
                return None
            return Mistake(
                f"the sum over `{var}` runs to {upper}, but `{var}` ranges over {size} = "
                f"{fixed}: sum to {size} at most",
                sp.Tuple(var, upper),
            )
        top = symbols.size(size)
        const, rest = upper.as_coeff_Add()
        within = (
            upper.is_Integer
            or reach.at_most(upper - top)
            or (rest == top and const <= 0)
            or (
                isinstance(rest, sp.Symbol)
                and rest.is_integer
                and self.size_of(rest) == size  # a declared index, or one a sum binds
                and const <= 0
            )
        )
        if within:
            return None
        return Mistake(
            f"the sum over `{var}` runs to `{upper}`, but `{var}` ranges over {size}: sum "
            f"over an index of the right size (declare one under [indices])",
            sp.Tuple(var, upper),
        )

    def size_of(self, index: sp.Basic) -> str | None:
        """The size an index ranges over (a size written as an index is that size)."""
        if isinstance(index, sp.Symbol):
            if index.name in self.doc.indices:
                return self.doc.indices[index.name]
            if index.name in self.over:
                return self.over[index.name]
            if index.name in self.doc.sizes:
                return index.name
        return None


def uses(node: sp.Basic) -> set[str]:
    """The names written in ``node``."""
    found: set[str] = set()
    todo = [node]
    while todo:
        here = todo.pop()
        if isinstance(here, type) or not isinstance(here, sp.Basic):
            continue
        name = symbols.base_name(here) if not isinstance(here, sp.Derivative) else None
        if name is not None:
            found.add(name.rstrip("'"))
        if isinstance(here, sp.MatrixSymbol):
            found.add(str(here.name))
        todo.extend(here.args)
    return found


def is_index(param: sp.Basic) -> bool:
    """True for an index symbol."""
    return isinstance(param, sp.Symbol) and bool(param.is_integer)


def count(n: int) -> str:
    """``no subscript``, ``one subscript``, ``2 subscripts``."""
    return {0: "no subscript", 1: "one subscript"}.get(n, f"{n} subscripts")


def shown(node: sp.Indexed) -> str:
    """``t_{jk}`` as written, near enough."""
    name = symbols.base_name(node) or str(node.base.label)
    inside = "".join(str(i) for i in node.indices)
    return f"{name}_{inside}" if len(inside) == 1 else f"{name}_{{{inside}}}"


def as_mapping(names: Names) -> Mapping[str, tuple[str | None, ...]]:
    """The axes of every name, for the evaluators' range checks."""
    return {name: tuple(t.axes) for name, t in names.types.items()}
