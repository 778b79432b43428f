"""Real counterexamples that a person can check by hand.

Given a size and index values where the modular check saw ``left ≠ right``, try simple
points (logits small integers, targets in [0, 1], other scalars 2 or 3), make each
satisfy the claim's assumptions, evaluate both sides with mpmath at 50 digits, and keep
the first point where they differ beyond rounding.

Points that respect what the document says of its inputs (a 0/1 label, a one-hot
target: :mod:`derive.proving.respect`) come first. They only decide which
counterexample is shown: where none of them is one, the one found is shown with the
wishes it does not meet, and how the points that met them fared.
"""

from __future__ import annotations

import itertools
import random
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import replace
from fractions import Fraction
from typing import Any

import sympy as sp

from derive.proving.arithmetic import Key, ModP, NotExact, NotSupported, Real, Undefined
from derive.proving.evaluate import Evaluator, impose
from derive.proving.modular import Problem, instances
from derive.proving.respect import Wish, fitted, shown, unmet
from derive.verdict import Counterexample

TRIES = 40
SHOWN = 6  # significant digits shown


def find_counterexample(
    problem: Problem,
    sizes: dict[sp.Symbol, int],
    indices: dict[sp.Symbol, int],
    accept: Callable[[Counterexample], Counterexample | None] = lambda found: found,
    wishes: Sequence[Wish] = (),
) -> Counterexample | None:
    """Return a real counterexample at these sizes and indices, if one is found.

    A point where a side needs what it does not have (a radicand ≥ 0, …) is passed
    over; ``accept`` confirms a candidate (returning it as it is to be shown) or turns
    it down. One that meets the ``wishes`` is preferred; once a counterexample that does
    not is at hand, only points that do are evaluated.
    """
    kinds = leaf_kinds(problem, sizes, indices)
    fallback: Counterexample | None = None  # meets the wishes, targets outside [0, 1]
    other: tuple[Counterexample, tuple[Wish, ...]] | None = None  # meets not all of them
    equal = undefined = 0  # points that met the wishes: sides equal, or not both defined
    for values in candidates(kinds, wishes):
        extra = (problem.digits - 50) // 3  # the digits of the claim's longest number
        arith = Real(dict(values), problem.digits, agree=33 + 2 * extra)
        missed: tuple[Wish, ...] | None = None
        try:
            impose(arith, sizes, instances(problem, sizes))
            missed = unmet(arith.values, wishes)
            if missed and (other is not None or fallback is not None):
                continue
            evaluator = Evaluator(arith, {**sizes, **indices}, problem.axes, problem.padded)
            if not within(evaluator, arith, problem.domain):
                undefined += missed == ()
                continue
            left, right = evaluator.value(problem.lhs), evaluator.value(problem.rhs)
        except (Undefined, NotSupported, ZeroDivisionError):
            undefined += missed == ()
            continue
        if arith.equal(left, right):
            equal += missed == ()
            continue
        found = accept(render(sizes, indices, arith, left, right))
        if found is None:
            continue
        if missed:
            other = other or (found, missed)
            continue
        if in_unit_interval(arith, kinds):
            return found
        fallback = fallback or found
    if fallback is not None or other is None:
        return fallback
    example, missed = other
    return replace(example, unmet=shown(missed), tried=(equal, undefined))


def within(evaluator: Evaluator, arith: Real, domain: tuple[tuple[sp.Expr, str], ...]) -> bool:
    """True when the point meets what the claim needs as written (``x ≥ 0`` for ``√x``)."""
    for expr, relation in domain:
        value = evaluator.value(expr)
        zero = arith.equal(value, arith.number(sp.S.Zero))
        if (
            (relation == "≠ 0" and zero)
            or (relation == "> 0" and (value < 0 or zero))
            or (relation == "≥ 0" and value < 0 and not zero)
        ):
            return False
    return True


def leaf_kinds(
    problem: Problem, sizes: dict[sp.Symbol, int], indices: dict[sp.Symbol, int]
) -> dict[Key, str]:
    """Classify inputs: ``logit`` (inside e^x), ``target`` (indexed), ``scalar``."""
    arith: ModP | Real = ModP(7)
    try:
        impose(arith, sizes, instances(problem, sizes))
    except (Undefined, NotSupported):
        pass
    evaluator = Evaluator(arith, {**sizes, **indices}, problem.axes, problem.padded)
    for side in (problem.lhs, problem.rhs):
        try:
            evaluator.value(side)
        except NotExact:  # a root, a sine, a branch: which inputs are read, over the reals
            arith = real_touched(problem, {**sizes, **indices})
            break
        except (Undefined, NotSupported):
            continue
    kinds: dict[Key, str] = {}
    exps = {key[1:] for key in arith.touched if key[0] == "exp"}
    for key in dict.fromkeys(arith.touched):
        if key[0] == "exp":
            continue
        kinds[key] = "logit" if key in exps else ("target" if len(key) > 1 else "scalar")
    for key in exps:
        kinds.setdefault(key, "logit")
    return kinds


def real_touched(problem: Problem, env: dict[sp.Symbol, int]) -> Real:
    """Real arithmetic that has read every input, at points of each sign.

    Every branch of a piecewise value (``x`` where ``x > 0``, ``αx`` elsewhere) is taken.
    """
    touched: list[Key] = []
    for mode in ("positive", "negative", "signed"):
        arith = Real({}, seed=7, mode=mode)
        evaluator = Evaluator(arith, env, problem.axes, problem.padded)
        for side in (problem.lhs, problem.rhs):
            try:
                evaluator.value(side)
            except (Undefined, NotSupported):
                continue
        touched += arith.touched
    arith.touched = touched
    return arith


def candidates(kinds: Mapping[Key, str], wishes: Sequence[Wish] = ()) -> Iterator[dict[Key, Any]]:
    """Simple points first, then small random ones (reproducibly).

    Each point is preceded by its variant that meets the ``wishes``, if it differs.
    """
    for turn, point in enumerate(plain_candidates(kinds)):
        wished = fitted(point, wishes, turn)
        if wished != point:
            yield wished
        yield point


def plain_candidates(kinds: Mapping[Key, str]) -> Iterator[dict[Key, Any]]:
    """Simple points first, then small random ones (reproducibly)."""
    keys = sorted(kinds, key=repr)
    position = {key: n for n, key in enumerate(keys)}

    def point(logit: Any, target: Any, scalar: Any) -> dict[Key, Any]:
        pick = {"logit": logit, "target": target, "scalar": scalar}
        return {key: pick[kinds[key]](key) for key in keys}

    def rank(key: Key) -> int:
        return sum(key[1]) - len(key[1]) if len(key) > 1 else position[key]

    yield point(lambda k: rank(k) % 3, lambda k: 1, lambda k: 2)
    yield point(lambda k: 0, lambda k: 1, lambda k: 2)
    yield point(lambda k: rank(k) % 2, lambda k: int(rank(k) == 0), lambda k: 3)
    rng = random.Random(11)
    for n in range(TRIES):
        if n % 2:  # wider: a scalar may need to be negative, or large, to tell
            scalars = (-10, -3, -2, -1, Fraction(-1, 2), 0, Fraction(1, 2), 1, 6, 10)
            yield point(
                lambda k: rng.randint(-4, 4),
                lambda k: rng.choice((Fraction(-1), Fraction(0), Fraction(1, 2), 2)),
                lambda k, values=scalars: rng.choice(values),
            )
            continue
        yield point(
            lambda k: rng.randint(-2, 2),
            lambda k: rng.choice((Fraction(0), Fraction(1, 2), Fraction(1))),
            lambda k: rng.randint(2, 4),
        )


def in_unit_interval(arith: Real, kinds: Mapping[Key, str]) -> bool:
    """True when every target value (including solved ones) lies in [0, 1]."""
    return all(
        0 <= arith.values[k] <= 1
        for k, kind in kinds.items()
        if kind == "target" and k in arith.values
    )


def render(
    sizes: Mapping[sp.Symbol, int],
    indices: Mapping[sp.Symbol, int],
    arith: Real,
    left: Any,
    right: Any,
) -> Counterexample:
    """Group input values by name for display: vectors as tuples, matrices by rows."""
    groups: dict[str, dict[tuple[int, ...], str]] = {}
    for key, value in arith.values.items():
        groups.setdefault(key[0], {})[key[1] if len(key) > 1 else ()] = number(arith, value)
    values: dict[str, str] = {}
    for name, items in sorted(groups.items()):
        heads = sorted({key[0] for key in items if key})
        if () in items or (heads == list(range(1, len(heads) + 1)) and len(heads) > 1):
            values[name] = nest(items)
        else:  # a few entries of a longer vector: name them one by one
            for key, value in sorted(items.items()):
                values[f"{name}_{','.join(map(str, key))}"] = value
    point = tuple(
        (key[0], tuple(key[1]) if len(key) > 1 else (), exact(arith, value))
        for key, value in arith.values.items()
    )
    return Counterexample(
        {str(k): v for k, v in sizes.items()},
        {str(k): v for k, v in indices.items()},
        values,
        number(arith, left),
        number(arith, right),
        point,
    )


def completed(
    point: tuple[tuple[str, tuple[int, ...], str], ...],
    axes: Mapping[str, tuple[str | None, ...]],
    sizes: Mapping[str, int],
) -> tuple[tuple[str, tuple[int, ...], str], ...]:
    """The point with every entry of its vectors and matrices: those it leaves out are 0.

    An entry the claim does not read does not change it (the second opinion checks
    that); showing it makes each vector whole.
    """
    given = {(name, ix): value for name, ix, value in point}
    out = list(point)
    for name in dict.fromkeys(name for name, ix, _ in point if ix):
        shape = axes.get(name)
        if not shape or any(a is None or a not in sizes for a in shape):
            continue
        for ix in itertools.product(*[range(1, sizes[a] + 1) for a in shape if a]):
            if (name, ix) not in given:
                out.append((name, ix, "0"))
    return tuple(out)


def grouped(point: tuple[tuple[str, tuple[int, ...], str], ...]) -> dict[str, str]:
    """The point's values by name, as :func:`render` shows them."""
    groups: dict[str, dict[tuple[int, ...], str]] = {}
    for name, ix, value in point:
        groups.setdefault(name, {})[ix] = brief(value)
    values: dict[str, str] = {}
    for name, items in sorted(groups.items()):
        heads = sorted({key[0] for key in items if key})
        if () in items or (heads == list(range(1, len(heads) + 1)) and len(heads) > 1):
            values[name] = nest(items)
        else:
            for key, value in sorted(items.items()):
                values[f"{name}_{','.join(map(str, key))}"] = value
    return values


def brief(value: str) -> str:
    """An exact value as shown: integers and fractions whole, decimals to 6 digits."""
    if "." not in value and "e" not in value.lower():
        return value
    return f"{float(value):.6g}"


def exact(arith: Real, value: Any) -> str:
    """A value as a fraction when it is one, else to 50 significant digits."""
    if isinstance(value, (int, Fraction)):
        return str(value)
    return str(arith.mp.nstr(value, 50))


def nest(items: Mapping[tuple[int, ...], str]) -> str:
    """``{(): "2"}`` → ``2``; ``{(1,): "0", (2,): "1"}`` → ``(0, 1)``; rows for two indices."""
    if () in items:
        return items[()]
    heads = sorted({key[0] for key in items})
    if all(len(key) == 1 for key in items):
        return f"({', '.join(items[(h,)] for h in heads)})"
    rows = [nest({key[1:]: v for key, v in items.items() if key[0] == h}) for h in heads]
    return f"({', '.join(rows)})"


def number(arith: Real, value: Any) -> str:
    """Show a value exactly when it is a simple fraction, else to 6 significant digits."""
    if isinstance(value, (int, Fraction)):
        return str(value)
    if not arith.mp.mpf(10) ** -9 < abs(value) < arith.mp.mpf(10) ** 12:
        return str(arith.mp.nstr(value, SHOWN))  # far from a simple fraction
    exact = Fraction(str(arith.mp.nstr(value, 30))).limit_denominator(1000)
    if abs(arith.mp.mpf(exact.numerator) / exact.denominator - value) < arith.mp.mpf(10) ** -25:
        return str(exact)
    return str(arith.mp.nstr(value, SHOWN))
