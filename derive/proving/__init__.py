"""Decide a claim: all-K proof first, then concrete sizes, then a real counterexample.

``prove_claim`` picks and combines the strategies, one module each:
:mod:`~derive.proving.index_calculus` (all K), :mod:`~derive.proving.modular`
(concrete K, exact and randomised) and :mod:`~derive.proving.counterexample`.
"""

from __future__ import annotations

import itertools
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace

import sympy as sp

from derive import symbols
from derive.defaults import DEFAULT_SIZES, DEFAULT_TIMEOUT, run_seed, seed_for
from derive.errors import DeriveError
from derive.evaluating.opinion import confirm, longest_number, reachable, second_opinion
from derive.meaning import axes_of
from derive.memo import OwnedMemo
from derive.model import Claim, Document
from derive.proving import domain
from derive.proving.arithmetic import NotSupported
from derive.proving.counterexample import completed, find_counterexample, grouped
from derive.proving.entries import entry_by_entry, written_out
from derive.proving.expand import claim_meaning, entries, entry_of, meaning
from derive.proving.folding import readable, rename_bound
from derive.proving.index_calculus import (
    IndexCalculus,
    Outcome,
    Rule,
    Unsupported,
    assumption_rule,
    spelled_out,
)
from derive.proving.limits import TimeLimit, limit_in_force, time_limit
from derive.proving.modular import (
    DIGITS,
    FAILING_SIZES,
    POINTS,
    ModularResult,
    Problem,
    assignments,
    check_sizes,
    defined_at,
)
from derive.proving.respect import wishes_of
from derive.proving.splitting import BRANCH, decide_split, has_kinks, passed_over
from derive.proving.square import MAX_ORDER
from derive.proving.strays import names_in, stray_variable
from derive.proving.vectors import at_entry, has_vectors
from derive.verdict import Counterexample, Verdict

MAX_COMBINATIONS = 64
QUICK_SIZE = 2  # sizes up to this rule assumptions out before they are decided in full
MAX_LEADS = 6  # index assignments, where the modular check saw a difference, to try

__all__ = [
    "DEFAULT_SIZES",
    "DEFAULT_TIMEOUT",
    "at_entry",
    "entry_of",
    "has_vectors",
    "names_in",
    "prove_claim",
    "readable",
    "rename_bound",
    "stray_variable",
]


def checked_form(doc: Document, claim: Claim) -> str:
    """How a matrix claim was checked: ``entry (1, h) of each side``; empty for scalars."""
    entry = entry_of(claim, doc)
    return "" if entry is None else f"entry ({entry[0]}, {entry[1]}) of each side"


def _prove_entry(
    doc: Document, claim: Claim, sizes: Sequence[int], timeout: float | None
) -> Verdict:
    return prove_claim(doc, claim, sizes=sizes, timeout=timeout)


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
    if written_out(claim.lhs) and written_out(claim.rhs):
        return entry_by_entry(doc, claim, sizes, timeout, _prove_entry)
    if has_vectors(claim):
        try:
            entry = at_entry(doc, claim)
        except DeriveError as err:
            return Verdict("undecided", message=f"cannot be read: {err.message}")
        return prove_claim(doc, entry, sizes=sizes, timeout=timeout)
    start = time.perf_counter()
    form = ""
    try:
        with time_limit(timeout):
            form = checked_form(doc, claim)
            verdict = decide(doc, claim, sizes, claim.assume)
    except TimeLimit as limit:
        verdict = Verdict("undecided", message=str(limit), timed_out=True)
    except (Unsupported, NotSupported) as gap:
        verdict = Verdict("undecided", message=f"not supported yet: {gap}")
    except RecursionError:
        verdict = Verdict("undecided", message="the expression is nested too deeply")
    except (TypeError, ValueError, AttributeError, NotImplementedError) as err:
        # A SymPy construction derive does not handle: say so, never crash the run.
        said = " ".join(str(err).split())  # SymPy's messages span lines
        verdict = Verdict("undecided", message=f"not supported yet ({type(err).__name__}: {said})")
    except DeriveError as err:
        verdict = Verdict("undecided", message=f"cannot be read: {err}")
    except Exception as err:  # a bug: say so, and go on with the other claims
        verdict = Verdict(
            "undecided", message=f"an internal error (a bug in derive): {type(err).__name__}: {err}"
        )
    if form and verdict.method:
        verdict = replace(verdict, method=f"{verdict.method}, {form}")
    return replace(verdict, ms=(time.perf_counter() - start) * 1000, form=form)


def decide(doc: Document, claim: Claim, sizes: Sequence[int], assume: Iterable[str]) -> Verdict:
    """The strategy: all K, then concrete sizes, then a counterexample.

    Remembered for the last claims seen: a refuted step is decided again under the
    assumption that makes it hold, and notes repeat their lines. A verdict is served
    again only under the time limit it was reached under (:func:`limit_in_force`): one
    reached in 30 s is not the answer of a check given 1 s, which may run out of time.
    """
    assume = tuple(assume)
    key = (claim.lhs, claim.rhs, claim.where, tuple(sizes), assume, run_seed(), limit_in_force())
    found = DECIDED.get(doc, key)
    if found is not None:
        return found
    return DECIDED.put(doc, key, decide_afresh(doc, claim, sizes, assume))


DECIDED: OwnedMemo[Document, tuple[object, ...], Verdict] = OwnedMemo("proving.DECIDED", 256)


def decide_afresh(
    doc: Document, claim: Claim, sizes: Sequence[int], assume: tuple[str, ...]
) -> Verdict:
    """:func:`decide` without the memory."""
    seed = seed_for(str(claim.lhs), str(claim.rhs), [c.text for c in claim.where], assume)
    stated = replace(claim, assume=assume)
    lhs, rhs = claim_meaning(claim, doc)
    strange = not_real(lhs) or not_real(rhs)
    if strange is not None:
        return Verdict("undecided", message=f"not real: `{strange}` has no real value")
    problem = concrete_problem(doc, claim, lhs, rhs, assume)
    size_list = size_assignments(doc, problem, sizes)
    if never_met(problem, size_list):
        return Verdict(
            "vacuous",
            message="no values of its indices meet its conditions (`where`) at any size "
            "tried, so it says nothing",
        )
    outcome = all_k(doc, claim, lhs, rhs, assume)
    if outcome is not None and outcome.proved:
        return proof(doc, claim, stated, problem, outcome, sizes, seed)
    found = check_sizes(problem, size_list, seed)
    steps = outcome.steps if outcome is not None else ()
    if found.failures:
        return refutation(doc, claim, stated, problem, found, outcome, sizes)
    if outcome is not None and outcome.case.startswith(BRANCH) and found.checked:
        on_branch = branch_refutation(doc, claim, stated, problem, found, outcome, sizes)
        if on_branch is not None:
            return on_branch
        return Verdict(  # random points may miss a branch: (−3, −2) for max(x, −2) = [x > −3]
            "undecided",
            message=f"the sides are not equal as expressions {outcome.case}, and no point "
            "there was found where they differ: a branch the points tried may have missed",
            residual=outcome.residual,
            residual_case=outcome.case,
        )
    if not found.checked:
        if found.vacuous and not found.undefined:
            return Verdict(
                "vacuous",
                message="no values of its indices meet its conditions (`where`) at any "
                "size tried, so it says nothing",
            )
        residual = outcome.residual if outcome is not None else None
        return Verdict("undecided", message="undefined at every size tried", residual=residual)
    if len(found.checked) == 1 and found.undefined:
        return Verdict(
            "undecided",
            message=f"it holds at {describe_sizes(found.checked, [])}, but no point where "
            f"both sides are defined was found at {describe_sizes(found.undefined, [])}",
        )
    verified = Verdict(
        "verified",
        sizes=describe_sizes(found.checked, found.undefined),
        method=concrete_method(found),
        error_bound=found.error_bound if found.prime is not None else None,
        side_conditions=merged(
            *sides_defined(doc, problem), *passed_over(lhs, rhs), *square_conditions(lhs, rhs)
        ),
        steps=steps,
    )
    smallest = sorted(found.checked, key=lambda s: (sum(s.values()), str(s)))[:3]
    named = [{str(k): v for k, v in s.items()} for s in smallest]
    return seconded(doc, stated, verified, named, seed)


def proof(
    doc: Document,
    claim: Claim,
    stated: Claim,
    problem: Problem,
    outcome: Outcome,
    sizes: Sequence[int],
    seed: int,
) -> Verdict:
    """The verdict on a claim whose normal form is zero.

    The proof covers the sizes from its rules' bounds on; smaller sizes where the claim
    is defined are checked at concrete sizes, and a failure there refutes the claim.
    """
    defined = lower_bounds(doc, problem)
    needed = {s: max(defined.get(s, 1), outcome.bounds.get(s, 1)) for s in defined}
    below = below_bounds(defined, needed)
    extra: list[dict[sp.Symbol, int]] = []
    method = "index calculus (normal form)"
    unchecked: tuple[tuple[str, str], ...] = ()
    if below:
        try:
            found = check_sizes(problem, below, seed)
        except NotSupported as gap:  # the proof stands for the sizes it covers
            found = ModularResult(prime=None)
            unchecked = (("the sizes below the proof's bounds", str(gap)),)
        if found.failures:
            return refutation(doc, claim, stated, problem, found, outcome, sizes)
        extra = found.checked
        if extra:
            method += f"; the sizes below by {concrete_method(found)}"
    text = describe_bounds(doc, needed)
    if extra:
        text += f"; verified for {describe_sizes(extra, [])}"
    side = (*outcome.side_conditions, *domain_conditions(outcome, needed, problem.domain, doc))
    proved = Verdict(
        "proved",
        sizes=text,
        method=method,
        residual=sp.S.Zero,
        side_conditions=side,
        steps=outcome.steps,
        unchecked=unchecked,
    )
    return seconded(doc, stated, proved, opinion_sizes(defined, len(problem.free)), seed)


def refutation(
    doc: Document,
    claim: Claim,
    stated: Claim,
    problem: Problem,
    found: ModularResult,
    outcome: Outcome | None,
    sizes: Sequence[int],
) -> Verdict:
    """A refutation from the concrete check's leads, once a counterexample is confirmed."""
    residual = outcome.residual if outcome is not None else None
    case = outcome.case if outcome is not None else ""
    steps = outcome.steps if outcome is not None else ()
    example = None
    failing_sizes: dict[sp.Symbol, int] = {}
    turned_down: list[str] = []

    def accept(candidate: Counterexample) -> Counterexample | None:
        shown, why = confirmed(doc, stated, candidate)
        if shown is None:
            turned_down.append(why)
        return shown

    wishes = wishes_of(doc)
    first: tuple[Counterexample, dict[sp.Symbol, int]] | None = None
    for failing_sizes, failing_indices in found.failures[:MAX_LEADS]:
        example = find_counterexample(problem, failing_sizes, failing_indices, accept, wishes)
        if example is not None and not example.unmet:
            break
        if example is not None:  # another lead may have one that respects the document
            first = first or (example, failing_sizes)
    else:
        if first is not None:
            example, failing_sizes = first
    if example is None:
        why = "the sides differ at concrete sizes but no real counterexample was found"
        equal = [t for t in turned_down if "gives equal sides" in t]
        if equal:
            why = f"the prover and the evaluator disagree (a bug in derive): {equal[0]}"
        elif turned_down:
            why += f" where both sides are defined (e.g. {turned_down[0]})"
        return Verdict("undecided", residual=residual, residual_case=case, message=why)
    if outcome is not None and outcome.branch and not on_branch(example, outcome.branch):
        lhs, rhs = claim_meaning(claim, doc)  # the point is on another branch: say it all
        residual, case = lhs - rhs, ""
    return Verdict(
        "refuted",
        sizes=describe_sizes([failing_sizes], []),
        method="counterexample evaluated with mpmath at 50 digits",
        residual=residual,
        residual_case=case,
        counterexample=example,
        holds_under=discover(doc, claim, sizes, stated.assume),
        steps=steps,
    )


def on_branch(example: Counterexample, signs: Sequence[tuple[sp.Expr, int]]) -> bool:
    """True when the counterexample's point lies on the branch (each ``d`` has its sign).

    False where it does not, or where a condition cannot be evaluated at the point: then
    the verdict names no branch, and shows the whole difference.
    """
    at = {**example.sizes, **example.indices}
    values = {(name, tuple(indices)): sp.Rational(value) for name, indices, value in example.point}
    for d, sign in signs:
        mapping = {}
        for atom in d.atoms(sp.Symbol, sp.Indexed):
            if isinstance(atom, sp.Indexed):
                where = tuple(int(by_name(i, at)) for i in atom.indices)
                key = (symbols.base_name(atom) or "", where)
            elif atom.name in at:
                mapping[atom] = sp.Integer(at[atom.name])
                continue
            else:
                key = (atom.name, ())
            if key not in values:
                return False
            mapping[atom] = values[key]
        value = d.xreplace(mapping)
        if not value.is_number or sp.sign(value) != sign:
            return False
    return True


def by_name(expr: sp.Expr, at: Mapping[str, int]) -> sp.Expr:
    """``expr`` with each symbol named in ``at`` (a size or an index) given its value."""
    found = {s: sp.Integer(at[s.name]) for s in expr.free_symbols if str(s) in at}
    return expr.xreplace(found)


def branch_refutation(
    doc: Document,
    claim: Claim,
    stated: Claim,
    problem: Problem,
    found: ModularResult,
    outcome: Outcome,
    sizes: Sequence[int],
) -> Verdict | None:
    """A counterexample on a branch whose equality fails, where random points missed it.

    A branch such as ``x = 0`` is a set random points do not meet: the counterexample
    search tries simple points there (0, 1, ties), evaluating the claim as written, so
    what it finds is genuine. None when it finds nothing.
    """
    leads = [
        (dict(at), dict(indices))
        for at in found.checked[:FAILING_SIZES]
        for indices in itertools.islice(assignments(problem, at), MAX_LEADS)
    ]
    verdict = refutation(
        doc, claim, stated, problem, replace(found, failures=leads), outcome, sizes
    )
    return verdict if verdict.status == "refuted" else None


def concrete_method(found: ModularResult) -> str:
    """How the concrete check decided: exactly modulo a prime, or numerically."""
    if found.prime is None:
        return (
            f"evaluation with mpmath at {DIGITS} digits at random points of every sign "
            f"({found.points} at the first two sizes, {POINTS} at the others; not exact)"
        )
    bits = found.prime.bit_length()
    return f"exact evaluation modulo a random {bits}-bit prime at {found.points} random points"


def never_met(problem: Problem, size_list: Sequence[dict[sp.Symbol, int]]) -> bool:
    """True when a claim's conditions hold for no index values at any size tried."""
    if not problem.distinct and not problem.equal:
        return False
    trials = size_list or [{}]
    return not any(next(assignments(problem, sizes), None) is not None for sizes in trials)


def below_bounds(
    defined: dict[sp.Symbol, int], needed: dict[sp.Symbol, int]
) -> list[dict[sp.Symbol, int]]:
    """Sizes a proof does not cover but the claim is defined at (others kept small)."""
    out: list[dict[sp.Symbol, int]] = []
    for size, need in needed.items():
        low = defined.get(size, 1)
        if need <= low:
            continue
        others = [s for s in defined if s != size]
        for value in range(low, need):
            for combo in itertools.product(*[range(defined[o], defined[o] + 3) for o in others]):
                sizes_ = {size: value, **dict(zip(others, combo, strict=True))}
                if sizes_ not in out:
                    out.append(sizes_)
    return out


def domain_conditions(
    outcome: Outcome,
    bounds: dict[sp.Symbol, int],
    written: tuple[tuple[sp.Expr, str], ...] = (),
    doc: Document | None = None,
) -> tuple[str, ...]:
    """The proof's conditions for its sides to be real, in the document's notation.

    Those of the sides as they are, and those the sides had as written (``(√x)² = x``
    needs ``x ≥ 0``, though SymPy reads ``(√x)²`` as ``x``).
    """
    from derive.printing.notation import unicode

    exprs = [e for label, e in outcome.steps if label in ("left − right", "differentiate")]
    out = []
    for cond in domain.conditions(*exprs, bounds=bounds, written=written):
        expr = cond.expr if doc is None else plain_dummies(readable(cond.expr, doc))
        text = f"{unicode(expr)} {cond.relation}"
        if text not in out:
            out.append(text)
    return tuple(out)


def merged(*conditions: str) -> tuple[str, ...]:
    """Each condition once; ``e ≠ 0`` left out where ``e > 0`` is said (it says more)."""
    positive = {c.removesuffix(" > 0") for c in conditions if c.endswith(" > 0")}
    kept = (c for c in conditions if not (c.endswith(" ≠ 0") and c[: -len(" ≠ 0")] in positive))
    return tuple(dict.fromkeys(kept))


def plain_dummies(expr: sp.Expr) -> sp.Expr:
    """A summation variable left free in a condition (``1 ≤ _n ≤ N``) by its letter, ``n``.

    The condition holds for each value of it: a reader writes the letter, not ``_n``.
    """
    taken = {str(s) for s in expr.free_symbols if not isinstance(s, sp.Dummy)}
    renamed = {}
    for dummy in expr.atoms(sp.Dummy):
        if dummy.name not in taken:
            renamed[dummy] = sp.Symbol(dummy.name, **dummy.assumptions0)
            taken.add(dummy.name)
    return expr.xreplace(renamed)


def sides_defined(doc: Document, problem: Problem) -> tuple[str, ...]:
    """What a verified claim's sides need to be real (``z_j ≠ 0`` for ``∏_k z_k / z_j``).

    The concrete check skips the points where a side is undefined, so the verdict says
    where it was checked, as a proof does.
    """
    from derive.printing.notation import unicode

    bounds = lower_bounds(doc, problem)
    found = domain.conditions(problem.lhs, problem.rhs, bounds=bounds, written=problem.domain)
    return tuple(
        dict.fromkeys(
            f"{unicode(plain_dummies(readable(cond.expr, doc)))} {cond.relation}" for cond in found
        )
    )


def square_conditions(*exprs: sp.Basic) -> tuple[str, ...]:
    """The conditions on determinants the sides need (where they hold, the check held).

    ``det A ≠ 0`` under an inverse, ``det A > 0`` under a logarithm.
    """
    from derive.printing.notation import unicode

    found = domain.conditions(*(e for e in exprs if e.has(symbols.SquareForm)))
    said = [(unicode(c.expr), c.relation) for c in found if c.expr.has(symbols.Determinant)]
    positive = {e for e, r in said if r == domain.POSITIVE}  # `> 0` says more than `≠ 0`
    kept = [(e, r) for e, r in said if r == domain.POSITIVE or e not in positive]
    return tuple(dict.fromkeys(f"{e} {r}" for e, r in kept))


def not_real(expr: sp.Basic) -> sp.Basic | None:
    """A constant part of ``expr`` with no real value (``√−1``, ``ln(−2)``), if any."""
    if not isinstance(expr, sp.Basic):
        return None
    strange: tuple[type, ...] = (
        symbols.NonReal,
        *(type(c) for c in (sp.I, sp.zoo, sp.nan, sp.oo, -sp.oo)),
    )
    for node in sp.preorder_traversal(expr):  # one walk
        if isinstance(node, strange):
            return node
        if isinstance(node, sp.Pow):
            base, exponent = node.args
            if base.is_Number and base < 0 and exponent.is_Rational and not exponent.is_Integer:
                return node
    return None


def seconded(
    doc: Document,
    claim: Claim,
    verdict: Verdict,
    size_list: Sequence[dict[str, int]],
    seed: int,
) -> Verdict:
    """``verdict`` if the second opinion agrees; else undecided, saying why.

    A proof is never discarded because the second opinion cannot evaluate the claim
    (``tanh`` of a sum it has no value for, a construct it does not know): it stands,
    and says what was not checked. A second opinion that finds the sides different at a
    real point always wins: that is a bug in derive, and the verdict says so.
    """
    opinion = second_opinion(doc, claim, size_list, seed=seed)
    if opinion.agrees:
        return verdict
    if opinion.agrees is None and verdict.status == "proved":
        gap = ("the second opinion", opinion.reason)
        return replace(verdict, unchecked=(*verdict.unchecked, gap))
    if opinion.agrees is False:
        where = {**(opinion.sizes or {}), **(opinion.indices or {})}
        at = ", ".join(f"{k}={v}" for k, v in where.items())
        return Verdict(
            "undecided",
            message=(
                f"the prover and the evaluator disagree (a bug in derive): {verdict.status} "
                f"by {verdict.method}, but at {at} the claim as written gives left "
                f"{opinion.left}, right {opinion.right}"
            ),
            steps=verdict.steps,
        )
    return Verdict(
        "undecided",
        message=f"{verdict.status} by {verdict.method}, but not confirmed: {opinion.reason}",
        steps=verdict.steps,
    )


def confirmed(
    doc: Document, claim: Claim, example: Counterexample
) -> tuple[Counterexample | None, str]:
    """The counterexample with both sides evaluated again, independently, at 50 digits.

    ``(None, why)`` when that evaluation does not find the sides different there.
    """
    entry = entry_of(claim, doc)
    point = completed(example.point, axes_of(doc), {**example.sizes, **doc.fixed})
    check = confirm(doc, claim, example.sizes, example.indices, point, entry=entry)
    if not check.differ:
        reason = check.reason or "the claim as written gives equal sides there"
        return None, f"at {example.describe()}: {reason}"
    values = {**grouped(point), **stand_ins(doc, claim)}
    left, right = shown(check.left), shown(check.right)
    digits = 6
    while left == right and digits < 80:  # they differ: show enough digits to see it
        digits *= 2
        left, right = precise(check.left, digits), precise(check.right, digits)
    return replace(example, values=values, point=point, left=left, right=right), ""


def precise(value: object, digits: int) -> str:
    """A value to ``digits`` significant digits (a matrix's entries too)."""
    import mpmath

    from derive.evaluating.jets import real

    if isinstance(value, tuple):
        return "(" + ", ".join(precise(v, digits) for row in value for v in row) + ")"
    return str(mpmath.nstr(real(value), digits))


def stand_ins(doc: Document, claim: Claim) -> dict[str, str]:
    """What stands for each unspecified function the claim uses, as the evaluation took it."""
    used = reachable(doc, [claim.lhs, claim.rhs])
    names = {n for n in doc.functions if n in str(claim.lhs) + str(claim.rhs)}
    for name in used:
        body = str(doc.definitions[name].body)
        names |= {n for n in doc.functions if n in body}
    out = {}
    for name in sorted(names):
        decl = doc.functions[name]
        if decl.opaque:
            (argument,) = decl.params
            label = symbols.base_name(argument) or ""
            out[name] = f"Σ_d ∂{name}/∂{label}_d·{label}_d"
        else:
            out[name] = "tanh"
    return out


def shown(value: object) -> str:
    """A value as a reader sees it: a simple fraction exactly, else 6 significant digits."""
    from derive.evaluating.opinion import show

    return show(value)


def lower_bounds(doc: Document, problem: Problem) -> dict[sp.Symbol, int]:
    """The smallest value of each involved size at which both sides are defined."""
    involved = sorted(sizes_in(doc, problem), key=str)
    if not involved or defined_at(problem, dict.fromkeys(involved, 1)):
        return dict.fromkeys(involved, 1)
    out = {}
    for size in involved:
        others = {s: 2 for s in involved if s != size}
        out[size] = next((v for v in (1, 2, 3) if defined_at(problem, {**others, size: v})), 1)
    return out


def describe_bounds(doc: Document, bounds: dict[sp.Symbol, int]) -> str:
    """``all K ≥ 1``; ``all values`` without sizes; fixed sizes as they are fixed."""
    if doc.fixed:
        return ", ".join(f"{name} = {value}" for name, value in doc.fixed.items())
    if not bounds:
        return "all values"
    return "all " + ", ".join(f"{size} ≥ {low}" for size, low in bounds.items())


def opinion_sizes(bounds: dict[sp.Symbol, int], free: int = 2) -> list[dict[str, int]]:
    """Small sizes from the lower bounds up, for the second opinion on a proof.

    One size: its two smallest values, three for a claim with two free indices or more
    (so that a third index can differ from both). Several: all at their smallest, then
    all different (1, 2, 3, … where the bounds allow), so that no two axes can be
    confused.
    """
    names = sorted(str(s) for s in bounds)
    low = {str(s): v for s, v in bounds.items()}
    if not names:
        return [{}]
    if len(names) == 1:
        return [{names[0]: low[names[0]] + n} for n in range(3 if free >= 2 else 2)]
    spread = {name: max(low[name], n + 1) for n, name in enumerate(names)}
    return [dict(low), spread] if spread != low else [dict(low)]


def all_k(
    doc: Document, claim: Claim, lhs: sp.Expr, rhs: sp.Expr, assume: Sequence[str]
) -> Outcome | None:
    """Try the index-calculus proof; ``None`` when the normaliser does not apply.

    When the sums as written do not reduce to zero, those over numbers are written out
    (``Σ_{k=1}^{3} z_k`` as ``z_1 + z_2 + z_3``) and the normal form is tried again. A
    determinant or an inverse has no all-K normal form: such a claim is checked at
    concrete sizes only.
    """
    if lhs.has(symbols.SquareForm) or rhs.has(symbols.SquareForm):
        return None
    try:
        rules = tuple(rule_for(doc, name) for name in assume)
    except Unsupported:
        return None
    equal = {}
    for a, op, b in conditions(claim):
        if op == "=" and isinstance(b, sp.Symbol):
            equal[b] = a
        elif op == "=" and isinstance(a, sp.Symbol):
            equal[a] = b
    difference = (lhs - rhs).xreplace(equal)
    outcome = normal_form(doc, claim, rules, difference)
    if outcome is not None and outcome.proved:
        return outcome
    spelled = spelled_out(difference)
    if spelled == difference:
        return outcome
    found = normal_form(doc, claim, rules, spelled)
    return found if found is not None and found.proved else outcome


def normal_form(
    doc: Document, claim: Claim, rules: tuple[Rule, ...], difference: sp.Expr
) -> Outcome | None:
    """The index calculus on ``left − right``; ``None`` when it does not apply."""
    sizes = frozenset(symbols.size(s) for s in doc.sizes if s not in doc.fixed)
    calc = IndexCalculus(index_ranges(doc), rules, distinct=distinct_pairs(claim), sizes=sizes)
    try:
        if has_kinks(difference):
            return decide_split(difference, lambda branch: fresh(calc).decide(branch))
        return calc.decide(difference)
    except Unsupported:
        return None


def fresh(calc: IndexCalculus) -> IndexCalculus:
    """An index calculus with ``calc``'s ranges, rules and sizes, and nothing found yet."""
    return IndexCalculus(calc.ranges, calc.rules, distinct=calc.distinct, sizes=calc.sizes)


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
        difference = split_logs(as_exponentials(meaning(a.lhs - a.rhs, doc)))
        assumptions.append((difference, free_indices(doc, difference)))
    conds = conditions(claim)
    written = {  # an index the sides had as written, before SymPy simplified it away
        s
        for e, _, over in claim.domain
        for s in symbols.free_symbols(e) - {v for v, *_ in over}
        if isinstance(s, sp.Symbol) and s.name in doc.indices
    }
    sides = {*free_indices(doc, lhs), *free_indices(doc, rhs)}  # `A − A` is 0: no index
    free = tuple(sorted(sides | written, key=str))
    return Problem(
        split_logs(as_exponentials(lhs)),
        split_logs(as_exponentials(rhs)),
        free,
        index_ranges(doc),
        distinct=tuple((a, b) for a, op, b in conds if op == "!="),
        equal=tuple((a, b) for a, op, b in conds if op == "="),
        assumptions=tuple(assumptions),
        axes=with_uses(input_axes(doc), doc, lhs, rhs),
        padded=doc.padded,
        digits=DIGITS + 3 * longest_number(doc, claim),
        domain=tuple(
            (split_logs(as_exponentials(meaning(entries(e), doc))), r)
            for e, r, over in claim.domain
            if not over and within_reach(e, free, doc)  # inside a sum: the evaluator's
        ),
    )


def within_reach(expr: sp.Basic, free: Sequence[sp.Symbol], doc: Document) -> bool:
    """True when every index of ``expr`` is a free index of the claim.

    A condition written inside a sum holds for each value of its index; it is left to
    the evaluation of the sum.
    """
    sizes = {symbols.size(s) for s in doc.sizes}
    found = {s for s in symbols.free_symbols(expr) if isinstance(s, sp.Symbol) and s.is_integer}
    return found <= set(free) | sizes


def input_axes(doc: Document) -> dict[str, tuple[sp.Expr | None, ...]]:
    """The size of each axis of each name (a number where the document fixes it)."""
    out = {}
    for name, axes in axes_of(doc).items():
        out[name] = tuple(
            None if a is None else (sp.Integer(doc.fixed[a]) if a in doc.fixed else symbols.size(a))
            for a in axes
        )
    return out


def with_uses(
    axes: dict[str, tuple[sp.Expr | None, ...]], doc: Document, *exprs: sp.Expr
) -> dict[str, tuple[sp.Expr | None, ...]]:
    """``axes``, an axis the document leaves open sized by the claim's own uses.

    A body step's names have no type in the front matter: ``w_{n,i}`` with ``i`` over
    ``K`` still puts ``w``'s second axis over ``K``, so that ``w_{n,3}`` is outside it at
    ``K = 1`` (no counterexample may use it there).
    """
    bound: dict[sp.Basic, sp.Expr] = {}
    for expr in exprs:
        for node in expr.atoms(sp.Sum):
            for var, _, upper in node.limits:
                bound[var] = upper
    out = dict(axes)
    for expr in exprs:
        for node in expr.atoms(sp.Indexed):
            name = symbols.base_name(node)
            if name is None:
                continue
            known = list(out.get(name, (None,) * len(node.indices)))
            if len(known) != len(node.indices):
                continue
            for at, index in enumerate(node.indices):
                if known[at] is None:
                    known[at] = index_size(index, bound, doc)
            out[name] = tuple(known)
    return out


def index_size(index: sp.Basic, bound: Mapping[sp.Basic, sp.Expr], doc: Document) -> sp.Expr | None:
    """The size an index ranges over: its sum's upper limit, or its declared size."""
    if index in bound:
        upper = bound[index]
        return upper if upper.free_symbols and upper.is_Symbol else None
    if isinstance(index, sp.Symbol) and index.name in doc.indices:
        size = doc.indices[index.name]
        return sp.Integer(doc.fixed[size]) if size in doc.fixed else symbols.size(size)
    return None


def as_exponentials(expr: sp.Expr) -> sp.Expr:
    """``sinh``, ``cosh`` and ``tanh`` written with ``e^x``, which the exact check knows."""
    if not expr.has(sp.sinh, sp.cosh, sp.tanh):
        return expr
    return expr.replace(
        lambda n: isinstance(n, sp.sinh | sp.cosh | sp.tanh), lambda n: n.rewrite(sp.exp)
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
    combos = [
        dict(zip(involved, combo, strict=True))
        for combo in itertools.product(ordered, repeat=len(involved))
    ]
    return [c for c in combos if square_sizes_fit(problem, c)]


def square_sizes_fit(problem: Problem, sizes: dict[sp.Symbol, int]) -> bool:
    """False when a determinant or inverse would be larger than :data:`MAX_ORDER`.

    ``det`` of an ``n×n`` matrix sums ``n!`` products in the second opinion: the
    concrete sizes tried for such a claim stop there.
    """
    forms = [f for e in (problem.lhs, problem.rhs) for f in e.atoms(symbols.SquareForm)]
    values = {s: sp.Integer(v) for s, v in sizes.items()}
    for form in forms:
        n = form.size.xreplace(values)
        if n.is_Integer and int(n) > MAX_ORDER:
            return False
    return True


def sizes_in(doc: Document, problem: Problem) -> set[sp.Symbol]:
    """The size symbols a problem depends on (directly or through its indices)."""
    declared = {symbols.size(s) for s in doc.sizes}
    found = set()
    for expr in (problem.lhs, problem.rhs, *(a for a, _ in problem.assumptions)):
        found |= expr.atoms(sp.Symbol) & declared  # a size is never bound
    found |= {problem.ranges[i] for i in problem.free}
    found |= {problem.ranges[i] for _, free in problem.assumptions for i in free}
    found |= axis_sizes(problem) & declared
    return {size for size in found if isinstance(size, sp.Symbol)}  # not a fixed size


def axis_sizes(problem: Problem) -> set[sp.Basic]:
    """The sizes of the axes of the inputs a problem reads: ``z_3`` needs ``K ≥ 3``."""
    found: set[sp.Basic] = set()
    for expr in (problem.lhs, problem.rhs):
        for node in expr.atoms(sp.Indexed):
            for size in problem.axes.get(symbols.base_name(node) or "", ()):
                if size is not None:
                    found |= size.free_symbols
    return found


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
        out += f" (no point found where both sides are defined at {text(undefined)})"
    return out.strip()
