r"""Derive, not only check: a derivative in the document's own names, proved equal to the raw one.

``∂E/∂z_j`` is given its meaning (every definition expanded), brought to the prover's
normal form (deltas sifted, ``e^{z}`` as variables, sums of targets collapsed under the
assumptions asked for) and written back in the reader's names: ``e^{z_j} / Σ e^{z_i}``
becomes ``y_j``, a logistic ``e^{x} / (1 + e^{x})`` becomes ``σ(x)``, and a defined
quantity's expansion becomes its name. Among the forms found, the one with the fewest
operations (:func:`sympy.count_ops`) is shown, a factored one on a tie.

The right sides of the document's own claims about the same derivative are candidates
too (on a tie they win), so the forms a catalogue states are preferred. A derivative by
a whole vector is a matrix: its form is one the document states, proved equal entry by
entry. Each form shown is first checked like a claim, ``∂E/∂z_j = form``, by the same
prover: a rewriting bug can never show a wrong gradient. When no form is proved, the
plain normal form is shown instead, with what could be established.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

import sympy as sp

from derive import symbols
from derive.errors import DeriveError, Position, UsageError
from derive.meaning import check_expression
from derive.model import Claim, Document
from derive.printing import notation
from derive.proving import DEFAULT_SIZES, DEFAULT_TIMEOUT, index_ranges, prove_claim, rule_for
from derive.proving.expand import meaning
from derive.proving.folding import readings, rename_bound, shapes_of, unfold_exponentials
from derive.proving.index_calculus import IndexCalculus, Unsupported, zero_test
from derive.proving.limits import TimeLimit, time_limit
from derive.reading.latex import parse_expression
from derive.reading.latex.shapes import Operand, derivative
from derive.verdict import Verdict


@dataclass(frozen=True)
class Gradient:
    """A derivative, the form derive shows for it, and how their equality was established."""

    expression: str
    wrt: str
    assume: tuple[str, ...]
    derivative: sp.Expr  # ∂expression/∂wrt, as a claim's left side
    result: sp.Expr
    verdict: Verdict  # of `derivative = result`
    stated_in: str = ""  # the document's claim whose right side this is, if any

    @property
    def statement(self) -> str:
        """``∂E/∂z_j = y_j − t_j`` in Unicode."""
        return notation.statement(self.derivative, self.result)

    @property
    def latex(self) -> str:
        """The same in LaTeX."""
        return f"{notation.latex(self.derivative)} = {notation.latex(self.result)}"


def differentiate(
    doc: Document,
    expression: str,
    wrt: str,
    assume: Sequence[str] = (),
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
    stated: bool = True,
) -> Gradient:
    r"""Return ``∂expression/∂wrt`` in ``doc``'s names, proved equal to the raw derivative.

    Args:
        doc: the document whose definitions, sizes and indices give the names meaning.
        expression: LaTeX in the document's notation, such as ``E``.
        wrt: LaTeX for the variable, such as ``z_j`` or ``W^{(1)}_{uv}``.
        assume: names of the document's assumptions to use (``targets``).
        sizes: concrete sizes for the check when no all-K proof is found.
        timeout: seconds allowed for the check.
        stated: also consider the forms the document's claims state.

    Raises:
        DeriveError: ``expression`` or ``wrt`` cannot be read (placed at ``EXPR:1:col``
            or ``WRT:1:col``), or an assumption is not declared.

    >>> from derive import api
    >>> g = differentiate(api.load("softmax-ce"), "E", "z_j", ["targets"])
    >>> g.statement, g.verdict.status
    ('∂E/∂z_j = y_j − t_j', 'proved')
    """
    for name in assume:
        if name not in doc.assumptions:
            known = ", ".join(doc.assumptions) or "none are declared"
            raise UsageError(f"`{name}` is not an assumption of {doc.name} ({known})")
    body = read(expression, "EXPR", doc)
    var = read(wrt, "WRT", doc)
    if not isinstance(var, sp.Symbol | sp.Indexed | sp.MatrixSymbol) or (
        isinstance(var, sp.Symbol) and var.is_integer
    ):
        raise UsageError(
            f"WRT:1:1: cannot differentiate by `{wrt}`: give a variable, such as `x`, `z_j` "
            "or `W^{(1)}_{uv}`"
        )
    for operand, place in ((var, "WRT"), (body, "EXPR")):
        mistake = check_expression(doc, operand)
        if mistake is not None:
            raise UsageError(f"{place}:1:1: {mistake}")
    raw = derivative(
        Operand(body, expression, Position("EXPR")), Operand(var, wrt, Position("WRT"))
    )
    mistake = check_expression(doc, raw)
    if mistake is not None:
        raise UsageError(mistake)
    claim = Claim("diff", raw, raw, f"d({expression})/d({wrt})", Position(), tuple(assume))
    offered = statements(doc, claim) if stated else {}
    if isinstance(raw, sp.MatrixExpr):
        if not offered:
            raise UsageError(
                f"∂({expression})/∂({wrt}) is a matrix, and {doc.name} states no matrix "
                f"form of it: differentiate by an element, such as `{wrt}_k`, for the "
                "index form"
            )
        forms = sorted(offered, key=lambda f: (sp.count_ops(f), str(f)))
    else:
        try:
            with time_limit(timeout):  # writing it in the document's names is bounded too
                forms = candidates(doc, claim, offered)
        except TimeLimit:
            raise UsageError(
                f"∂({expression})/∂({wrt}) could not be written in {doc.name}'s names within "
                f"{timeout:g} s: allow more with --timeout, or differentiate a smaller part"
            ) from None
    for form in forms:
        verdict = prove_claim(doc, replace(claim, rhs=form), sizes=sizes, timeout=timeout)
        if verdict.status in ("proved", "verified"):
            source = offered.get(form, "")
            return Gradient(expression, wrt, tuple(assume), raw, form, verdict, source)
    return Gradient(expression, wrt, tuple(assume), raw, forms[-1], verdict)


def statements(doc: Document, claim: Claim) -> dict[sp.Expr, str]:
    """Right sides of the document's claims about the same derivative, by claim name.

    A claim counts when it is expected to hold for every value of its indices, needs
    no assumption beyond those asked for, and its left side is this derivative up to a
    renaming of free indices (which is applied to its right side).
    """
    found: dict[sp.Expr, str] = {}
    wanted = sorted(free_indices(claim.lhs), key=str)
    for other in doc.claims:
        if other.expect != "proved" or other.where or not set(other.assume) <= set(claim.assume):
            continue
        if isinstance(other.rhs, sp.MatrixExpr) != isinstance(claim.lhs, sp.MatrixExpr):
            continue
        theirs = sorted(free_indices(other.lhs), key=str)
        if len(theirs) != len(wanted):
            continue
        for image in itertools.permutations(wanted):
            renaming = dict(zip(theirs, image, strict=True))
            if other.lhs.xreplace(renaming) == claim.lhs:
                found.setdefault(other.rhs.xreplace(renaming), other.name)
                break
    return found


def free_indices(expr: sp.Basic) -> set[sp.Symbol]:
    """The index symbols free in ``expr``."""
    return {s for s in symbols.free_symbols(expr) if isinstance(s, sp.Symbol) and s.is_integer}


def read(text: str, label: str, doc: Document) -> sp.Expr:
    """Parse one command-line argument, errors placed at ``label:1:col``."""
    try:
        return parse_expression(text, doc.scope)
    except DeriveError as err:
        where = err.position or Position()
        raise err.at(Position(label, where.line, where.col)) from None


def candidates(doc: Document, claim: Claim, stated: dict[sp.Expr, str]) -> list[sp.Expr]:
    """Forms of the derivative, best first; the last is the plain normal form.

    Best is fewest operations; on a tie, fewer derivatives left, then a form the document
    states, then a product.
    """
    normal = simplified(doc, claim.lhs, claim.assume)
    plain = unfold_exponentials(rename_bound(normal, doc))
    forms = list(dict.fromkeys(f for form in readings(doc, normal) for f in shapes_of(form)))
    forms += [form for form in stated if form not in forms]
    best = sorted(
        forms,
        key=lambda f: (
            sp.count_ops(f),
            len(f.atoms(sp.Derivative)),  # a derivative taken is better than one left
            f not in stated,
            not isinstance(f, sp.Mul),
            str(f),
        ),
    )
    return [*[f for f in best[:3] if f != plain], plain]


def simplified(doc: Document, expr: sp.Expr, assume: Iterable[str]) -> sp.Expr:
    """The normal form of ``expr`` (in inputs, ``u = e^z``), cancelled and factored."""
    rules = tuple(rule_for(doc, name) for name in assume)
    try:
        normal = IndexCalculus(index_ranges(doc), rules).normal_form(meaning(expr, doc))
    except Unsupported:
        return meaning(expr, doc)
    return zero_test(normal)
