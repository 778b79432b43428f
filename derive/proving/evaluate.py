"""Exact evaluation of a claim's meaning at concrete sizes, with forward-mode derivatives.

One interpreter over SymPy trees, in either number system of
:mod:`~derive.proving.arithmetic` (integers mod p, or mpmath reals). Derivatives are
dual numbers ``(value, derivative)``: exact, never finite differences.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import sympy as sp

from derive.memo import Memo
from derive.proving import kinks
from derive.proving.arithmetic import Key, ModP, NotSupported, Undefined
from derive.proving.lifted import Lifted, slope
from derive.proving.square import determinant, inverse_entry
from derive.symbols import (
    Determinant,
    Extremum,
    InverseEntry,
    Opaque,
    SquareForm,
    base_name,
    is_undefined,
    sigmoid,
)

Dual = tuple[Any, Any]


class Evaluator:
    """Evaluate SymPy trees at integer sizes and indices in one arithmetic."""

    def __init__(
        self,
        arith: Any,
        env: Mapping[sp.Symbol, int],
        axes: Mapping[str, tuple[sp.Expr | None, ...]] | None = None,
        padded: frozenset[str] = frozenset(),
    ) -> None:
        """``env`` gives every size and free index an integer.

        ``axes`` gives the size of each axis of the inputs: an entry outside them has no
        value (``z_3`` at ``K = 2``), unless the input is in ``padded``: then it is 0.
        """
        self.a = arith
        self.env = dict(env)
        self.axes = axes or {}
        self.padded = padded
        self.memo: dict[tuple[Any, ...], Dual] = {}
        self.seed: Key | None = None
        self.zero = arith.number(sp.S.Zero)
        self.one = arith.number(sp.S.One)

    def value(self, expr: sp.Basic) -> Any:
        """Return the value of ``expr``."""
        return self.dual(expr)[0]

    def dual(self, node: sp.Basic) -> Dual:
        """Return ``(value, derivative)`` of ``node`` under the current bindings."""
        ints = relevant(node)
        key = (node, self.seed, tuple(self.env.get(s) for s in ints))
        found = self.memo.get(key)
        if found is None:
            found = self.compute(node)
            self.memo[key] = found
        return found

    def compute(self, node: sp.Basic) -> Dual:
        """Evaluate ``node`` (not memoised)."""
        a = self.a
        if node.is_Rational:
            return a.number(node), self.zero
        if isinstance(node, sp.Float):
            return a.number(sp.Rational(str(node))), self.zero
        if isinstance(node, (sp.Symbol, sp.Indexed)):
            return self.leaf(node)
        if isinstance(node, sp.NumberSymbol) or (
            isinstance(node, sp.exp | sp.log) and node.args[0].is_Number
        ):
            return a.constant(node), self.zero
        if is_undefined(node):
            return unspecified(self, node)
        handler = HANDLERS.get(type(node)) or next(
            (h for t, h in HANDLERS.items() if isinstance(node, t)), None
        )
        if handler is None:
            raise NotSupported(f"cannot evaluate {type(node).__name__}")
        return handler(self, node)

    def leaf(self, node: sp.Symbol | sp.Indexed) -> Dual:
        """Return an input's value, or an integer for a bound index or size."""
        if isinstance(node, sp.Symbol) and node in self.env:
            return self.a.number(sp.Integer(self.env[node])), self.zero
        if isinstance(node, sp.Symbol) and node.is_integer:
            raise NotSupported(f"index {node} has no value")
        if isinstance(node, sp.Indexed) and self.outside(node):
            return self.zero, self.zero  # a padded input outside its range
        key = self.key(node)
        return self.a.leaf(key), (self.one if key == self.seed else self.zero)

    def key(self, node: sp.Basic) -> Key:
        """Return the leaf key of an input under the current bindings."""
        if isinstance(node, sp.Indexed):
            name = base_name(node)
            at = tuple(self.integer(i) for i in node.indices)
            for value, size in zip(at, self.axes.get(name or "", ()), strict=False):
                if size is not None and not 1 <= value <= self.integer(size):
                    raise Undefined(f"{name}{list(at)} is outside its range")
            return (name, at)
        return (base_name(node),)

    def outside(self, node: sp.Indexed) -> bool:
        """True for an entry of a zero-padded input outside its axes."""
        name = base_name(node) or ""
        if name not in self.padded:
            return False
        at = [self.integer(i) for i in node.indices]
        sizes = self.axes.get(name, ())
        return any(
            v < 1 or (s is not None and v > self.integer(s))
            for v, s in zip(at, sizes, strict=False)
        )

    def integer(self, expr: sp.Basic) -> int:
        """Evaluate an index or size expression to an integer."""
        if expr.is_Integer:
            return int(expr)
        if expr in self.env:
            return self.env[expr]
        value = expr.xreplace({s: sp.Integer(v) for s, v in self.env.items()})
        if not value.is_Integer:
            raise NotSupported(f"{expr} is not a concrete integer here")
        return int(value)

    def differentiate(self, node: sp.Derivative) -> Dual:
        """Forward mode, seeding the variable; a higher order lifts the arithmetic.

        ``∂²f/∂x∂y`` (SymPy's ``Derivative(f, y, x)``) is the derivative by ``x`` of
        ``∂f/∂y`` evaluated over :class:`~derive.proving.lifted.Lifted` numbers.
        """
        if self.seed is not None:
            raise NotSupported("a derivative inside the body of another derivative")
        variables = [v for v, n in node.variable_count for _ in range(int(n))]
        if len(variables) > 1:
            lifted = Evaluator(
                Lifted(self.a, self.key(variables[-1])), self.env, self.axes, self.padded
            )
            inner = sp.Derivative(node.expr, *variables[:-1], evaluate=False)
            return lifted.value(inner)[1], self.zero
        self.seed = self.key(variables[0])
        try:
            _, deriv = self.dual(node.expr)
        finally:
            self.seed = None
        return deriv, self.zero


# A node's index symbols, free and sorted, are looked up each time it is evaluated. The
# bounds hold a few times what checking the whole catalogue in one process puts in
# (about 5,700, 4,000, 340 and 750 entries), so a run does not evict.
_RELEVANT: Memo[sp.Basic, frozenset[sp.Symbol]] = Memo("evaluate.RELEVANT", 1 << 15)
_SORTED: Memo[sp.Basic, tuple[sp.Symbol, ...]] = Memo("evaluate.SORTED", 1 << 14)


def relevant(node: sp.Basic) -> tuple[sp.Symbol, ...]:
    """The integer symbols (indices, sizes) whose values ``node``'s value depends on."""
    found = _SORTED.get(node)
    if found is None:
        found = _SORTED[node] = tuple(sorted(integer_symbols(node), key=lambda s: s.name))
    return found


def integer_symbols(node: sp.Basic) -> frozenset[sp.Symbol]:
    """Free integer symbols of ``node``, bottom-up and cached (bound variables removed).

    Unlike SymPy's ``free_symbols`` it includes the indices of derivative variables,
    and it does not rebuild sums to find their free symbols.
    """
    found = _RELEVANT.get(node)
    if found is not None:
        return found
    if isinstance(node, sp.Symbol):
        found = frozenset({node}) if node.is_integer else frozenset()
    elif isinstance(node, sp.Indexed):
        found = frozenset().union(*(integer_symbols(i) for i in node.indices))
    elif not node.args or isinstance(node, sp.IndexedBase):
        found = frozenset()
    else:
        found = frozenset().union(*(integer_symbols(a) for a in node.args))
        if isinstance(node, sp.Sum | sp.Product | Opaque | Extremum):
            limits = node.limits
            found = (found - {lim[0] for lim in limits}).union(
                *(integer_symbols(lim[1]) | integer_symbols(lim[2]) for lim in limits)
            )
        elif isinstance(node, SquareForm):
            found = found - set(node.bound)
    _RELEVANT[node] = found
    return found


def add(ev: Evaluator, node: sp.Add) -> Dual:
    """Sum rule."""
    a = ev.a
    v, d = ev.zero, ev.zero
    for arg in node.args:
        av, ad = ev.dual(arg)
        v, d = a.add(v, av), a.add(d, ad)
    return v, d


def mul(ev: Evaluator, node: sp.Mul) -> Dual:
    """Product rule."""
    a = ev.a
    v, d = ev.one, ev.zero
    for arg in node.args:
        av, ad = ev.dual(arg)
        v, d = a.mul(v, av), a.add(a.mul(v, ad), a.mul(d, av))
    return v, d


def power(ev: Evaluator, node: sp.Pow) -> Dual:
    """Integer powers exactly; other constant powers as roots; variable ones as ``e^{y ln b}``.

    A root, and a power with a variable exponent, have no exact counterpart modulo p:
    the arithmetic refuses them there.
    """
    a = ev.a
    base, exponent = node.args
    if not (exponent.free_symbols - set(ev.env)) and exponent.is_integer:
        n = ev.integer(exponent)
        bv, bd = ev.dual(base)
        if n == 0:
            return ev.one, ev.zero
        if n < 0:
            bv, bd = (
                a.inv(bv),
                a.mul(a.mul(a.number(sp.S.NegativeOne), bd), a.mul(a.inv(bv), a.inv(bv))),
            )
            n = -n
        below = a.power(bv, n - 1)
        return a.mul(below, bv), a.mul(a.mul(a.number(sp.Integer(n)), below), bd)
    if exponent.is_Rational or isinstance(exponent, sp.Float):
        r = sp.Rational(str(exponent)) if isinstance(exponent, sp.Float) else exponent
        bv, bd = ev.dual(base)
        value = a.root(bv, r)
        if bd == ev.zero:
            return value, ev.zero
        # d(b^r) = r b^r / b · db
        return value, a.mul(a.mul(a.number(r), value), a.mul(a.inv(bv), bd))
    if base == sp.E:
        return exponential(ev, sp.exp(exponent))
    a.real_only("a power with a variable exponent")
    return exponential(ev, sp.exp(exponent * sp.log(base)))


def elementary(ev: Evaluator, node: sp.Function) -> Dual:
    """``sin``, ``cos``, ``tan``, ``arctan`` and ``|x|`` (real arithmetic only)."""
    a = ev.a
    name = type(node).__name__
    xv, xd = ev.dual(node.args[0])
    value = a.elementary(name, xv)
    if xd == ev.zero:
        return value, ev.zero
    return value, a.mul(slope(a, name, xv, value), xd)


def exponential(ev: Evaluator, node: sp.exp) -> Dual:
    """``e^{Σ c_i T_i}`` is ``Π (e^{T_i})^{c_i}`` for integer ``c_i``; derivative times it.

    ``e^{z}`` of an input is the arithmetic's value for it; ``e^{T}`` of any other term
    is a function of ``T``'s value, raised to the integer power, so that ``e^{2T}`` and
    ``(e^{T})^2`` agree modulo p as they do over the reals.
    """
    a = ev.a
    value = ev.one
    powers, rest = exponent_terms(node)
    for coeff, var in powers:
        padding = isinstance(var, sp.Indexed) and ev.outside(var)  # e^0 for a padded entry
        if (
            isinstance(var, (sp.Symbol, sp.Indexed))
            and var not in ev.env
            and not var.is_integer
            and not padding
        ):
            u = a.exp_leaf(ev.key(var))
        elif isinstance(var, sp.Sum):  # e^{Σ_k f_k} is Π_k e^{f_k}, as over the reals
            u = ev.dual(sp.Product(sp.exp(var.function), *var.limits))[0]
        else:
            u = a.exp(ev.dual(var)[0])
        for _ in range(abs(coeff)):
            value = a.mul(value, u if coeff > 0 else a.inv(u))
    if rest != 0:
        value = a.mul(value, a.exp(ev.dual(rest)[0]))
    _, d = ev.dual(node.args[0])
    return value, a.mul(value, d)


_EXPONENTS: Memo[sp.Basic, tuple[tuple[tuple[int, sp.Expr], ...], sp.Expr]] = Memo(
    "evaluate.EXPONENTS", 1 << 12
)


def exponent_terms(node: sp.exp) -> tuple[tuple[tuple[int, sp.Expr], ...], sp.Expr]:
    """``e^{Σ c_i T_i + R}`` as the integer ``c_i`` with their ``T_i``, and ``R`` (cached)."""
    found = _EXPONENTS.get(node)
    if found is not None:
        return found
    powers = []
    rest = sp.S.Zero
    for term in sp.Add.make_args(node.args[0]):
        coeff, var = term.as_coeff_Mul()
        if not coeff.is_Integer or var == 1:
            rest += term
        else:
            powers.append((int(coeff), var))
    found = _EXPONENTS[node] = (tuple(powers), rest)
    return found


def logarithm(ev: Evaluator, node: sp.log) -> Dual:
    """``ln x`` and its derivative ``dx / x``."""
    xv, xd = ev.dual(node.args[0])
    return ev.a.log(xv), ev.a.mul(xd, ev.a.inv(xv))


def delta(ev: Evaluator, node: sp.KroneckerDelta) -> Dual:
    """Kronecker delta of concrete indices."""
    i, j = (ev.integer(x) for x in node.args)
    return (ev.one if i == j else ev.zero), ev.zero


def summation(ev: Evaluator, node: sp.Sum) -> Dual:
    """A finite sum at concrete bounds (several limits: nested loops, innermost first).

    ``Σ_s f_s (1 − δ_{s x})…`` is evaluated as ``Σ_s f_s`` less ``f_x`` for each
    distinct ``x`` in range: the full sum does not depend on ``x``, so it is evaluated
    once for every value of ``x``, not again for each.
    """
    split = skipping(node)
    if split is None:
        return nested_sum(ev, node.function, list(node.limits))
    full, summand, left_out = split
    var, lo_expr, hi_expr = node.limits[0]
    a = ev.a
    v, d = ev.dual(full)
    lo, hi = ev.integer(lo_expr), ev.integer(hi_expr)
    for n in sorted({ev.integer(x) for x in left_out}):
        if lo <= n <= hi:
            fv, fd = nested_sum(ev, summand, [(var, sp.Integer(n), sp.Integer(n))])
            minus = a.number(sp.S.NegativeOne)
            v, d = a.add(v, a.mul(minus, fv)), a.add(d, a.mul(minus, fd))
    return v, d


Skipping = tuple[sp.Expr, sp.Expr, tuple[sp.Expr, ...]]
_SKIPPING: Memo[sp.Basic, Skipping | None] = Memo("evaluate.SKIPPING", 1 << 12)


def skipping(node: sp.Sum) -> Skipping | None:
    """``(Σ_s f_s, f_s, (x_1, x_2, …))`` for ``Σ_s f_s (1 − δ_{s x_1}) (1 − δ_{s x_2}) …``.

    One limit, each ``x`` free of ``s``; else ``None``. Cached per node. (SymPy may
    merge ``Σ_s f_s`` with a sum inside ``f_s``: ``f_s`` is kept as it is.)
    """
    if node in _SKIPPING:
        return _SKIPPING[node]
    found = None
    if len(node.limits) == 1:
        var = node.limits[0][0]
        kept, left_out = [], []
        for factor in sp.Mul.make_args(node.function):
            other = excluded_by(factor, var)
            if other is None:
                kept.append(factor)
            else:
                left_out.append(other)
        if left_out:
            summand = sp.Mul(*kept)
            found = (sp.Sum(summand, node.limits[0]), summand, tuple(left_out))
    _SKIPPING[node] = found
    return found


def excluded_by(factor: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """``x`` when ``factor`` is ``1 − δ_{var x}`` with ``x`` free of ``var``."""
    if not (isinstance(factor, sp.Add) and len(factor.args) == 2 and sp.S.One in factor.args):
        return None
    (term,) = [t for t in factor.args if t is not sp.S.One]
    coeff, rest = term.as_coeff_Mul()
    if coeff != -1 or not isinstance(rest, sp.KroneckerDelta) or var not in rest.args:
        return None
    a, b = rest.args
    other = b if a == var else a
    return None if var in other.free_symbols else other


def nested_sum(ev: Evaluator, body: sp.Expr, limits: list[tuple[sp.Basic, ...]]) -> Dual:
    """Sum ``body`` over ``limits``; the last limit is the outermost loop."""
    if not limits:
        return ev.dual(body)
    var, lo, hi = limits[-1]
    a = ev.a
    v, d = ev.zero, ev.zero
    saved = ev.env.get(var)
    try:
        for n in range(ev.integer(lo), ev.integer(hi) + 1):
            ev.env[var] = n
            bv, bd = nested_sum(ev, body, limits[:-1])
            v, d = a.add(v, bv), a.add(d, bd)
    finally:
        if saved is None:
            ev.env.pop(var, None)
        else:
            ev.env[var] = saved
    return v, d


def product(ev: Evaluator, node: sp.Product) -> Dual:
    """A finite product at concrete bounds (1 when empty), by the product rule."""
    return nested_product(ev, node.function, list(node.limits))


def nested_product(ev: Evaluator, body: sp.Expr, limits: list[tuple[sp.Basic, ...]]) -> Dual:
    """Multiply ``body`` over ``limits``; the last limit is the outermost loop."""
    if not limits:
        return ev.dual(body)
    var, lo, hi = limits[-1]
    a = ev.a
    v, d = ev.one, ev.zero
    saved = ev.env.get(var)
    try:
        for n in range(ev.integer(lo), ev.integer(hi) + 1):
            ev.env[var] = n
            bv, bd = nested_product(ev, body, limits[:-1])
            v, d = a.mul(v, bv), a.add(a.mul(v, bd), a.mul(d, bv))
    finally:
        if saved is None:
            ev.env.pop(var, None)
        else:
            ev.env[var] = saved
    return v, d


def unspecified(ev: Evaluator, node: sp.Function) -> Dual:
    """``act(x)``: the arithmetic's stand-in for it; the derivative uses ``act'``."""
    name = type(node).derive_name
    xv, xd = ev.dual(node.args[0])
    return ev.a.function(name, xv), ev.a.mul(ev.a.function(name + "'", xv), xd)


def opaque(ev: Evaluator, node: Opaque) -> Dual:
    """``C(z)``, with derivative ``Σ_d ∂C/∂z[d] · dz[d]``.

    Its value is a random function (mod p) or, for reals, the linear
    ``Σ_d ∂C/∂z[d] z[d]`` that has that gradient.
    """
    a = ev.a
    entries: list[Any] = []
    value, deriv = ev.zero, ev.zero
    saved = {lim[0]: ev.env.get(lim[0]) for lim in node.limits}
    ranges = [range(ev.integer(lim[1]), ev.integer(lim[2]) + 1) for lim in node.limits]
    try:
        for combo in itertools.product(*ranges):
            ev.env.update(zip([lim[0] for lim in node.limits], combo, strict=True))
            ev_value, ev_deriv = ev.dual(node.entry)
            g = a.leaf((node.gradient.label.name, combo))
            entries.append(ev_value)
            value = a.add(value, a.mul(g, ev_value))
            deriv = a.add(deriv, a.mul(g, ev_deriv))
    finally:
        for var, old in saved.items():
            if old is None:
                ev.env.pop(var, None)
            else:
                ev.env[var] = old
    if isinstance(a, ModP):
        value = a.draw("opaque", str(node.args[0]), tuple(entries))
    return value, deriv


def logistic(ev: Evaluator, node: sigmoid) -> Dual:
    """σ(x) = 1 / (1 + e^{−x})."""
    return ev.dual(1 / (1 + sp.exp(-node.args[0])))


HANDLERS: dict[type, Callable[[Evaluator, Any], Dual]] = {
    sp.sin: elementary,
    sp.cos: elementary,
    sp.tan: elementary,
    sp.atan: elementary,
    sp.Abs: kinks.absolute,
    sp.Piecewise: kinks.piecewise,
    sp.Max: kinks.extreme,
    sp.Min: kinks.extreme,
    sp.Heaviside: kinks.step,
    Extremum: kinks.over_index,
    sp.sign: kinks.step,
    sp.Add: add,
    sp.Mul: mul,
    sp.Pow: power,
    sp.exp: exponential,
    sp.log: logarithm,
    sp.KroneckerDelta: delta,
    sp.Sum: summation,
    sp.Product: product,
    sigmoid: logistic,
    Opaque: opaque,
    Determinant: determinant,
    InverseEntry: inverse_entry,
    sp.Derivative: Evaluator.differentiate,
}


def impose(
    arith: Any,
    env: Mapping[sp.Symbol, int],
    assumptions: Iterable[tuple[sp.Expr, Mapping[sp.Symbol, int]]],
) -> None:
    """Make the point satisfy each assumption ``expr = 0`` by solving for one input.

    Each assumption instance (one per value of its free indices, given in its own env)
    must be affine in an input that no other instance touches: ``Σ_k t_k = 1`` is
    solved for ``t_K``.

    Raises:
        NotSupported: no such input, or the assumption is not affine in it.
    """
    instances = [(expr, {**env, **extra}) for expr, extra in assumptions]
    touched = []
    for expr, scope in instances:
        arith.touched = []
        Evaluator(arith, scope).value(expr)
        touched.append([k for k in arith.touched if k[0] != "exp"])
    taken: set[Key] = set()
    for number, (expr, scope) in enumerate(instances):
        others = {k for m, keys in enumerate(touched) if m != number for k in keys}
        choice = next((k for k in reversed(touched[number]) if k not in others | taken), None)
        if choice is None:
            raise NotSupported("an assumption shares all its inputs with another")
        taken.add(choice)
        solve_for(arith, choice, expr, scope)


def solve_for(arith: Any, key: Key, expr: sp.Expr, env: Mapping[sp.Symbol, int]) -> None:
    """Set input ``key`` so that ``expr`` (affine in it) is zero."""

    def at(x: int) -> Any:
        arith.values[key] = x if isinstance(arith, ModP) else arith.mp.mpf(x)
        return Evaluator(arith, env).value(expr)

    b = at(0)
    slope = arith.add(at(1), arith.mul(arith.number(sp.S.NegativeOne), b))
    two = arith.add(b, arith.mul(arith.number(sp.Integer(2)), slope))
    if not arith.equal(at(2), two) or arith.equal(slope, arith.number(sp.S.Zero)):
        raise NotSupported("an assumption is not affine in the input it should fix")
    arith.values[key] = arith.mul(arith.mul(arith.number(sp.S.NegativeOne), b), arith.inv(slope))
