"""The second opinion: a claim evaluated as written, before derive calls it true or false.

:func:`second_opinion` evaluates both sides with the independent interpreter
(:mod:`derive.evaluating.interpreter`) at small sizes, for every assignment of the free
indices that the claim's ``where`` allows, at random points (drawn afresh from the run's
seed) that satisfy its assumptions. A proof or a verification stands only if the sides
agree wherever both are defined. :func:`confirm` evaluates the two sides again at a
counterexample's own point, at 50 digits, before it is shown.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import mpmath
import sympy as sp

from derive import symbols
from derive.evaluating.interpreter import (
    Interpreter,
    Key,
    NotEvaluable,
    Point,
    StandIns,
    Undefined,
)
from derive.evaluating.jets import real
from derive.evaluating.stand_ins import Drawn, Shown
from derive.memo import OwnedMemo
from derive.model import Claim, Condition, Document

DIGITS = 50  # the second opinion's precision; agreement means |l − r| ≤ 10^-33 (1 + |l| + |r|)
ATTEMPTS = 6  # random points tried for an assignment where a side is undefined
MAX_ASSIGNMENTS = 64


@dataclass(frozen=True)
class Opinion:
    """What the second opinion found.

    ``agrees`` is True (the sides agree at every one of ``checked`` evaluations), False
    (they differ at ``sizes``, ``indices``: ``left`` against ``right``) or None (it could
    not evaluate the claim anywhere: ``reason`` says why).
    """

    agrees: bool | None
    checked: int = 0
    reason: str = ""
    sizes: Mapping[str, int] | None = None
    indices: Mapping[str, int] | None = None
    left: str = ""
    right: str = ""


@dataclass(frozen=True)
class Confirmation:
    """A counterexample evaluated again: do the sides differ there, and their values."""

    differ: bool
    left: Any = None
    right: Any = None
    reason: str = ""


SHOWING = 60  # digits at which a value is recognised as a simple fraction


def context(digits: int) -> Any:
    """A private mpmath context at ``digits`` significant digits."""
    ctx = mpmath.mp.clone()
    ctx.dps = digits
    return ctx


def second_opinion(
    doc: Document,
    claim: Claim,
    size_list: Sequence[Mapping[str, int]],
    *,
    seed: int,
    where: Sequence[Condition] | None = None,
    digits: int = DIGITS,
) -> Opinion:
    """Evaluate the claim at each size assignment of ``size_list`` (see the module).

    The precision grows with the longest number the claim or its definitions write, so
    that ``10^{40} + 1`` and ``10^{40}`` stay apart.
    """
    longest = longest_number(doc, claim)
    agree = digits + 3 * longest // 2  # close() agrees to two thirds of these digits
    digits += 3 * longest
    ctx = context(digits)
    conditions = claim.where if where is None else where
    stand_ins = Drawn(seed)
    checked = 0
    try:
        for number, sizes in enumerate(size_list):
            full = {**dict.fromkeys(doc.sizes, 2), **sizes, **doc.fixed}
            pending = list(assignments(doc, claim, full, conditions, seed))
            for attempt in range(ATTEMPTS):
                if not pending:
                    break
                # sizes take turns starting with small points and with large ones
                point = Point(ctx, {}, drawing(seed, attempt + 2 * (number % 2)))
                try:
                    impose(doc, claim.assume, full, point, stand_ins, ctx)
                except Undefined:
                    continue
                it = Interpreter(doc, full, point, stand_ins, ctx)
                still = []
                for env in pending:
                    it.top = dict(env)
                    try:
                        it.require(claim.domain, env)
                        left, right = it.value(claim.lhs, env), it.value(claim.rhs, env)
                    except Undefined:
                        still.append(env)
                        continue
                    if not close(left, right, agree) and not again_close(
                        doc, claim, full, point, stand_ins, env, 4 * digits, agree
                    ):
                        return Opinion(
                            False,
                            checked,
                            sizes=dict(sizes),
                            indices={s.name: v for s, v in env.items()},
                            left=show(left),
                            right=show(right),
                        )
                    checked += 1
                pending = still
    except NotEvaluable as gap:
        return Opinion(None, checked, reason=f"the second opinion cannot evaluate it: {gap}")
    if not checked:
        return Opinion(None, 0, reason="no point was found where both sides are defined")
    return Opinion(True, checked)


def confirm(
    doc: Document,
    claim: Claim,
    sizes: Mapping[str, int],
    indices: Mapping[str, int],
    values: Iterable[tuple[str, tuple[int, ...], str]],
    *,
    entry: tuple[sp.Basic, sp.Basic] | None = None,
    digits: int = 50,
) -> Confirmation:
    """Evaluate both sides at a counterexample's point; do they differ there?

    ``values`` gives the inputs (name, indices, value as an integer, a fraction or a
    decimal). An input it leaves out must not matter: it is drawn twice, and the two
    evaluations must agree. The assumptions the claim lists must hold there and its
    ``where`` must be met; for a matrix claim, ``entry`` names the entry compared.

    Each side is evaluated at ``digits`` (more where the claim writes long numbers) and
    at twice as many, and must come out the same both times to half the digits: a value
    lost to cancellation is computed again at a higher precision, up to 1,600 digits,
    or the point is not confirmed. The sides then differ when they differ by more than
    that.
    """
    given = list(values)
    digits += 3 * longest_number(doc, claim)
    while True:
        low = evaluate_at(doc, claim, sizes, indices, given, entry, digits)
        if low.reason:
            return low
        high = evaluate_at(doc, claim, sizes, indices, given, entry, 2 * digits)
        if high.reason:
            return high
        if stable(low.left, high.left, digits // 2) and stable(low.right, high.right, digits // 2):
            break
        if digits >= 800:
            return Confirmation(False, reason="its sides cannot be computed accurately there")
        digits *= 2
    differ = not stable(high.left, high.right, digits // 2 - 2)
    return Confirmation(differ, high.left, high.right)


def stable(a: Any, b: Any, digits: int) -> bool:
    """The same value to ``digits`` digits (relative, or absolute near 0; matrices entrywise)."""
    if isinstance(a, tuple) or isinstance(b, tuple):
        if not (isinstance(a, tuple) and isinstance(b, tuple)) or len(a) != len(b):
            return False
        return all(
            len(row_a) == len(row_b)
            and all(stable(x, y, digits) for x, y in zip(row_a, row_b, strict=True))
            for row_a, row_b in zip(a, b, strict=True)
        )
    x, y = real(a), real(b)
    return bool(abs(x - y) <= mpmath.mpf(10) ** -digits * (1 + abs(x) + abs(y)))


def evaluate_at(
    doc: Document,
    claim: Claim,
    sizes: Mapping[str, int],
    indices: Mapping[str, int],
    values: list[tuple[str, tuple[int, ...], str]],
    entry: tuple[sp.Basic, sp.Basic] | None,
    digits: int,
) -> Confirmation:
    """Both sides at the point, at ``digits`` digits (``reason`` says why not)."""
    full = {**dict.fromkeys(doc.sizes, 2), **sizes, **doc.fixed}
    given: dict[Key, Any] = {(name, tuple(ix)): value for name, ix, value in values}
    env: dict[sp.Basic, Any] = {symbols.index(n): v for n, v in indices.items()}
    if not meets(claim.where, env):
        return Confirmation(False, reason="the indices do not meet the claim's `where`")
    found = []
    for attempt in (0, 1):
        ctx = context(digits)
        point = Point(ctx, given, drawing(attempt + 7, 1))
        try:
            it = Interpreter(doc, full, point, Shown(), ctx)
            it.top = dict(env)
            for expr, at in instances(doc, claim.assume, full):
                residual = real(it.value(expr, at))
                if abs(residual) > ctx.mpf(10) ** (5 - digits):
                    return Confirmation(False, reason="the point does not satisfy the assumptions")
            it.require(claim.domain, env)
            left, right = it.value(claim.lhs, env), it.value(claim.rhs, env)
        except Undefined as why:
            return Confirmation(False, reason=f"a side is undefined there ({why})")
        except NotEvaluable as gap:
            return Confirmation(False, reason=f"the second opinion cannot evaluate it: {gap}")
        if entry is not None and isinstance(left, tuple) and isinstance(right, tuple):
            row, col = (int(v) if v.is_Integer else env[v] for v in entry)
            left, right = left[row - 1][col - 1], right[row - 1][col - 1]
        found.append((left, right))
        if len(point.exact) == len(given):
            break  # every input was given
    if len(found) == 2 and not (
        close(found[0][0], found[1][0], digits) and close(found[0][1], found[1][1], digits)
    ):
        return Confirmation(False, reason="the point leaves out an input that matters")
    left, right = found[0]
    return Confirmation(True, left, right)


def again_close(
    doc: Document,
    claim: Claim,
    sizes: Mapping[str, int],
    point: Point,
    stand_ins: StandIns,
    env: Mapping[sp.Basic, int],
    digits: int,
    agree: int,
) -> bool:
    """The sides at the same point, at more digits: close after all (it was rounding)?

    Large and small terms together lose digits to cancellation; a difference that goes
    away at four times the precision was not one.
    """
    ctx = context(digits)
    again = Point(ctx, point.exact, None)
    try:
        it = Interpreter(doc, sizes, again, stand_ins, ctx)
        it.top = dict(env)
        left, right = it.value(claim.lhs, env), it.value(claim.rhs, env)
    except (Undefined, NotEvaluable):
        return True  # no longer evaluable here: no evidence either way
    return close(left, right, agree)


def longest_number(doc: Document, claim: Claim) -> int:
    """The digits of the longest integer (numerator or denominator) the claim depends on.

    Remembered for the last claims seen.
    """
    key = (claim.lhs, claim.rhs)
    found = LONGEST.get(doc, key)
    if found is None:
        found = LONGEST.put(doc, key, digits_of(doc, claim))
    return found


LONGEST: OwnedMemo[Document, tuple[sp.Basic, sp.Basic], int] = OwnedMemo("opinion.LONGEST", 256)


def digits_of(doc: Document, claim: Claim) -> int:
    """:func:`longest_number`, worked out."""
    exprs = [
        claim.lhs,
        claim.rhs,
        *(doc.definitions[n].body for n in reachable(doc, [claim.lhs, claim.rhs])),
    ]
    longest = 0
    for expr in exprs:
        for r in expr.atoms(sp.Rational):
            for n in (abs(int(r.p)), int(r.q)):
                if n > 10**6:
                    longest = max(longest, len(str(n)))
    return min(longest, 2000)


def close(left: Any, right: Any, digits: int) -> bool:
    """Equal up to rounding at ``digits`` digits; matrices entry by entry."""
    if isinstance(left, tuple) or isinstance(right, tuple):
        if not (isinstance(left, tuple) and isinstance(right, tuple)):
            return False
        if len(left) != len(right):
            return False
        if any(len(a) != len(b) for a, b in zip(left, right, strict=True)):
            return False
        return all(
            close(a, b, digits)
            for row_a, row_b in zip(left, right, strict=True)
            for a, b in zip(row_a, row_b, strict=True)
        )
    a, b = real(left), real(right)
    tolerance = mpmath.mpf(10) ** -(digits * 2 // 3)
    return bool(abs(a - b) <= tolerance * (1 + abs(a) + abs(b)))


def show(value: Any) -> str:
    """A value as a reader checks it: a simple fraction exactly, else 6 significant digits.

    A matrix is shown by rows, a column as a tuple.
    """
    if isinstance(value, tuple):
        rows = [show(row[0]) if len(row) == 1 else show(row) for row in value]
        return "(" + ", ".join(rows) + ")"
    ctx = context(SHOWING)  # never mpmath's global precision, which a caller may have set
    plain = real(value)
    if isinstance(plain, Fraction):
        return (
            str(plain)
            if plain.denominator <= 1000
            else str(ctx.nstr(ctx.mpf(plain.numerator) / plain.denominator, 6))
        )
    x = ctx.mpf(plain)
    if not ctx.mpf(10) ** -9 < abs(x) < ctx.mpf(10) ** 12:
        return "0" if x == 0 else str(ctx.nstr(x, 6))
    simple = Fraction(str(ctx.nstr(x, 30))).limit_denominator(1000)
    if abs(ctx.mpf(simple.numerator) / simple.denominator - x) < ctx.mpf(10) ** -25 * (1 + abs(x)):
        return str(simple)
    return str(ctx.nstr(x, 6))


RANGES = ((-30, 30), (1, 30), (-100, 100), (1, 30), (1, 6), (1, 6))  # numerators over 7, 11, 13


def drawing(seed: int, attempt: int) -> Any:
    """Random rational inputs: any sign, positive, large, positive, then twice in (0, 1).

    The last two fit a probability under a real power or a logarithm of ``1 - p``.
    """

    def draw(key: Key) -> Fraction:
        rng = random.Random(repr((seed, attempt, key)))
        low, high = RANGES[attempt % len(RANGES)]
        return Fraction(rng.randint(low, high), rng.choice((7, 11, 13)))

    return draw


def free_indices(doc: Document, claim: Claim) -> list[sp.Symbol]:
    """The claim's free indices, sorted.

    Those of derivative variables count, and so does an index that a definition the
    claim uses leaves free (``y = e^{z_i}/Σ_k e^{z_k}``: the claim holds for every ``i``).
    """
    found: set[sp.Symbol] = set()
    for side in (claim.lhs, claim.rhs):
        found |= indices_in(doc, side, frozenset())
    for expr, _, over in claim.domain:  # as written: SymPy may have simplified one away
        found |= indices_in(doc, expr, frozenset(v for v, *_ in over))
    for name in reachable(doc, [claim.lhs, claim.rhs]):
        definition = doc.definitions[name]
        params = {s for p in definition.params for s in p.free_symbols}
        found |= indices_in(doc, definition.body, frozenset(params))
    return sorted(found, key=lambda s: s.name)


def reachable(doc: Document, exprs: Iterable[sp.Basic]) -> set[str]:
    """The defined names ``exprs`` use, directly or through other definitions."""
    seen: set[str] = set()
    todo = list(exprs)
    while todo:
        node = todo.pop()
        if isinstance(node, type) or not isinstance(node, sp.Basic):
            continue
        name = symbols.base_name(node) if not isinstance(node, sp.Derivative) else None
        if isinstance(node, sp.MatrixSymbol):
            name = str(node.name)
        if name is not None and name in doc.definitions and name not in seen:
            seen.add(name)
            todo.append(doc.definitions[name].body)
        decl = doc.functions.get(name or "")
        if decl is not None and decl.opaque:
            for param in decl.params:
                label = symbols.base_name(param)
                if label is not None and label in doc.definitions and label not in seen:
                    seen.add(label)
                    todo.append(doc.definitions[label].body)
        todo.extend(node.args)
    return seen


def indices_in(doc: Document, node: sp.Basic, bound: frozenset[sp.Basic]) -> set[sp.Symbol]:
    """Declared index symbols free in ``node``."""
    if isinstance(node, sp.Symbol):
        ok = node.is_integer and node.name in doc.indices and node not in bound
        return {node} if ok else set()
    if isinstance(node, sp.Sum | sp.Product | symbols.Extremum):
        inner = bound | {lim[0] for lim in node.limits}
        found = indices_in(doc, node.function, inner)
        for _, lo, hi in node.limits:
            found |= indices_in(doc, lo, bound) | indices_in(doc, hi, bound)
        return found
    out: set[sp.Symbol] = set()
    for arg in node.args:
        if isinstance(arg, sp.Basic):
            out |= indices_in(doc, arg, bound)
    return out


def assignments(
    doc: Document,
    claim: Claim,
    sizes: Mapping[str, int],
    conditions: Sequence[Condition],
    seed: int,
) -> list[dict[sp.Basic, int]]:
    """Every assignment of the free indices that meets ``conditions`` (at most 64).

    Beyond 64, the assignments with every index at 1, 2, its size − 1 or its size come
    first, then a random sample of the rest.
    """
    free = free_indices(doc, claim)
    ranges = [range(1, sizes[doc.indices[i.name]] + 1) for i in free]
    every = [dict(zip(free, combo, strict=True)) for combo in itertools.product(*ranges)]
    every = [env for env in every if meets(conditions, env)]
    if len(every) <= MAX_ASSIGNMENTS:
        return every

    def edge(env: Mapping[sp.Basic, int]) -> bool:
        return all(
            v in (1, 2, sizes[doc.indices[s.name]] - 1, sizes[doc.indices[s.name]])
            for s, v in env.items()
            if isinstance(s, sp.Symbol)
        )

    edges = [env for env in every if edge(env)]
    rest = [env for env in every if not edge(env)]
    random.Random(seed).shuffle(rest)
    return (edges + rest)[:MAX_ASSIGNMENTS]


def meets(conditions: Sequence[Condition], env: Mapping[sp.Basic, int]) -> bool:
    """True when the index values meet every condition whose indices they give."""
    for c in conditions:
        a, b = value_of(c.left, env), value_of(c.right, env)
        if a is None or b is None:
            continue
        if (a == b) != (c.op == "="):
            return False
    return True


def value_of(x: sp.Basic, env: Mapping[sp.Basic, int]) -> int | None:
    """An index's value, or a literal's."""
    if isinstance(x, sp.Integer):
        return int(x)
    return env.get(x)


def instances(
    doc: Document, names: Sequence[str], sizes: Mapping[str, int]
) -> list[tuple[sp.Expr, dict[sp.Basic, int]]]:
    """Each listed assumption ``lhs − rhs``, once per value of its free indices."""
    out = []
    for name in names:
        a = doc.assumptions[name]
        expr = a.lhs - a.rhs
        free = sorted(indices_in(doc, expr, frozenset()), key=lambda s: s.name)
        ranges = [range(1, sizes[doc.indices[i.name]] + 1) for i in free]
        for combo in itertools.product(*ranges):
            out.append((expr, dict(zip(free, combo, strict=True))))
    return out


def impose(
    doc: Document,
    names: Sequence[str],
    sizes: Mapping[str, int],
    point: Point,
    stand_ins: StandIns,
    ctx: Any,
) -> None:
    """Make the point satisfy each listed assumption by solving for one input each.

    An instance is solved for the last input it reads that no other instance reads: in
    ``Σ_k t_k = 1`` that is ``t_K``. It must be affine in that input.

    Raises:
        NotEvaluable: no such input, or the assumption is not affine in it.
        Undefined: an assumption has no value at this point.
    """
    found = instances(doc, names, sizes)
    touched = []
    for expr, env in found:
        point.touched = []
        Interpreter(doc, sizes, point, stand_ins, ctx).value(expr, env)
        touched.append(list(dict.fromkeys(point.touched)))
    taken: set[Key] = set()
    for number, (expr, env) in enumerate(found):
        others = {k for m, keys in enumerate(touched) if m != number for k in keys}
        choice = next((k for k in reversed(touched[number]) if k not in others | taken), None)
        if choice is None:
            raise NotEvaluable("an assumption shares all its inputs with another")
        taken.add(choice)
        solve(doc, expr, env, choice, sizes, point, stand_ins, ctx)


def solve(
    doc: Document,
    expr: sp.Expr,
    env: Mapping[sp.Basic, int],
    key: Key,
    sizes: Mapping[str, int],
    point: Point,
    stand_ins: StandIns,
    ctx: Any,
) -> None:
    """Set input ``key`` so that ``expr`` is zero (``expr`` affine in it)."""

    def residual(x: Any) -> Any:
        point.set(key, x)
        return real(Interpreter(doc, sizes, point, stand_ins, ctx).value(expr, env))

    r0, r1, r2 = residual(0), residual(1), residual(2)
    slope = r1 - r0
    scale_ = 1 + abs(r0) + abs(r1) + abs(r2)
    tolerance = ctx.mpf(10) ** -(ctx.dps * 2 // 3)
    if abs(r2 - 2 * r1 + r0) > tolerance * scale_ or slope == 0:
        raise NotEvaluable(f"an assumption is not affine in {key[0]}")
    solution = -r0 / slope
    simple = Fraction(str(mpmath.nstr(solution, ctx.dps))).limit_denominator(10**6)
    close_enough = abs(ctx.mpf(simple.numerator) / simple.denominator - solution) < tolerance
    if abs(residual(simple if close_enough else solution)) > tolerance * scale_:
        raise NotEvaluable(f"an assumption could not be solved for {key[0]}")
