"""All-K proofs by index calculus: a normal form for sums with Kronecker deltas.

The rules, applied bottom-up to ``left − right`` (see the spec, "What verified means"):

====================================  =============================================
``∂/∂z_j`` of a sum                   SymPy's ``diff``: ``∂z_k/∂z_j = δ_kj``
``e^{c z_k}``                         ``u_k^c`` with ``u_k = e^{z_k} > 0``: rational
``ln(p/q)``                           ``ln p − ln q``; ``ln u_k = z_k``; ``ln`` of a sum
                                      is an atom
``Σ_k (a + b)``                       ``Σ_k a + Σ_k b`` (linearity)
``Σ_k c g_k``                         ``c Σ_k g_k`` when ``c`` does not mention ``k``
``Σ_k c``                             ``K c``, for ``K ≥ 0`` (a bound ``K − 2 ≥ 0`` recorded)
``Σ_{k=1}^{n} g_k``, ``n < 1``         ``0``: an empty sum
``Σ_k g_k δ_kx``                      ``g_x``, if ``x`` ranges over ``1..K`` (recorded)
``Σ_k g_k``                           an atom, its summand in canonical form
                                      (partial fractions in ``u_k``, ``k`` renamed)
a named assumption ``Σ_k t_k = 1``    the atom it pins is replaced by its value
a free ``δ_kj``                       two cases: ``k = j`` and ``k ≠ j`` (``where``)
====================================  =============================================

Then every atom becomes an independent variable and ``cancel`` decides whether the
rational function left is zero. That is sound: an identity of rational functions in
independent variables stays one when the variables are specialised to the sums and
logarithms they stand for (an empty sum included). It is not complete: a nonzero
normal form is not a refutation, only a reason to check concrete sizes.

A rule that holds only from some size on records that size (``Σ_{k=1}^{K-2} 1 = K − 2``
needs ``K ≥ 2``; sifting ``δ_{k3}`` needs ``K ≥ 3``) in :attr:`IndexCalculus.bounds`: the
proof covers those sizes, and the caller checks the smaller ones. A sum whose limit
depends on another sum's variable, or that starts elsewhere than 1, is not normalised.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass, field

import sympy as sp

from derive.proving.calculus import differentiate as derivative
from derive.proving.exponentials import distribute, log_of, rewrite, split_log, to_u
from derive.proving.nonzero import surely_nonzero
from derive.proving.powers import power_atoms
from derive.proving.summands import cancels, merge_sums
from derive.symbols import rebuild, sigmoid

KD = sp.KroneckerDelta
EXPONENTIAL = (sigmoid, sp.sinh, sp.cosh, sp.tanh)  # written with e^x before normalising


class Unsupported(Exception):
    """The expression has a construct this normaliser does not handle."""


def kappa(level: int) -> sp.Symbol:
    """Return the canonical summation variable of nesting ``level``."""
    return sp.Symbol(f"κ{level}", integer=True, positive=True)


def level_of(expr: sp.Basic, aside: set[sp.Symbol]) -> int:
    """Return the highest canonical nesting level used inside ``expr``, ``aside`` aside."""
    levels = [
        int(s.name[1:])
        for s in expr.free_symbols | bound_symbols(expr)
        if isinstance(s, sp.Symbol) and s.name.startswith("κ") and s not in aside
    ]
    return max(levels, default=0)


def bound_symbols(expr: sp.Basic) -> set[sp.Symbol]:
    """Return the summation variables bound anywhere in ``expr``."""
    return {lim[0] for s in expr.atoms(sp.Sum) for lim in s.limits}


@dataclass(frozen=True)
class Rule:
    """An assumption as a rewrite: ``atom → value``, for every value of ``free``."""

    name: str
    atom: sp.Expr
    value: sp.Expr
    free: tuple[sp.Symbol, ...]


@dataclass
class Outcome:
    """What the normaliser found for ``left − right``."""

    proved: bool
    residual: sp.Expr  # zero when proved; else the first nonzero case, atoms restored
    case: str = ""  # the case of the residual, e.g. "k = j"
    side_conditions: tuple[str, ...] = ()
    steps: tuple[tuple[str, sp.Expr], ...] = ()
    used: tuple[str, ...] = ()  # assumptions that rewrote something
    bounds: dict[sp.Symbol, int] = field(default_factory=dict)  # sizes the rules needed
    branch: tuple[tuple[sp.Expr, int], ...] = ()  # the failing branch: each d with its sign


@dataclass
class IndexCalculus:
    r"""Normalise and decide ``left − right`` for a symbolic size.

    Args:
        ranges: the size each free index ranges over (``{j: K}``).
        rules: assumptions as rewrites (see :func:`assumption_rule`).
        distinct: pairs of indices known to differ (``where = ['k \neq j']``).
    """

    ranges: dict[sp.Symbol, sp.Expr]
    rules: tuple[Rule, ...] = ()
    distinct: frozenset[frozenset[sp.Basic]] = frozenset()
    sizes: frozenset[sp.Symbol] = frozenset()  # the size symbols (for bounds on them)
    conditions: list[str] = field(default_factory=list)
    steps: list[tuple[str, sp.Expr]] = field(default_factory=list)
    used: set[str] = field(default_factory=set)
    sifted: int = 0  # deltas sifted so far, for the steps' justifications
    bounds: dict[sp.Symbol, int] = field(default_factory=dict)  # size → least value used

    def __post_init__(self) -> None:
        """Copy the ranges so that bound variables can be added."""
        self.ranges = dict(self.ranges)  # the caller's mapping stays as it was

    # -- the pipeline --------------------------------------------------------------
    def decide(self, expr: sp.Expr) -> Outcome:
        """Normalise ``expr`` (which should be zero) and decide whether it is."""
        self.steps.append(("left − right", expr))
        normal = self.normal_form(expr)
        for text, case in self.cases(normal, self.distinct):
            residual = zero_test(case)
            if residual != 0:
                self.steps.append((f"nonzero{' when ' + text if text else ''}", residual))
                return self.outcome(False, residual, text)
        if self.steps[-1][1] != 0:  # the trace ends at 0, as the proof does
            cases = " in each case" if self.steps[-1][0].startswith("case") else ""
            self.steps.append((f"cancel as a rational function{cases}", sp.S.Zero))
        return self.outcome(True, sp.S.Zero, "")

    def outcome(self, proved: bool, residual: sp.Expr, case: str) -> Outcome:
        """Package what was found."""
        return Outcome(
            proved,
            residual,
            case,
            tuple(dict.fromkeys(self.conditions)),
            tuple(self.steps),
            tuple(sorted(self.used)),
            dict(self.bounds),
        )

    def normal_form(self, expr: sp.Expr) -> sp.Expr:
        """Differentiate, change to ``u = e^z``, and reduce every sum."""
        expr = differentiate(expr)
        self.steps.append(("differentiate", expr))
        expr = to_u(
            rewrite(expr, lambda n: n.rewrite(sp.exp) if isinstance(n, EXPONENTIAL) else None)
        )
        self.steps.append(("write e^{z_k} as u_k", expr))
        sifted, used = self.sifted, set(self.used)
        expr = self.reduce(expr)
        why = ["reduce sums"]
        if self.sifted > sifted:
            why.append("δ sifts")
        why += [f"by {name}" for name in sorted(self.used - used)]
        self.steps.append((", ".join(why), expr))
        return expr

    # -- bottom-up reduction -------------------------------------------------------
    def reduce(self, expr: sp.Basic) -> sp.Expr:
        """Reduce sums (innermost first) and split logarithms."""
        if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
            return expr
        if isinstance(expr, sp.Sum):
            bound = {lim[0] for lim in expr.limits}
            for var, lo, hi in expr.limits:
                if lo != 1:
                    raise Unsupported(f"a sum starting at {lo}, not 1")
                if hi.free_symbols & bound:
                    raise Unsupported("a sum whose limit depends on another sum's variable")
                if hi.is_Integer and hi < 1:
                    return sp.S.Zero  # an empty sum
                self.ranges[var] = hi
            body = self.reduce(expr.function)
            for var, _, hi in expr.limits:  # SymPy lists the innermost limit first
                body = self.sum_rule(body, var, hi)
            return body
        if isinstance(expr, sp.Product):
            return self.product(expr)
        if isinstance(expr, sp.Add):
            expr = merge_sums(expr)
            if not isinstance(expr, sp.Add):
                return self.reduce(expr)
        expr = rebuild(expr, [self.reduce(a) for a in expr.args])
        if isinstance(expr, sp.log):
            return split_log(expr.args[0])
        if isinstance(expr, sp.Pow) and not expr.exp.is_Integer and expr.base.is_Add:
            # one form for a root's radicand: ε + (S₂ − S₁²/D)/D and ε + S₂/D − S₁²/D²
            return rebuild(expr, [distribute(expr.base), expr.exp])
        return expr

    def product(self, expr: sp.Product) -> sp.Expr:
        """A product is an atom: its body reduced, its variables given canonical names."""
        body = self.reduce(expr.function)
        limits = []
        for var, lo, hi in expr.limits:
            if lo != 1 or hi.free_symbols & {lim[0] for lim in expr.limits}:
                raise Unsupported("a product that does not start at 1, or with dependent limits")
            if hi.is_Integer and hi < 1:
                return sp.S.One  # an empty product
            limits.append((var, hi))
        base = level_of(body, {var for var, _ in limits})
        mapping = {var: kappa(base + 1 + n) for n, (var, _) in enumerate(limits)}
        return sp.Product(body.xreplace(mapping), *[(mapping[v], 1, hi) for v, hi in limits])

    def sum_rule(self, body: sp.Expr, var: sp.Symbol, hi: sp.Expr, depth: int = 0) -> sp.Expr:
        """Reduce ``Σ_{var=1}^{hi} body`` whose body is already reduced."""
        total = sp.S.Zero
        pending: list[tuple[sp.Expr, sp.Expr]] = []  # the terms that become atoms
        for term in sp.Add.make_args(distribute(body)):
            const, dep = split_factors(term, var)
            if dep == 1:
                self.at_least(hi, 0)
                total += const * hi
                continue
            delta = next((f for f in sp.Mul.make_args(dep) if is_delta_on(f, var)), None)
            target = None if delta is None else self.sift_target(delta, var, hi)
            if delta is not None and target is not None:
                self.sifted += 1
                rest = sp.Mul(*[f for f in sp.Mul.make_args(dep) if f is not delta])
                total += const * self.apply_rules(rest.xreplace({var: target}))
                continue
            pending.append((const, dep))
        if depth == 0 and len(pending) > 1 and cancels(sp.Add(*[c * d for c, d in pending])):
            return total  # the summand's other terms cancel as a rational function
        for const, dep in pending:
            total += const * self.atom(dep, var, hi, depth)
        return total

    def sift_target(self, delta: sp.Basic, var: sp.Symbol, hi: sp.Expr) -> sp.Basic | None:
        """Return ``x`` for ``δ_{var x}`` when sifting is valid, recording why."""
        base = delta.base if isinstance(delta, sp.Pow) else delta
        a, b = base.args
        other = b if a == var else a
        if var in other.free_symbols:
            return None
        if isinstance(other, sp.Integer):
            if hi.is_Integer:
                return other if 1 <= other <= hi else None
            if other < 1:
                return None
            self.at_least(hi, int(other))
            if other != 1:
                self.conditions.append(f"{hi} ≥ {other}")
            return other
        if self.ranges.get(other) == hi:
            if not isinstance(other, sp.Dummy):  # a summation variable is in its range
                self.conditions.append(f"1 ≤ {other} ≤ {hi}")
            return other
        return None

    def at_least(self, hi: sp.Expr, low: int) -> None:
        """Record that the rule being applied needs ``hi ≥ low``.

        ``hi`` is a size, an index or a sum's variable (each at least 1), a number, or a
        size minus a number (``K − 2 ≥ 0`` is the bound ``K ≥ 2``). A bound on an index
        (``j − 2 ≥ 0``) would hold the proof to some of its values: it is refused.

        Raises:
            Unsupported: the need cannot be put as a bound on one size.
        """
        const, rest = hi.as_coeff_Add()
        if rest == 0:
            if const < low:
                raise Unsupported(f"a rule that needs {hi} ≥ {low}")
            return
        if not (isinstance(rest, sp.Symbol) and rest.is_integer and rest.is_positive):
            raise Unsupported(f"a sum up to {hi}")
        need = low - int(const)
        if need <= 1:
            return
        if rest in self.sizes:  # a bound on a size; one on an index has no place
            self.bounds[rest] = max(self.bounds.get(rest, 1), need)
            return
        raise Unsupported(f"a rule that needs {rest} ≥ {need}")

    def atom(self, summand: sp.Expr, var: sp.Symbol, hi: sp.Expr, depth: int) -> sp.Expr:
        """Return ``Σ_{var} summand`` as a canonical atom (or reduce a rewritten form)."""
        if depth == 0:
            rewritten = partial_fractions(summand, var)
            if rewritten is not None and rewritten != summand:
                return self.sum_rule(rewritten, var, hi, depth + 1)
        factors: list[sp.Expr] = []
        limits = [(var, hi)]
        for factor in sp.Mul.make_args(summand):
            if isinstance(factor, sp.Sum) and var in factor.free_symbols:
                body, inner = open_sum(factor)
                factors.append(body)
                limits.extend(inner)
            else:
                factors.append(factor)
        coeff, canonical = canonical_sum(sp.Mul(*factors), limits).as_coeff_Mul()
        return coeff * self.apply_rules(canonical)

    def apply_rules(self, expr: sp.Expr) -> sp.Expr:
        """Replace every atom an assumption pins down by its value."""
        if not self.rules or not expr.has(sp.Sum):
            return expr
        mapping = {}
        for found in expr.atoms(sp.Sum):
            for rule in self.rules:
                value = match_rule(rule, found)
                if value is not None:
                    mapping[found] = value
                    self.used.add(rule.name)
                    break
        return expr.xreplace(mapping) if mapping else expr

    # -- cases on free deltas ------------------------------------------------------
    def cases(
        self, expr: sp.Expr, distinct: frozenset[frozenset[sp.Basic]], text: str = ""
    ) -> Iterable[tuple[str, sp.Expr]]:
        """Split on each free Kronecker delta: equal indices, then different ones."""
        expr = expr.xreplace(
            {d: sp.S.Zero for d in expr.atoms(KD) if frozenset(d.args) in distinct}
        )
        delta = next(iter(sorted(free_deltas(expr), key=str)), None)
        if delta is None:
            yield text, expr
            return
        a, b = delta.args
        old, new = (a, b) if isinstance(b, sp.Integer) else (b, a)
        same = f"{old} = {new}"
        self.steps.append((f"case {same}", expr))
        equal = self.reduce(expr.xreplace({old: new}))
        yield from self.cases(equal, distinct, join(text, same))
        yield from self.cases(
            expr.xreplace({delta: sp.S.Zero}),
            distinct | {frozenset((a, b))},
            join(text, f"{a} ≠ {b}"),
        )


def open_sum(atom: sp.Sum) -> tuple[sp.Expr, list[tuple[sp.Symbol, sp.Expr]]]:
    """The summand and limits of a sum atom, with fresh variables."""
    body = atom.function
    limits = []
    for var, _, hi in atom.limits:
        fresh = sp.Dummy(integer=True, positive=True)
        body = body.xreplace({var: fresh})
        limits.append((fresh, hi))
    return body, limits


def canonical_sum(body: sp.Expr, limits: list[tuple[sp.Symbol, sp.Expr]]) -> sp.Expr:
    """``Σ_{a, b, …} body`` in one canonical form, whatever the order of summation.

    Nested sums multiplied together are one sum over several variables
    (``Σ_r f_r Σ_k g_rk = Σ_{r,k} f_r g_rk``); its variables get the canonical names
    ``κ…`` in the order that makes the summand smallest, so that sums which differ only
    by the order of summation or the names of their variables are the same atom.

    Raises:
        Unsupported: a limit depends on another of the variables (the order matters).
    """
    variables = {var for var, _ in limits}
    if any(hi.free_symbols & variables for _, hi in limits):
        raise Unsupported("a sum whose limit depends on another sum's variable")
    base = level_of(body, {var for var, _ in limits})
    best = None
    for order in itertools.permutations(range(len(limits))):
        mapping = {limits[n][0]: kappa(base + 1 + order[n]) for n in range(len(limits))}
        renamed = body.xreplace(mapping)
        key = sp.default_sort_key(renamed)
        if best is None or key < best[0]:
            ordered = sorted(((mapping[v], hi) for v, hi in limits), key=lambda vh: vh[0].name)
            best = (key, renamed, ordered)
    assert best is not None
    _, renamed, ordered = best
    return sp.Sum(renamed, *[(v, 1, hi) for v, hi in ordered])


def join(text: str, more: str) -> str:
    """Join case descriptions."""
    return f"{text}, {more}" if text else more


def differentiate(expr: sp.Basic) -> sp.Expr:
    """Evaluate every ``Derivative`` node (innermost first)."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    args = [differentiate(a) for a in expr.args]
    if isinstance(expr, sp.Derivative):
        result = args[0]
        for var in expr.variables:
            result = derivative(result, var)
        return result
    return rebuild(expr, args)


def split_factors(term: sp.Expr, var: sp.Symbol) -> tuple[sp.Expr, sp.Expr]:
    """Split a product into the factors free of ``var`` and those with it."""
    const: list[sp.Expr] = []
    dep: list[sp.Expr] = []
    for factor in sp.Mul.make_args(term):
        (dep if var in factor.free_symbols else const).append(factor)
    return sp.Mul(*const), sp.Mul(*dep)


def is_delta_on(factor: sp.Basic, var: sp.Symbol) -> bool:
    """True for ``δ_{var x}`` or a positive power of it."""
    if isinstance(factor, sp.Pow) and factor.exp.is_positive:
        factor = factor.base
    return isinstance(factor, KD) and var in factor.args


def free_deltas(expr: sp.Expr) -> set[sp.Basic]:
    """Return the deltas outside every sum (their indices are all free)."""
    inside = {d for s in expr.atoms(sp.Sum) for d in s.atoms(KD)}
    return expr.atoms(KD) - inside


def partial_fractions(summand: sp.Expr, var: sp.Symbol) -> sp.Expr | None:
    """Canonical summand: partial fractions in ``u_var`` (``None`` if not applicable).

    Only a summand with ``u_var`` in a denominator has more than one form worth
    unifying (``u/(S − u)`` and ``S/(S − u) − 1``).
    """
    u_here = [e for e in summand.atoms(sp.Indexed) if var in e.indices and log_of(e) is not None]
    if not u_here or not any(
        p.exp.is_negative and p.base.has(u_here[0]) for p in summand.atoms(sp.Pow)
    ):
        return None
    elements = [e for e in summand.atoms(sp.Indexed) if var in e.free_symbols]
    inner = [s for s in summand.atoms(sp.Sum) if var in s.free_symbols]
    mapping = {e: sp.Dummy(positive=True) for e in elements + inner}
    plain = summand.xreplace(mapping)
    if var in plain.free_symbols:
        return None
    try:
        split = sp.apart(sp.cancel(plain), mapping[u_here[0]])
    except (sp.PolynomialError, NotImplementedError, ValueError):
        return None
    return split.xreplace({d: e for e, d in mapping.items()})


CANCEL_OPS = 100  # a residual larger than this is not cancelled once shown nonzero


def zero_test(expr: sp.Expr) -> sp.Expr:
    """Return ``0`` when ``expr`` is zero as a rational function of its atoms.

    Otherwise the residual: cancelled and factored, with the atoms put back. A large
    one (more than :data:`CANCEL_OPS` operations) that a value at a random point already
    shows is not zero (:func:`~derive.proving.nonzero.surely_nonzero`) is left as it is:
    cancelling the residual of an LSTM slip takes minutes, where the catalogue's residuals
    (up to about 50 operations) cancel in milliseconds into what a reader can check. One
    with a root is left as it is too (batch norm's slips: minutes under a square root).
    """
    expr, powers = power_atoms(expr)
    atoms = [
        a for a in expr.atoms(sp.Sum, sp.Product, sp.Indexed, sp.Function) if not isinstance(a, KD)
    ]
    # xreplace meets an outer atom before the atoms inside it, so nesting is harmless
    mapping = {a: sp.Dummy(f"A{n}") for n, a in enumerate(sorted(atoms, key=sp.default_sort_key))}
    plain = expr.xreplace(mapping)
    rooted = any(not p.exp.is_Integer for p in plain.atoms(sp.Pow))  # cancel can take minutes
    if (rooted or sp.count_ops(plain) > CANCEL_OPS) and surely_nonzero(plain):
        return expr.xreplace(powers)  # a large slip: cancelling its residual may take minutes
    plain = sp.cancel(plain)
    if plain == 0:
        return sp.S.Zero
    # factor_terms, not factor: multivariate factoring can take minutes on a residual
    return sp.factor_terms(plain).xreplace({d: a for a, d in mapping.items()}).xreplace(powers)


def match_rule(rule: Rule, found: sp.Expr) -> sp.Expr | None:
    """Return the rule's value if ``found`` is its atom for some values of its free indices."""
    if not rule.free:
        return rule.value if found == rule.atom else None
    candidates = [s for s in found.free_symbols if isinstance(s, sp.Symbol) and s.is_integer]
    if len(rule.free) != 1:
        return None
    for cand in candidates:
        if rule.atom.xreplace({rule.free[0]: cand}) == found:
            return rule.value.xreplace({rule.free[0]: cand})
    return None


def assumption_rule(name: str, difference: sp.Expr, free: tuple[sp.Symbol, ...]) -> Rule:
    """Turn a normalised assumption ``difference = 0`` into a rewrite of one atom.

    Raises:
        Unsupported: no sum appears linearly, so the assumption cannot be solved for one.
    """
    for atom in sorted(difference.atoms(sp.Sum), key=sp.count_ops, reverse=True):
        x = sp.Dummy()
        poly = distribute(difference.xreplace({atom: x}))
        slope, rest = poly.coeff(x, 1), poly.coeff(x, 0)
        if slope != 0 and not slope.has(x) and not rest.has(x):
            return Rule(name, atom, sp.cancel(-rest / slope), free)
    raise Unsupported(f"assumption `{name}` does not pin down a sum linearly")


WRITTEN_OUT = 16  # a sum or product over at most this many numbers is written out


def spelled_out(expr: sp.Basic) -> sp.Basic:
    """``expr`` with ``Σ_{k=1}^{3} z_k`` as ``z_1 + z_2 + z_3`` (and products alike).

    Only a sum or product over numbers (at most :data:`WRITTEN_OUT` of them) with one
    limit is written out: its terms are then exactly the body at each number. The
    prover tries this when the sums as written do not reduce to zero.
    """

    def fixed(node: sp.Basic) -> bool:
        if not isinstance(node, sp.Sum | sp.Product) or len(node.limits) != 1:
            return False
        ((_, lo, hi),) = node.limits
        return bool(lo.is_Integer and hi.is_Integer and int(hi) - int(lo) < WRITTEN_OUT)

    def terms(node: sp.Sum | sp.Product) -> sp.Expr:
        ((var, lo, hi),) = node.limits
        each = [node.function.xreplace({var: sp.Integer(n)}) for n in range(lo, hi + 1)]
        return sp.Add(*each) if isinstance(node, sp.Sum) else sp.Mul(*each)

    return expr.replace(fixed, terms)
