r"""All-K proofs of piecewise claims, by a case split on the signs of their conditions.

``\max``, ``\min`` and ``|x|`` become ``Piecewise``; then, one condition at a time (an
innermost one first), the claim is split on the sign of the condition's difference
``d``: ``d > 0``, ``d < 0`` and ``d = 0``. On each branch every piecewise node whose
condition is decided becomes its branch, until none is left, and each branch equality
goes to the index calculus. The claim is proved when every branch equality holds
identically (sound even where a branch is empty). The case ``d = 0`` is solved for a
variable that ``d`` holds linearly and substituted; but where the condition sits under
a derivative by a variable of ``d``, ``d = 0`` is a kink, where the derivative need not
exist: it is left out, and the proof says so ("except where x = 0").

A branch whose equality is not identically zero is only a lead: the claim is decided
by the concrete check, and the residual names its branch. Conditions on an index bound
by a sum (``z_k > 0`` in ``Σ_k``) cannot be split for all K: the concrete check decides.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from dataclasses import dataclass, field

import sympy as sp
from sympy.core.relational import Relational

from derive.printing.notation import unicode
from derive.proving.index_calculus import Outcome, Unsupported
from derive.symbols import Extremum

KINKED = (sp.Piecewise, sp.Max, sp.Min, sp.Abs, sp.Heaviside, sp.sign, Extremum)
MAX_BRANCHES = 64
BRANCH = "on the branch "  # how a failing branch is named in an outcome's case


@dataclass
class Branch:
    """One combination of signs: the claim there, what was assumed, kinks left out."""

    expr: sp.Expr
    said: tuple[str, ...] = ()
    kinks: tuple[sp.Expr, ...] = field(default_factory=tuple)
    signs: tuple[tuple[sp.Expr, int], ...] = ()  # each condition's d, and the sign of d


def has_kinks(expr: sp.Basic) -> bool:
    """True when ``expr`` has a piecewise node (``Max``, ``|x|``, an indicator, …)."""
    return bool(expr.has(*KINKED))


def decide_split(expr: sp.Expr, decide: Callable[[sp.Expr], Outcome]) -> Outcome:
    """Decide ``expr = 0`` branch by branch; ``decide`` is the index calculus on one.

    Raises:
        Unsupported: A condition on a bound index, a step SymPy wrote, or too many
            branches.
    """
    whole = as_piecewise(expr)
    kinks: list[sp.Expr] = []
    found: list[Outcome] = []
    done, left_out = branches(whole)
    for branch in done:
        kinks += [k for k in branch.kinks if k not in kinks]
        if has_kinks(branch.expr):  # a condition the split could not decide (on an entry)
            left_out = left_out or "a condition the split could not decide"
            continue
        outcome = decide(branch.expr)
        if not outcome.proved:
            case = " and ".join(branch.said)
            where = f"{BRANCH}{case}" if case else ""
            return Outcome(False, outcome.residual, where, steps=outcome.steps, branch=branch.signs)
        found.append(outcome)
    if left_out:  # every branch decided holds, but a case could not be split: no proof
        raise Unsupported(left_out)
    sides = [s for o in found for s in o.side_conditions]
    sides += [f"except where {unicode(k)} = 0" for k in kinks]
    bounds: dict[sp.Symbol, int] = {}
    for o in found:
        for size, low in o.bounds.items():
            bounds[size] = max(low, bounds.get(size, 1))
    used = tuple(sorted({u for o in found for u in o.used}))
    steps = found[0].steps if len(found) == 1 else ()
    return Outcome(True, sp.S.Zero, "", tuple(dict.fromkeys(sides)), steps, used, bounds)


TIE = "except where two entries tie"


def passed_over(*exprs: sp.Basic) -> tuple[str, ...]:
    r"""The kinks a concrete check passes over: the boundaries of conditions under a derivative.

    ``except where x = 0`` for ``\frac{d}{dx}\max(0, x)``, ``except where two entries
    tie`` for a derivative of ``\max_k z_k``.
    """
    found: list[str] = []
    for expr in exprs:
        for node in sp.preorder_traversal(expr):
            if not isinstance(node, sp.Derivative) or not node.expr.has(*KINKED):
                continue
            if node.expr.has(Extremum):
                found.append(TIE)
            free = node.expr.free_symbols
            for d in boundaries(node.expr):
                d = canonical(sp.expand(d))
                if d.free_symbols:
                    found.append(except_where(d, free))
    return tuple(dict.fromkeys(found))


def except_where(d: sp.Expr, free: set[sp.Basic]) -> str:
    """``except where x = 0``; for an index bound by a sum, ``except where x_a = 0 (any a)``."""
    bound = sorted((s for s in d.atoms(sp.Symbol) if s.is_integer and s not in free), key=str)
    names = [sp.Symbol(n, integer=True) for n in "abcdefgh"[: len(bound)]]
    if not bound or any(n in free for n in names):
        return f"except where {unicode(d)} = 0"
    shown = unicode(d.xreplace(dict(zip(bound, names, strict=True))))
    return f"except where {shown} = 0 (any {', '.join(map(str, names))})"


def boundaries(expr: sp.Basic) -> list[sp.Expr]:
    """The differences whose sign decides a piecewise node of ``expr`` (``x`` for ``|x|``)."""
    found: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Abs | sp.Heaviside | sp.sign):
            found.append(node.args[0])
        elif isinstance(node, sp.Max | sp.Min):
            found += [b - a for a, b in itertools.combinations(node.args, 2)]
        elif isinstance(node, Relational):
            found.append(node.lhs - node.rhs)
    return found


def as_piecewise(expr: sp.Expr) -> sp.Expr:
    """``Max``, ``Min`` and ``Abs`` as ``Piecewise``; a step or sign is refused."""
    if expr.has(sp.Heaviside, sp.sign):
        raise Unsupported("a step or a sign")
    if expr.has(Extremum):
        raise Unsupported("a maximum over an index (checked at concrete sizes)")
    for node in expr.atoms(sp.Sum, sp.Product):
        if node.has(*KINKED):
            raise Unsupported("a condition inside a sum or product (checked at concrete sizes)")
    rewritten: sp.Expr = expr.replace(
        lambda e: isinstance(e, sp.Max | sp.Min | sp.Abs), lambda e: e.rewrite(sp.Piecewise)
    )
    return rewritten


def branches(expr: sp.Expr) -> tuple[list[Branch], str]:
    """Every combination of signs of the conditions, each with its claim.

    A case ``d = 0`` that cannot be split (its solution would go inside a derivative
    that still has a kink) is left out and said, second: the other branches are still
    decided, and one that fails shows the claim is not proved there (``max(x, −2)``'s
    derivative against ``[x > −3]`` fails on ``−3 < x < −2``).
    """
    todo = [Branch(expr)]
    done: list[Branch] = []
    left_out = ""
    while todo:
        branch = todo.pop()
        d = next_difference(branch.expr)
        if d is None:
            done.append(branch)
            continue
        if len(todo) + len(done) > MAX_BRANCHES:
            raise Unsupported(f"more than {MAX_BRANCHES} branches")
        text = unicode(d)
        kink = is_kink(branch.expr, d)
        kinks = (*branch.kinks, d) if kink else branch.kinks
        # pushed so that d > 0 is decided first: the counterexample search starts there
        if not kink:
            said = (*branch.said, f"{text} = 0")
            try:
                zero = on_zero(branch.expr, d)
            except Unsupported as gap:
                left_out = left_out or str(gap)
            else:
                todo.append(Branch(zero, said, kinks, (*branch.signs, (d, 0))))
        for sign, word in ((-1, "<"), (1, ">")):
            decided = assume(branch.expr, d, sign)
            said = (*branch.said, f"{text} {word} 0")
            todo.append(Branch(decided, said, kinks, (*branch.signs, (d, sign))))
    return done, left_out


def next_difference(expr: sp.Expr) -> sp.Expr | None:
    """``left − right`` of a condition with no piecewise node inside it, or None."""
    found: list[sp.Expr] = []
    for node in sp.preorder_traversal(expr):
        if isinstance(node, sp.Piecewise):
            for _, condition in node.args:
                for rel in relations(condition):
                    d = sp.expand(rel.lhs - rel.rhs)
                    if not d.has(*KINKED):
                        found.append(canonical(d))
    kinks = [d for d in found if is_kink(expr, d)]  # first: the derivatives lose their kinks
    return (kinks or found or [None])[0]


def relations(condition: sp.Basic) -> list[Relational]:
    """The comparisons in a condition (``x > 0``, or those of an ``And``)."""
    if isinstance(condition, Relational):
        return [condition]
    if isinstance(condition, sp.And | sp.Or | sp.Not | sp.ITE):
        return [r for c in condition.args for r in relations(c)]
    if condition in (sp.true, sp.false):
        return []
    raise Unsupported(f"the condition {condition}")


def canonical(d: sp.Expr) -> sp.Expr:
    """``d`` without its numeric content, its leading sign positive (``2x`` is ``x``)."""
    _, primitive = d.as_content_primitive()
    return -primitive if primitive.could_extract_minus_sign() else primitive


def ratio(difference: sp.Expr, d: sp.Expr) -> sp.Expr | None:
    """The number ``r ≠ 0`` with ``difference = r·d``, or None."""
    if difference == 0:
        return None
    r = sp.cancel(difference / d)
    return r if r.is_Number and r != 0 else None


def assume(expr: sp.Expr, d: sp.Expr, sign: int) -> sp.Expr:
    """``expr`` where ``d`` has the sign ``sign`` (+1 or −1): its comparisons decided."""

    def decided(rel: Relational) -> sp.Basic:
        r = ratio(sp.expand(rel.lhs - rel.rhs), d)
        if r is None:
            return rel
        return type(rel)(sp.Integer(sign if r > 0 else -sign), 0)

    result: sp.Expr = expr.replace(lambda e: isinstance(e, Relational), decided)
    return result


def on_zero(expr: sp.Expr, d: sp.Expr) -> sp.Expr:
    """``expr`` where ``d = 0``: solved for a variable ``d`` holds linearly.

    The solution is not put inside a derivative by one of its variables: ``y = x`` in
    ``∂/∂x (x y)`` would change the derivative (the case is refused instead).

    Raises:
        Unsupported: ``d`` holds no variable linearly with a constant coefficient.
    """
    derivatives = expr.atoms(sp.Derivative)
    differentiated = {v for node in derivatives for v in by(node)}
    for variable in sorted(d.free_symbols, key=str):
        if variable.is_integer or variable in differentiated:
            continue
        slope = sp.diff(d, variable)
        if slope.is_number and slope != 0:
            at = sp.expand(variable - d / slope)
            moving = [n for n in derivatives if n.has(variable) and by(n) & at.free_symbols]
            if any(n.expr.has(*KINKED) for n in moving):
                continue  # y = x put inside ∂/∂x would be differentiated too
            done = expr.xreplace({n: n.doit() for n in moving})  # differentiated first
            result: sp.Expr = done.xreplace({variable: at})
            return result
    raise Unsupported(f"the case {d} = 0")


def by(node: sp.Derivative) -> set[sp.Basic]:
    """The variables ``node`` differentiates by."""
    return {v for v, _ in node.variable_count}


def is_kink(expr: sp.Expr, d: sp.Expr) -> bool:
    """True when a condition on ``d`` sits under a derivative by one of ``d``'s variables."""
    names = {_name(a) for a in d.atoms(sp.Symbol, sp.Indexed)}
    for node in expr.atoms(sp.Derivative):
        variables = {_name(v) for v, _ in node.variable_count}
        if not variables & names:
            continue
        for rel in node.expr.atoms(Relational):
            if ratio(sp.expand(rel.lhs - rel.rhs), d) is not None:
                return True
    return False


def _name(atom: sp.Basic) -> str:
    """A symbol's name, or an entry's base (``z`` for ``z_j`` and ``z_k`` alike)."""
    return str(atom.base.label) if isinstance(atom, sp.Indexed) else str(atom)
