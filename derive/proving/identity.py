r"""Identities built in Python: ``prove(lhs, rhs)`` and ``assert_identity(lhs, rhs)``.

For users who never write a document. Indices and sizes are SymPy symbols given in
``indices`` (``{j: K}``); vectors are ``IndexedBase`` objects; sums are ``Sum``; a
derivative is ``Derivative(expr, z[j])``. Assumptions are equations (``Eq``). The same
prover as for documents decides the identity, for every size where it can.

>>> import sympy as sp
>>> K = sp.Symbol("K", integer=True, positive=True)
>>> j, k = sp.symbols("j k", integer=True, positive=True)
>>> z, t = sp.IndexedBase("z"), sp.IndexedBase("t")
>>> y = lambda i: sp.exp(z[i]) / sp.Sum(sp.exp(z[k]), (k, 1, K))
>>> E = -sp.Sum(t[k] * sp.log(y(k)), (k, 1, K))
>>> prove(sp.Derivative(E, z[j]), y(j) - t[j], indices={j: K, k: K}).status
'refuted'
>>> targets = sp.Eq(sp.Sum(t[k], (k, 1, K)), 1)
>>> prove(sp.Derivative(E, z[j]), y(j) - t[j], assume=[targets], indices={j: K, k: K}).status
'proved'
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import sympy as sp

from derive import symbols
from derive.api import explain
from derive.errors import Position, UsageError
from derive.meaning import check_expression
from derive.model import Assumption, Claim, Condition, Document
from derive.presenting import present
from derive.proving import DEFAULT_SIZES, DEFAULT_TIMEOUT, prove_claim
from derive.reading.latex import Scope
from derive.verdict import Verdict


def prove(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    assume: Sequence[sp.Eq] = (),
    indices: Mapping[sp.Symbol, sp.Symbol] | None = None,
    distinct: Sequence[tuple[sp.Symbol, sp.Symbol]] = (),
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Verdict:
    """Decide ``lhs = rhs`` for SymPy expressions.

    Args:
        lhs: the left side.
        rhs: the right side.
        assume: equations that may be used, such as ``Eq(Sum(t[k], (k, 1, K)), 1)``.
        indices: each index symbol with the size it ranges over (``{j: K}``); a sum's
            own variable need not be listed.
        distinct: pairs of indices that differ, as a claim's ``where`` ``j ≠ k``.
        sizes: concrete sizes tried when no proof for every size is found.
        timeout: seconds before the answer is ``undecided``.

    Returns:
        The verdict, with a counterexample and the residual when it is refuted.

    Raises:
        UsageError: an index's size is not a symbol, or an assumption is not an equation.
    """
    ranges = dict(indices or {})
    for index, size in ranges.items():
        if not isinstance(index, sp.Symbol) or not isinstance(size, sp.Symbol):
            raise UsageError(f"indices maps index symbols to size symbols, not {index}: {size}")
    size_of = {s: symbols.size(s.name) for s in ranges.values()}
    size_of |= bound_sizes(lhs, rhs, *(a.lhs - a.rhs for a in assume if isinstance(a, sp.Eq)))
    rename = {s: symbols.index(s.name) for s in ranges} | size_of
    size_names = {s.name for s in size_of.values()} - {i.name for i in ranges}
    doc = document(ranges, assume, rename, size_names)
    where = tuple(
        Condition(rename.get(a, a), "!=", rename.get(b, b), f"{a} \\neq {b}") for a, b in distinct
    )
    claim = Claim(
        "identity",
        expression(lhs).xreplace(rename),
        expression(rhs).xreplace(rename),
        f"{lhs} = {rhs}",
        Position(),
        tuple(doc.assumptions),
        where,
    )
    mistake = check_expression(doc, claim.lhs, claim.rhs)
    if mistake is not None:
        raise UsageError(mistake)
    verdict = prove_claim(doc, claim, sizes=sizes, timeout=timeout)
    return explain(claim, verdict, doc)


def expression(value: object) -> sp.Expr:
    """A SymPy expression, or a Python number as one; never text, which is not parsed."""
    if isinstance(value, sp.Basic):
        return value
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise UsageError(f"expected a SymPy expression, not {type(value).__name__}")
    return sp.Integer(value) if isinstance(value, int) else sp.Float(value)


def bound_sizes(*exprs: sp.Expr) -> dict[sp.Symbol, sp.Symbol]:
    """Sizes that appear only as sums' upper limits, as derive's size symbols."""
    found = {}
    for expr in exprs:
        for total in expression(expr).atoms(sp.Sum):
            for _, _, hi in total.limits:
                if isinstance(hi, sp.Symbol):
                    found[hi] = symbols.size(hi.name)
    return found


def document(
    ranges: Mapping[sp.Symbol, sp.Symbol],
    assume: Sequence[sp.Eq],
    rename: Mapping[sp.Symbol, sp.Symbol],
    size_names: set[str],
) -> Document:
    """A document holding only sizes, indices and the assumptions."""
    assumptions = {}
    for n, equation in enumerate(assume, 1):
        if not isinstance(equation, sp.Eq):
            raise UsageError(f"an assumption is an equation, Eq(a, b), not {equation}")
        name = f"assumption {n}"
        assumptions[name] = Assumption(
            name,
            equation.lhs.xreplace(rename),
            equation.rhs.xreplace(rename),
            str(equation),
            Position(),
        )
    sizes = dict.fromkeys(sorted(size_names), "")
    indices = {i.name: s.name for i, s in ranges.items()}
    return Document(
        name="python",
        title="identities built in Python",
        path="",
        sizes=sizes,
        indices=indices,
        definitions={},
        assumptions=assumptions,
        claims=(),
        scope=Scope(indices=indices, sizes=frozenset(sizes)),
    )


def assert_identity(
    lhs: sp.Expr,
    rhs: sp.Expr,
    *,
    assume: Sequence[sp.Eq] = (),
    indices: Mapping[sp.Symbol, sp.Symbol] | None = None,
    distinct: Sequence[tuple[sp.Symbol, sp.Symbol]] = (),
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> Verdict:
    """Like :func:`prove`, but raise ``AssertionError`` unless the identity holds.

    The message carries the verdict, the counterexample and the residual.
    """
    verdict = prove(
        lhs, rhs, assume=assume, indices=indices, distinct=distinct, sizes=sizes, timeout=timeout
    )
    if verdict.status not in ("proved", "verified"):
        raise AssertionError(describe(lhs, rhs, verdict))
    return verdict


def describe(lhs: sp.Expr, rhs: sp.Expr, verdict: Verdict) -> str:
    """Several lines: the identity, the verdict, the counterexample and the residual."""
    lines = [present.statement(lhs, rhs), f"  {verdict.message}", *present.evidence(verdict)]
    return "\n".join(lines)
