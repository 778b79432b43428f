r"""The claim as written, evaluated at concrete sizes, indices and input values.

This interpreter is derive's second opinion. It reads the trees the LaTeX reader built
(the claim and the document's definitions as they stand) and evaluates them directly:

- a defined name is evaluated from its definition, with its subscripts bound to their
  values (an environment, never a substitution, so no bound index can be captured);
- a sum or product is a loop over its range; an empty range gives 0 (or 1);
- a derivative is exact, by forward mode (:mod:`derive.evaluating.jets`): the
  variable gets an infinitesimal of its own; a derivative with respect to a *defined*
  quantity (``∂E/∂y_k``) holds that quantity as the variable, as the chain rule means;
- a matrix expression is evaluated as a matrix, entry by entry;
- an unspecified function (``\text{act}``, a loss ``C(\mathbf{z})``) is given a
  stand-in (:class:`StandIns`), the same on both sides.

It shares no code with the normal form, the matrix lowering, the symbolic calculus or
the modular evaluator: where those disagree with it, one of them has a bug.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from functools import partial
from typing import Any

import sympy as sp

from derive import symbols
from derive.evaluating import functions as fn
from derive.evaluating import matrices
from derive.evaluating.handlers import HANDLERS, UNARY
from derive.evaluating.jets import Undefined as Undefined  # re-exported
from derive.evaluating.jets import Value, add, infinitesimal, part, real
from derive.evaluating.matrices import entry_at, map_values
from derive.evaluating.points import (
    Key,
    NotEvaluable,
    NotReal,
    OutOfRange,
    Over,
    Point,
    Requirement,
    StandIns,
    Vec,
)
from derive.meaning import axes_of
from derive.model import Document, FunctionDecl

Seed = tuple[str, tuple[int, ...], int]  # a variable being differentiated: name, indices, tag


class Interpreter:
    """Evaluate trees of one document at given sizes, inputs and stand-ins."""

    def __init__(
        self,
        doc: Document,
        sizes: Mapping[str, int],
        point: Point,
        stand_ins: StandIns,
        ctx: Any,
    ) -> None:
        """``sizes`` gives every size of the document a value (fixed sizes included)."""
        self.doc = doc
        self.point = point
        self.stand_ins = stand_ins
        self.ctx = ctx
        self.sizes = {**dict(sizes), **dict(doc.fixed)}
        self.top: dict[sp.Basic, Any] = {}  # the claim's free indices, for definitions
        self.base: dict[sp.Symbol, int] = {symbols.size(n): v for n, v in self.sizes.items()}
        self.seeds: tuple[Seed, ...] = ()
        self.memo: dict[tuple[Any, ...], Any] = {}
        self.frees: dict[sp.Basic, frozenset[sp.Symbol]] = {}
        self.zero, self.one = ctx.mpf(0), ctx.mpf(1)
        self._gradients: dict[str, tuple[str, str]] | None = None
        self.axes = axes_of(doc)  # the size of each axis of the inputs

    # -- the dispatch ---------------------------------------------------------------
    def value(self, node: sp.Basic, env: Mapping[sp.Basic, Any]) -> Any:
        """The value of ``node`` (a number, a jet or a matrix) under ``env``."""
        bound = tuple((s, env[s]) for s in self.free(node) if s in env)
        key = (node, bound, self.seeds)
        found = self.memo.get(key)
        if found is None:
            found = self.compute(node, env)
            self.memo[key] = found
        return found

    def compute(self, node: sp.Basic, env: Mapping[sp.Basic, Any]) -> Any:
        """Evaluate one node (not memoised)."""
        if isinstance(node, sp.MatrixExpr):
            return matrices.matrix(self, node, env)
        if isinstance(node, symbols.NonReal):
            raise NotReal(f"{node.written} is not a real number")
        if node.is_Rational:
            return self.ctx.mpf(int(node.p)) / int(node.q)
        if isinstance(node, sp.Float):
            return self.ctx.mpf(str(node))
        if node is sp.E:
            return self.ctx.e
        if node is sp.pi:
            return self.ctx.pi
        if node is sp.I or (node.is_Number and not node.is_extended_real):
            raise NotReal(f"{node} is not a real number")
        if node.is_Number or isinstance(node, sp.NumberSymbol):
            raise Undefined(f"{node} is not a real number derive evaluates")
        handler = HANDLERS.get(type(node)) or next(
            (h for t, h in HANDLERS.items() if isinstance(node, t)), None
        )
        if handler is not None:
            return handler(self, node, env)
        if isinstance(node, sp.core.function.AppliedUndef) or symbols.is_undefined(node):
            return self.application(node, env)
        raise NotEvaluable(f"cannot evaluate {type(node).__name__}")

    def free(self, node: sp.Basic) -> frozenset[sp.Symbol]:
        """Symbols whose binding may change ``node``'s value (bound ones removed)."""
        found = self.frees.get(node)
        if found is not None:
            return found
        if isinstance(node, sp.Symbol):
            found = frozenset({node})
        elif isinstance(node, sp.IndexedBase):
            found = frozenset({node.label})
        elif isinstance(node, sp.Sum | sp.Product | symbols.Extremum):
            inner = self.free(node.function)
            bound = {lim[0] for lim in node.limits}
            found = frozenset(inner - bound).union(
                *(self.free(lim[1]) | self.free(lim[2]) for lim in node.limits)
            )
        else:
            found = frozenset().union(*(self.free(a) for a in node.args if isinstance(a, sp.Basic)))
        self.frees[node] = found
        return found

    # -- indices ----------------------------------------------------------------------
    def integer(self, node: sp.Basic, env: Mapping[sp.Basic, Any]) -> int:
        """The value of an index expression (``k``, ``K − 1``, ``3``) as an integer."""
        if node.is_Integer:
            return int(node)
        if isinstance(node, sp.Symbol):
            value = env.get(node, self.base.get(node))
            if isinstance(value, int):
                return value
            raise NotEvaluable(f"the index {node} has no value here")
        if isinstance(node, sp.Add):
            return sum(self.integer(a, env) for a in node.args)
        if isinstance(node, sp.Mul):
            out = 1
            for a in node.args:
                out *= self.integer(a, env)
            return out
        if isinstance(node, sp.KroneckerDelta):  # the exponent of `∏_{k ≠ j}`: a_k^{1 − δ_kj}
            first, second = (self.integer(a, env) for a in node.args)
            return int(first == second)
        raise NotEvaluable(f"{node} is not an integer expression")

    def size_of_index(self, index: sp.Symbol) -> int:
        """The number of values of a declared index (its size's value)."""
        size = self.doc.indices.get(index.name)
        if size is None or size not in self.sizes:
            raise NotEvaluable(f"{index} is not a declared index")
        return self.sizes[size]

    # -- names ------------------------------------------------------------------------
    def symbol(self, node: sp.Symbol, env: Mapping[sp.Basic, Any]) -> Any:
        """A bound index or parameter, a size, a defined scalar, a loss, or an input."""
        if node in env or node in self.base:
            bound = env.get(node, self.base.get(node))
            if isinstance(bound, int):
                return self.ctx.mpf(bound)
            if isinstance(bound, Vec):
                raise NotEvaluable(f"the vector {node} is used as a number")
            return bound
        name = node.name
        if node.is_integer:
            raise NotEvaluable(f"the index {name} has no value here")
        decl = self.doc.functions.get(name)
        if decl is not None and decl.opaque and name not in self.doc.definitions:
            return self.opaque(decl)
        return self.element(name, ())

    def indexed(self, node: sp.Indexed, env: Mapping[sp.Basic, Any]) -> Any:
        """An element: of a vector passed to a function, of a defined name, or an input."""
        ints = tuple(self.integer(i, env) for i in node.indices)
        label = node.base.label
        bound = env.get(label)
        if isinstance(bound, Vec):
            return self.element(bound.label, bound.prefix + ints)
        return self.element(symbols.base_name(node) or str(label), ints)

    def element(self, name: str, ints: tuple[int, ...]) -> Any:
        """The value of ``name`` at ``ints``, with the infinitesimals of derivatives."""
        if self.padding(name, ints):
            return self.zero  # a zero-padded input outside its range
        if any(i < 1 for i in ints):
            raise OutOfRange(f"{name}{list(ints)}: an index is below 1")
        seeds = [tag for n, at, tag in self.seeds if n == name and at == ints]
        gradient = self.gradients().get(name)
        if gradient is not None:  # ∂C/∂z_{rk} of a loss C(z): the derivative itself
            function, label = gradient
            return self.differentiate(sp.Symbol(function), [(label, ints)], dict(self.top))
        if name in self.doc.definitions:
            if any(n == name for n, _, _ in self.seeds):
                with self.holding(name):
                    value = self.defined(name, ints)
            else:
                value = self.defined(name, ints)
        else:
            for at, axis in zip(ints, self.axes.get(name, ()), strict=False):
                if axis is not None and axis in self.sizes and at > self.sizes[axis]:
                    raise OutOfRange(f"{name}{list(ints)}: {at} is past its size {axis}")
            value = self.point.value((name, ints))
        for tag in seeds:
            value = add(value, infinitesimal(tag, self.zero, self.one))
        return value

    def padding(self, name: str, ints: tuple[int, ...]) -> bool:
        """True for an entry of a zero-padded input (``[padding]``) outside its axes."""
        if name not in self.doc.padded or name in self.doc.definitions:
            return False
        axes = self.axes.get(name, ())
        return any(
            at < 1 or (axis is not None and axis in self.sizes and at > self.sizes[axis])
            for at, axis in zip(ints, axes, strict=False)
        )

    def gradients(self) -> dict[str, tuple[str, str]]:
        """The names of the gradients of the document's losses: ``∂C/∂z`` → (C, z)."""
        found = self._gradients
        if found is None:
            found = {}
            for decl in self.doc.functions.values():
                if decl.opaque:
                    (argument,) = decl.params
                    label = symbols.base_name(argument) or ""
                    name = symbols.base_name(symbols.gradient_base(decl.name, label)) or ""
                    found[name] = (decl.name, label)
            self._gradients = found
        return found

    @contextmanager
    def holding(self, name: str) -> Iterator[None]:
        """Evaluate a held name's own definition: its derivatives' seeds set aside."""
        saved = self.seeds
        self.seeds = tuple(s for s in saved if s[0] != name)
        try:
            yield
        finally:
            self.seeds = saved

    def defined(self, name: str, ints: tuple[int, ...]) -> Any:
        """A defined name at ``ints``: its body, with its subscripts bound."""
        definition = self.doc.definitions[name]
        body = definition.body
        if isinstance(body, sp.MatrixExpr):
            matrix = self.value(body, dict(self.top))
            return entry_at(matrix, ints, name)
        params = definition.params
        if len(params) != len(ints) or not all(is_index(p) for p in params):
            raise NotEvaluable(
                f"`{name}` is defined with {len(params)} subscript(s), used with {len(ints)}"
            )
        env: dict[sp.Basic, Any] = dict(self.top)  # an index a definition does not bind
        for param, at in zip(params, ints, strict=True):
            if at > self.size_of_index(param):
                raise OutOfRange(f"{name}{list(ints)}: {param} = {at} is out of its range")
            env[param] = at
        self.require(definition.domain, env)
        return self.value(body, env)

    def require(self, domain: tuple[Requirement, ...], env: Mapping[sp.Basic, Any]) -> None:
        r"""Check what an expression needs to be real as written (a radicand ≥ 0, …).

        A condition written inside a sum must hold for each value of its index (but
        those its ``\neq`` leaves out).

        Raises:
            Undefined: a condition fails here.
        """
        for expr, relation, over in domain:
            self.holds(expr, relation, over, env)

    def holds(
        self, expr: sp.Expr, relation: str, over: tuple[Over, ...], env: Mapping[sp.Basic, Any]
    ) -> None:
        """Check one requirement, for each value of the sums it sits in."""
        if over:
            (var, lo, hi, excluded), *inner = over
            try:
                start, stop = self.integer(lo, env), self.integer(hi, env)
            except NotEvaluable:
                return
            for n in range(start, stop + 1):
                here = {**env, var: n}
                if any(
                    self.integer(d.args[0], here) == self.integer(d.args[1], here) for d in excluded
                ):
                    continue  # a value `k \neq j` leaves out
                self.holds(expr, relation, tuple(inner), here)
            return
        try:
            value = real(self.value(expr, env))
        except NotEvaluable:
            return
        if isinstance(value, tuple):
            return
        tolerance = self.ctx.mpf(10) ** (10 - self.ctx.dps)
        small = abs(value) <= tolerance * (1 + abs(value))
        if (
            (relation == "≠ 0" and small)
            or (relation == "> 0" and (value < 0 or small))
            or (relation == "≥ 0" and value < 0 and not small)
        ):
            raise Undefined(f"{expr} {relation} fails here")

    def opaque(self, decl: FunctionDecl) -> Any:
        r"""``C`` declared as ``C(\\mathbf{z})``: its stand-in of every entry of ``z``."""
        (argument,) = decl.params
        label = symbols.base_name(argument) or ""
        definition = self.doc.definitions.get(label)
        if definition is None or not all(is_index(p) for p in definition.params):
            raise NotEvaluable(f"`{decl.name}` is a function of `{label}`, which is not defined")
        ranges = [range(1, self.size_of_index(p) + 1) for p in definition.params]
        entries = [(combo, self.element(label, combo)) for combo in itertools.product(*ranges)]
        return self.stand_ins.opaque(decl, label, entries, self)

    # -- functions --------------------------------------------------------------------
    def application(self, node: sp.Function, env: Mapping[sp.Basic, Any]) -> Any:
        """A function defined under [definitions], or declared under [functions]."""
        name = getattr(type(node), "derive_name", None) or node.func.__name__
        definition = self.doc.definitions.get(name)
        if definition is not None:
            return self.call(name, node.args, env)
        base = name.rstrip("'")
        order = len(name) - len(base)
        if len(node.args) != 1:
            raise NotEvaluable(f"a function of several arguments, `{name}`")
        x = self.value(node.args[0], env)
        if base == r"\sigma" and base not in self.doc.functions:
            return self.derivative_of(lambda v: fn.sigmoid(self.ctx, v), x, order)
        if base not in self.doc.functions:
            raise NotEvaluable(f"unknown function `{name}`")
        return self.derivative_of(lambda v: self.stand_ins.scalar(base, self, v), x, order)

    def derivative_of(self, f: Callable[[Value], Value], x: Value, order: int) -> Value:
        """``f⁽ᵒʳᵈᵉʳ⁾(x)``: ``f`` at ``x + ε_1 + … + ε_n``, the coefficient of ``ε_1…ε_n``."""
        first = len(self.seeds) + 64  # tags no derivative being taken uses
        shifted = x
        for n in range(order):
            shifted = add(shifted, infinitesimal(first + n, self.zero, self.one))
        out = f(shifted)
        for n in range(order):
            out = part(out, first + n, self.zero)
        return out

    def call(self, name: str, args: tuple[sp.Basic, ...], env: Mapping[sp.Basic, Any]) -> Any:
        r"""Apply a function defined under [definitions] (``\\text{soft}(\\mathbf{z}, j)``)."""
        definition = self.doc.definitions[name]
        if len(args) != len(definition.params):
            raise NotEvaluable(f"`{name}` takes {len(definition.params)} argument(s)")
        local: dict[sp.Basic, Any] = dict(self.top)
        for param, arg in zip(definition.params, args, strict=True):
            if isinstance(param, sp.IndexedBase):
                local[param.label] = self.vector(arg, env)
            elif isinstance(param, sp.Indexed):
                if not isinstance(arg, sp.Indexed) or arg.base != param.base:
                    raise NotEvaluable(f"`{name}` takes an entry of `{param.base}`")
                for p, a in zip(param.indices, arg.indices, strict=True):
                    local[p] = self.integer(a, env)
            elif is_index(param):
                local[param] = self.integer(arg, env)
                if not 1 <= local[param] <= self.size_of_index(param):
                    raise OutOfRange(f"{name}: {param} = {local[param]} is out of its range")
            else:
                local[param] = self.value(arg, env)
        self.require(definition.domain, local)
        return self.value(definition.body, local)

    def vector(self, arg: sp.Basic, env: Mapping[sp.Basic, Any]) -> Vec:
        r"""A whole vector argument: ``\\mathbf{z}``, ``{}^r \\mathbf{z}``, ``\\mathbf{z}_{≠t}``."""
        if isinstance(arg, sp.IndexedBase):
            bound = env.get(arg.label)
            if isinstance(bound, Vec):
                return bound
            return Vec(symbols.base_name(arg) or str(arg.label))
        if isinstance(arg, symbols.VectorView):
            inner = self.vector(arg.base, env)
            prefix = tuple(self.integer(p, env) for p in arg.prefix)
            exclude = frozenset(self.integer(x, env) for x in arg.exclude)
            return Vec(inner.label, inner.prefix + prefix, inner.exclude | exclude)
        raise NotEvaluable(f"`{arg}` is not a whole vector")

    # -- derivatives --------------------------------------------------------------------
    def derivative(self, node: sp.Derivative, env: Mapping[sp.Basic, Any]) -> Any:
        """``∂ⁿ f / ∂x…``: every variable seeded with its own infinitesimal."""
        variables = [self.variable(v, env) for v, n in node.variable_count for _ in range(int(n))]
        return self.differentiate(node.expr, variables, env)

    def differentiate(
        self,
        expr: sp.Basic,
        variables: list[tuple[str, tuple[int, ...]]],
        env: Mapping[sp.Basic, Any],
    ) -> Any:
        """The mixed derivative of ``expr`` by ``variables`` (an input or a held name each)."""
        saved = self.seeds
        tags = []
        try:
            for name, ints in variables:
                tag = len(self.seeds)
                self.seeds = (*self.seeds, (name, ints, tag))
                tags.append(tag)
            result = self.value(expr, env)
        finally:
            self.seeds = saved
        for tag in reversed(tags):
            result = map_values(result, partial(part, tag=tag, zero=self.zero))
        return result

    def variable(self, var: sp.Basic, env: Mapping[sp.Basic, Any]) -> tuple[str, tuple[int, ...]]:
        """The name and indices of a variable of differentiation."""
        if isinstance(var, sp.Indexed):
            ints = tuple(self.integer(i, env) for i in var.indices)
            bound = env.get(var.base.label)
            if isinstance(bound, Vec):
                return bound.label, bound.prefix + ints
            return symbols.base_name(var) or str(var.base.label), ints
        if isinstance(var, sp.Symbol) and not var.is_integer:
            return var.name, ()
        raise NotEvaluable(f"cannot differentiate with respect to {var}")

    def apply(self, function: Any, x: Value) -> Value:
        """A scalar function applied to one value (an entry, for ``Elementwise``)."""
        if function is symbols.sigmoid:
            return fn.sigmoid(self.ctx, x)
        unary = UNARY.get(function)
        if unary is not None:
            return unary(self.ctx, x)
        name = getattr(function, "__name__", str(function))
        base = name.rstrip("'")
        order = len(name) - len(base)
        if base == r"\sigma" and base not in self.doc.functions:
            return self.derivative_of(lambda v: fn.sigmoid(self.ctx, v), x, order)
        if base in self.doc.functions:
            return self.derivative_of(lambda v: self.stand_ins.scalar(base, self, v), x, order)
        raise NotEvaluable(f"cannot apply {name} entry by entry")


def is_index(param: sp.Basic) -> bool:
    """True for an index symbol (a definition's subscript)."""
    return isinstance(param, sp.Symbol) and bool(param.is_integer)


__all__ = [
    "Interpreter",
    "Key",
    "NotEvaluable",
    "NotReal",
    "OutOfRange",
    "Point",
    "StandIns",
    "Vec",
]
