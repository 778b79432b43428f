r"""Chains of equalities in a document's body (:mod:`derive.reading.body`), checked step by step.

A chain ``A = B = C`` is the steps ``A = B`` and ``B = C``. Each step is checked like a
claim, holding when its sides are equal given the front matter (the reading of its
``[[parts]]``); one that needs a declared assumption is reported as holding under it.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, replace

import sympy as sp

from derive import symbols
from derive.errors import DeriveError, Position, line_named
from derive.meaning import check_expression
from derive.memo import OwnedMemo
from derive.model import Claim, Condition, Document, Requirement
from derive.proving import at_entry, has_vectors, names_in, prove_claim, stray_variable
from derive.reading.body import Side, Stated, chains
from derive.reading.inference import mentions
from derive.reading.latex import in_layout, parse_expression
from derive.verdict import Verdict

CONDITION = re.compile(r",\s*(?P<left>[a-z])\s*\\neq?\s*(?P<right>[a-z])\s*$")


@dataclass(frozen=True)
class Step:
    """``left = right``, one link of a chain."""

    left: Side
    right: Side


@dataclass(frozen=True)
class StepResult:
    """A step and what became of it.

    ``status`` is ``proved``, ``verified``, ``refuted``, ``undecided`` or ``unparsed``;
    ``reason`` says why a step was not understood (or was stopped). ``message`` is the
    step's line in words, once :mod:`derive.presenting.words` has written it (the API's
    results carry it).
    """

    step: Step
    status: str
    verdict: Verdict | None = None
    reason: str = ""
    claim: Claim | None = None  # the step as a claim, for messages and reports
    expect: str = "holds"  # or "refuted", for a slip the document lists under [[steps]]
    message: str = ""

    @property
    def holds(self) -> bool:
        """True for a step that holds (possibly under an assumption)."""
        return self.status in ("proved", "verified")

    @property
    def as_expected(self) -> bool:
        """False for a wrong step the document does not list, or a listed one that holds."""
        if self.expect == "refuted":
            return self.status == "refuted"
        return self.status != "refuted"

    def __repr__(self) -> str:
        """``<StepResult 216:7 refuted, as expected>``: where its right side is, and its status."""
        expected = "as expected" if self.as_expected else "NOT as expected"
        where = f"{self.step.right.line}:{self.step.right.col}"
        return f"<StepResult {where} {self.status}, {expected}>"


@dataclass(frozen=True)
class PlannedStep:
    """A step with what checking it needs: its reading, its conditions, what is expected."""

    reading: Document
    step: Step
    where: tuple[Condition, ...]
    expect: str


def plan_steps(doc: Document) -> list[PlannedStep]:
    """Every step of every chain in the body, ready to be checked one by one."""
    planned = []
    for sides in chains(doc):
        reading = doc.reading_at(sides[0].line)
        chain, stated = conditions(sides, reading)
        for left, right in itertools.pairwise(chain):
            written = " ".join(right.text.split())
            known = any(written.startswith(slip) for slip in doc.known_wrong)
            where = (*reading.where, *stated, *(as_condition(c) for c in right.where))
            planned.append(
                PlannedStep(reading, Step(left, right), where, "refuted" if known else "holds")
            )
    return planned


def as_condition(stated: Stated) -> Condition:
    r"""A condition the body states (``\text{if } i = j``) as a ``where`` condition.

    The prover honours ``=`` as well as ``!=`` (as in a claim's ``where``).
    """
    left, right = symbols.index(stated.left), symbols.index(stated.right)
    return Condition(left, stated.op, right, stated.text)


def run_step(planned: PlannedStep, sizes: tuple[int, ...], timeout: float | None) -> StepResult:
    """Check one planned step."""
    result = check_step(planned.reading, planned.step, sizes, timeout, planned.where)
    return replace(result, expect=planned.expect)


def conditions(chain: list[Side], doc: Document) -> tuple[list[Side], tuple[Condition, ...]]:
    r"""Set aside conditions written after a side, ``\frac{…}{\partial z_j}, i \neq j``.

    They hold for the whole chain, as the author means them.
    """
    found: list[Condition] = []
    sides = []
    for side in chain:
        match = CONDITION.search(side.text)
        if match and match["left"] in doc.indices and match["right"] in doc.indices:
            left, right = symbols.index(match["left"]), symbols.index(match["right"])
            found.append(Condition(left, "!=", right, match.group(0).lstrip(", ")))
            side = replace(side, text=side.text[: match.start()].rstrip())
        sides.append(side)
    return sides, tuple(found)


def check_step(
    doc: Document,
    step: Step,
    sizes: tuple[int, ...],
    timeout: float | None,
    where: tuple[Condition, ...] = (),
) -> StepResult:
    """One step: parse both sides, then prove, then try the declared assumptions."""
    if not step.left.text or not step.right.text:
        return one_sided(doc, step)
    written: list[Requirement] = []
    # a condition the body states (not the front matter's): said after the step
    notes = [f"under the condition `{c.text}`" for c in where if c not in doc.where]
    if (step.right.line, step.right.col) in doc.defined_at:
        notes.append(f"the definition of `{step.left.text}` derive inferred from this line")
    try:
        lhs = parse_expression(expand_macros(step.left.text, doc), doc.scope, written, notes)
        rhs = parse_expression(expand_macros(step.right.text, doc), doc.scope, written, notes)
    except DeriveError as err:
        return StepResult(step, "unparsed", reason=err.message)
    lhs, rhs = as_scalar(lhs), as_scalar(rhs)
    probe = Claim("", lhs, rhs, "", Position(doc.path, step.right.line, step.right.col))
    if has_vectors(probe):  # `\nabla_z E = \mathbf{y} - \mathbf{t}`: at one entry
        try:
            probe = at_entry(doc, probe)
        except DeriveError as err:
            return StepResult(step, "unparsed", reason=err.message)
        lhs, rhs, notes = probe.lhs, probe.rhs, [*notes, *probe.notes]
    mistake = (
        check_expression(doc, lhs, rhs)
        or unreadable(doc, step)
        or stray_variable(doc, lhs, rhs)
        or defined_later(doc, step, lhs, rhs)
        or restated(doc, step, (sizes, timeout), lhs, rhs)
    )
    if mistake is not None:
        return StepResult(step, "unparsed", reason=mistake)
    notes.extend(inferred_uses(doc, step, lhs, rhs))
    lhs, rhs = column_layout(step, lhs, rhs, notes)
    if shape(lhs) != shape(rhs):
        return StepResult(
            step,
            "unparsed",
            reason=f"the left side is {shape(lhs)} and the right side {shape(rhs)} under "
            "the front matter's [shapes]",
        )
    claim = Claim(
        f"line {step.right.line}",
        lhs,
        rhs,
        f"{step.left.text} = {step.right.text}",
        Position(doc.path, step.right.line, step.right.col),
        where=where,
        domain=tuple(written),
        notes=tuple(notes),
    )
    verdict = prove_claim(doc, claim, sizes=sizes, timeout=timeout)
    if verdict.status == "refuted" and verdict.holds_under:
        assumed = replace(claim, assume=verdict.holds_under)
        under = prove_claim(doc, assumed, sizes=sizes, timeout=timeout)
        if under.status in ("proved", "verified"):
            held = replace(under, holds_under=verdict.holds_under)
            return StepResult(step, under.status, held, claim=claim)
    return StepResult(step, verdict.status, verdict, claim=claim)


def inferred(doc: Document, step: Step, *exprs: sp.Expr) -> list[tuple[str, int]]:
    """The definitions inferred from other lines that the step uses, with their lines."""
    if not doc.defined_at:
        return []
    used = set().union(*(names_in(e) for e in exprs))
    return [
        (name, d.position.line)
        for name, d in sorted(doc.definitions.items(), key=lambda item: item[1].position.line)
        if name in used
        and (d.position.line, d.position.col) in doc.defined_at
        and d.position.line != step.right.line
    ]


def inferred_uses(doc: Document, step: Step, *exprs: sp.Expr) -> list[str]:
    """A note naming the definitions derive inferred from other lines that the step uses."""
    found = [
        f"`{name}` from {line_named(line, doc.cells)}" for name, line in inferred(doc, step, *exprs)
    ]
    return [f"inferred: {', '.join(found)}"] if found else []


def defined_later(doc: Document, step: Step, *exprs: sp.Expr) -> str | None:
    """Why a step that uses a name the body defines only further down is not checked."""
    later = [(n, line) for n, line in inferred(doc, step, *exprs) if line > step.right.line]
    if not later:
        return None
    name, line = later[0]
    return (
        f"`{name}` is defined further down ({line_named(line, doc.cells)}): derive does not "
        "know whether that definition is meant here; define it before its first use"
    )


def restated(
    doc: Document, step: Step, limits: tuple[tuple[int, ...], float | None], *exprs: sp.Expr
) -> str | None:
    """Why a step after a row ``E = …`` that does not hold of ``E``'s definition is not checked.

    Such a row may be a slip, or a second definition of the same name (``Now take
    instead E = …``): which of the two the steps after it mean is not clear.
    """
    for name, line in inferred(doc, step, *exprs):
        for place in doc.restated.get(name, []):
            if place[0] >= step.right.line:
                continue
            found = restatement(doc, place, limits)
            plain = found is None or (
                found.holds and not (found.verdict and found.verdict.holds_under)
            )
            if not plain:
                return (
                    f"`{name}` is written again at {line_named(place[0], doc.cells)} as an "
                    f"expression derive does not find equal to its definition "
                    f"({line_named(line, doc.cells)}): which of the two this step means is "
                    "not clear"
                )
    return None


def restatement(
    doc: Document, place: tuple[int, int], limits: tuple[tuple[int, ...], float | None]
) -> StepResult | None:
    """The result of the row whose right side is at ``place`` (checked once)."""
    found = RESTATEMENTS.get(doc, place)
    if found is not None:
        return found
    at = (p for p in plan_steps(doc) if (p.step.right.line, p.step.right.col) == place)
    planned = next(at, None)
    return None if planned is None else RESTATEMENTS.put(doc, place, run_step(planned, *limits))


RESTATEMENTS: OwnedMemo[Document, tuple[int, int], StepResult] = OwnedMemo("steps.RESTATEMENTS", 64)


def unreadable(doc: Document, step: Step) -> str | None:
    """Why a step is not checked: an assignment, or a name defined in a way not read."""
    why = doc.unchecked.get((step.right.line, step.right.col))
    if why is not None:
        return why
    written = f"{step.left.text} {step.right.text}"
    for name, why in doc.tainted.items():
        if mentions(written, name):
            return f"`{name}` is defined in a way derive does not read: {why}"
    return None


def shape(expr: sp.Expr) -> str:
    """``a scalar`` (1×1 included) or ``N×1``: what a side is, for messages."""
    if not isinstance(expr, sp.MatrixExpr) or expr.shape == (1, 1):
        return "a scalar"
    rows, cols = expr.shape
    return f"{rows}×{cols}"


def expand_macros(text: str, doc: Document) -> str:
    r"""Replace what the front matter's ``[macros]`` name, longest first.

    Notes have their own shorthands and OCR damage (``\mathbf{r}^{(L)}`` for
    ``{}^r \mathbf{z}^{(L)}``); the body stays as written and the reading is declared.
    """
    for written in sorted(doc.macros, key=len, reverse=True):
        text = text.replace(written, doc.macros[written])
    return text


def column_layout(
    step: Step, lhs: sp.Expr, rhs: sp.Expr, notes: list[str]
) -> tuple[sp.Expr, sp.Expr]:
    """A row gradient against a column of its length: read as the column, noted."""
    for side, other, text in ((lhs, rhs, step.left.text), (rhs, lhs, step.right.text)):
        if in_layout(side, other):
            notes.append(f"read `{text}` as the column gradient (denominator layout)")
            column = sp.Transpose(side)
            return (column, rhs) if side is lhs else (lhs, column)
    return lhs, rhs


def as_scalar(expr: sp.Expr) -> sp.Expr:
    """A 1×1 matrix, such as a row gradient times a column, as its only entry."""
    if isinstance(expr, sp.MatrixExpr) and expr.shape == (1, 1):
        return symbols.Entry(expr, sp.S.One, sp.S.One)
    return expr


def one_sided(doc: Document, step: Step) -> StepResult:
    """A step with an empty side: report what is there, or why nothing is."""
    written = step.left.text or step.right.text
    try:
        if written:
            parse_expression(written, doc.scope)
    except DeriveError as err:
        return StepResult(step, "unparsed", reason=err.message)
    why = (
        "it starts with `=` but no chain comes before it"
        if not step.left.text
        else "one side of the equality is empty"
    )
    return StepResult(step, "unparsed", reason=why)
