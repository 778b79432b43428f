"""Decide a claim: all-K proof first, then concrete sizes, then a real counterexample.

``prove_claim`` picks and combines the strategies, one module each:
:mod:`~derive.prover.index_calculus` (all K), :mod:`~derive.prover.modular`
(concrete K, exact and randomised) and :mod:`~derive.prover.counterexample`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Sequence
from dataclasses import replace

import sympy as sp

from derive import symbols
from derive.defaults import DEFAULT_SIZES, DEFAULT_TIMEOUT
from derive.model import Claim, Document
from derive.prover.arithmetic import NotSupported
from derive.prover.counterexample import find_counterexample
from derive.prover.expand import claim_meaning, entry_of, meaning
from derive.prover.index_calculus import IndexCalculus, Outcome, Rule, Unsupported, assumption_rule
from derive.prover.limits import TimeLimit, time_limit
from derive.prover.modular import Problem, check_sizes, defined_at
from derive.verdict import Verdict

MAX_COMBINATIONS = 64
QUICK_SIZE = 2  # sizes up to this rule assumptions out before they are decided in full
MAX_LEADS = 6  # index assignments, where the modular check saw a difference, to try

__all__ = ["DEFAULT_SIZES", "DEFAULT_TIMEOUT", "prove_claim"]


def checked_form(doc: Document, claim: Claim) -> str:
    """How a matrix claim was checked: ``entry (1, h) of each side``; empty for scalars."""
    entry = entry_of(claim, doc)
    return "" if entry is None else f"entry ({entry[0]}, {entry[1]}) of each side"


def prove_claim(
    doc: Document,
    claim: Claim,
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Verdict:
    """Return the verdict on ``claim`` (never raises for a false or unsupported claim).

    Args:
        doc: the document the claim belongs to.
        claim: the claim.
        sizes: the concrete values tried for every size when no all-K proof is found.
        timeout: seconds before the answer becomes ``undecided``.
    """
    start = time.perf_counter()
    try:
        with time_limit(timeout):
            verdict = decide(doc, claim, sizes, claim.assume)
    except TimeLimit as limit:
        verdict = Verdict("undecided", message=str(limit), timed_out=True)
    except (Unsupported, NotSupported) as gap:
        verdict = Verdict("undecided", message=f"not supported yet: {gap}")
    except RecursionError:
        verdict = Verdict("undecided", message="the expression is nested too deeply")
    except (TypeError, ValueError, AttributeError, NotImplementedError) as err:
        # A SymPy construction derive does not handle: say so, never crash the run.
        verdict = Verdict("undecided", message=f"not supported yet ({type(err).__name__}: {err})")
    form = checked_form(doc, claim)
    if form and verdict.method:
        verdict = replace(verdict, method=f"{verdict.method}, {form}")
    return replace(verdict, ms=(time.perf_counter() - start) * 1000, form=form)


def decide(doc: Document, claim: Claim, sizes: Sequence[int], assume: Iterable[str]) -> Verdict:
    """The strategy: all K, then concrete sizes, then a counterexample.

    Remembered for the last claims seen: a refuted step is decided again under the
    assumption that makes it hold, and notes repeat their lines.
    """
    assume = tuple(assume)
    key = (id(doc), claim.lhs, claim.rhs, claim.where, tuple(sizes), assume)
    found = DECIDED.get(key)
    if found is not None and found[0] is doc:
        return found[1]
    verdict = decide_afresh(doc, claim, sizes, assume)
    if len(DECIDED) >= MAX_DECIDED:
        DECIDED.pop(next(iter(DECIDED)))
    DECIDED[key] = (doc, verdict)
    return verdict


MAX_DECIDED = 256
DECIDED: dict[tuple[object, ...], tuple[Document, Verdict]] = {}


def decide_afresh(
    doc: Document, claim: Claim, sizes: Sequence[int], assume: tuple[str, ...]
) -> Verdict:
    """:func:`decide` without the memory."""
    lhs, rhs = claim_meaning(claim, doc)
    outcome = all_k(doc, claim, lhs, rhs, assume)
    problem = concrete_problem(doc, claim, lhs, rhs, assume)
    if outcome is not None and outcome.proved:
        return Verdict(
            "proved",
            sizes=all_sizes(doc, problem),
            method="index calculus (normal form)",
            residual=sp.S.Zero,
            side_conditions=outcome.side_conditions,
            steps=outcome.steps,
        )
    size_list = size_assignments(doc, problem, sizes)
    found = check_sizes(problem, size_list)
    residual = outcome.residual if outcome is not None else None
    case = outcome.case if outcome is not None else ""
    steps = outcome.steps if outcome is not None else ()
    if not found.failures:
        if not found.checked:
            return Verdict("undecided", message="undefined at every size tried", residual=residual)
        return Verdict(
            "verified",
            sizes=describe_sizes(found.checked, found.undefined),
            method=f"exact evaluation mod 2^61-1 at {found.points} random points",
            error_bound=found.error_bound,
            steps=steps,
        )
    example = None
    failing_sizes: dict[sp.Symbol, int] = {}
    for failing_sizes, failing_indices in found.failures[:MAX_LEADS]:
        example = find_counterexample(problem, failing_sizes, failing_indices)
        if example is not None:
            break
    if example is None:
        return Verdict(
            "undecided",
            residual=residual,
            residual_case=case,
            message=("the sides differ modulo p but no real counterexample was found"),
        )
    return Verdict(
        "refuted",
        sizes=describe_sizes([failing_sizes], []),
        method="counterexample evaluated with mpmath at 50 digits",
        residual=residual,
        residual_case=case,
        counterexample=example,
        holds_under=discover(doc, claim, sizes, assume),
        steps=steps,
    )


def all_k(
    doc: Document, claim: Claim, lhs: sp.Expr, rhs: sp.Expr, assume: Sequence[str]
) -> Outcome | None:
    """Try the index-calculus proof; ``None`` when the normaliser does not apply."""
    try:
        rules = tuple(rule_for(doc, name) for name in assume)
        calc = IndexCalculus(index_ranges(doc), rules, distinct_pairs(claim))
        equal = {b: a for a, op, b in conditions(claim) if op == "="}
        return calc.decide((lhs - rhs).xreplace(equal))
    except Unsupported:
        return None


def rule_for(doc: Document, name: str) -> Rule:
    """Normalise an assumption into a rewrite rule."""
    assumption = doc.assumptions[name]
    difference = meaning(assumption.lhs - assumption.rhs, doc)
    free = free_indices(doc, difference)
    normal = IndexCalculus(index_ranges(doc)).normal_form(difference)
    return assumption_rule(name, normal, free)


def discover(
    doc: Document, claim: Claim, sizes: Sequence[int], assume: tuple[str, ...]
) -> tuple[str, ...]:
    """Return the first declared assumption under which a refuted claim holds.

    A quick check at the smallest sizes rules most assumptions out; one that passes it
    is then decided in full.
    """
    lhs, rhs = claim_meaning(claim, doc)
    small = [size for size in sizes if size <= QUICK_SIZE] or list(sizes)
    for name in doc.assumptions:
        if name in assume:
            continue
        try:
            problem = concrete_problem(doc, claim, lhs, rhs, (*assume, name))
            if check_sizes(problem, size_assignments(doc, problem, small)).failures:
                continue
            verdict = decide(doc, claim, sizes, (*assume, name))
        except (Unsupported, NotSupported):
            continue
        if verdict.status in ("proved", "verified"):
            return (name,)
    return ()


def concrete_problem(
    doc: Document, claim: Claim, lhs: sp.Expr, rhs: sp.Expr, assume: Sequence[str]
) -> Problem:
    """Describe the claim for the concrete-size checks."""
    assumptions = []
    for name in assume:
        a = doc.assumptions[name]
        difference = split_logs(meaning(a.lhs - a.rhs, doc))
        assumptions.append((difference, free_indices(doc, difference)))
    conds = conditions(claim)
    return Problem(
        split_logs(lhs),
        split_logs(rhs),
        free_indices(doc, lhs - rhs),
        index_ranges(doc),
        distinct=tuple((a, b) for a, op, b in conds if op == "!="),
        equal=tuple((a, b) for a, op, b in conds if op == "="),
        assumptions=tuple(assumptions),
    )


def split_logs(expr: sp.Expr) -> sp.Expr:
    """``ln(p/q) = ln p − ln q``, ``ln(ab) = ln a + ln b`` and ``ln e^x = x``.

    Valid where the logarithms are defined. The modular check gives each logarithm a
    random function of its argument's value; splitting first keeps
    ``ln(e^{z_k} / Σ e^{z_i})`` and ``z_k − ln Σ e^{z_i}``, or ``ln(1 − u/S)`` and
    ``ln(S − u) − ln S``, equal there too.
    """
    if not expr.has(sp.log):
        return expr

    def quotient(node: sp.log) -> sp.Expr:
        num, den = sp.fraction(sp.together(node.args[0]))
        return sp.log(num) - sp.log(den) if den != 1 else node

    return sp.expand_log(expr.replace(lambda n: isinstance(n, sp.log), quotient), force=True)


def conditions(claim: Claim) -> list[tuple[sp.Basic, str, sp.Basic]]:
    """The claim's ``where`` conditions as ``(left, op, right)``."""
    return [(c.left, c.op, c.right) for c in claim.where]


def distinct_pairs(claim: Claim) -> frozenset[frozenset[sp.Basic]]:
    """Index pairs the claim declares different."""
    return frozenset(frozenset((a, b)) for a, op, b in conditions(claim) if op == "!=")


def index_ranges(doc: Document) -> dict[sp.Symbol, sp.Expr]:
    """Each declared index symbol with the size it ranges over (a number if fixed)."""
    return {
        symbols.index(i): sp.Integer(doc.fixed[s]) if s in doc.fixed else symbols.size(s)
        for i, s in doc.indices.items()
    }


def free_indices(doc: Document, expr: sp.Expr) -> tuple[sp.Symbol, ...]:
    """The declared indices free in ``expr`` (variables of derivatives included)."""
    declared = set(index_ranges(doc))
    return tuple(sorted(symbols.free_symbols(expr) & declared, key=str))


def size_assignments(
    doc: Document, problem: Problem, values: Sequence[int]
) -> list[dict[sp.Symbol, int]]:
    """Combinations of concrete values for the sizes the problem involves.

    With several sizes only the smallest values are combined, at most
    :data:`MAX_COMBINATIONS` in all (three sizes: 1..4 each). Size 1 is tried last, so
    that a counterexample, when there is one, is found at the smallest size that is not
    degenerate.
    """
    involved = sorted(sizes_in(doc, problem), key=str)
    chosen = sorted(values)
    while len(chosen) > 1 and len(chosen) ** len(involved) > MAX_COMBINATIONS:
        chosen = chosen[:-1]
    ordered = sorted(chosen, key=lambda v: (v == 1, v))
    return [
        dict(zip(involved, combo, strict=True))
        for combo in itertools.product(ordered, repeat=len(involved))
    ]


def sizes_in(doc: Document, problem: Problem) -> set[sp.Symbol]:
    """The size symbols a problem depends on (directly or through its indices)."""
    declared = {symbols.size(s) for s in doc.sizes}
    found = set()
    for expr in (problem.lhs, problem.rhs, *(a for a, _ in problem.assumptions)):
        found |= expr.free_symbols & declared
    found |= {problem.ranges[i] for i in problem.free}
    return {size for size in found if isinstance(size, sp.Symbol)}  # not a fixed size


def all_sizes(doc: Document, problem: Problem) -> str:
    """Describe the sizes an all-K proof covers: ``all K ≥ 1``, ``all K ≥ 2``, ….

    The lower bound is the smallest size at which both sides are defined.
    """
    involved = sorted(sizes_in(doc, problem), key=str)
    if doc.fixed:
        return ", ".join(f"{name} = {value}" for name, value in doc.fixed.items())
    if not involved:
        return "all values"
    if defined_at(problem, dict.fromkeys(involved, 1)):
        return "all " + ", ".join(f"{size} ≥ 1" for size in involved)
    parts = []
    for size in involved:
        others = {s: 2 for s in involved if s != size}
        low = next((v for v in (1, 2, 3) if defined_at(problem, {**others, size: v})), 1)
        parts.append(f"{size} ≥ {low}")
    return "all " + ", ".join(parts)


def describe_sizes(
    checked: Sequence[dict[sp.Symbol, int]], undefined: Sequence[dict[sp.Symbol, int]]
) -> str:
    """``K = 1..8``; several sizes as ``H = 1..4, K = 1..4``; a note where undefined."""

    def span(values: list[int]) -> str:
        if len(values) > 2 and values == list(range(values[0], values[-1] + 1)):
            return f"{values[0]}..{values[-1]}"
        return ", ".join(map(str, values))

    def text(group: Sequence[dict[sp.Symbol, int]]) -> str:
        names = sorted({k for g in group for k in g}, key=str)
        if len(group) == 1:
            return ", ".join(f"{k}={v}" for k, v in sorted(group[0].items(), key=str))
        return ", ".join(f"{k} = {span(sorted({g[k] for g in group}))}" for k in names)

    out = text(checked) if checked and checked[0] else ""
    if undefined:
        out += f" (undefined at {text(undefined)})"
    return out.strip()
