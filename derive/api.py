r"""The Python API: load documents, check them, prove identities, and read the results.

>>> from derive import api
>>> report = api.check(api.load("softmax"))
>>> [(r.claim.name, r.verdict.status) for r in report.results][:2]
[('jacobian', 'proved'), ('diagonal', 'proved')]

Identities built in Python (:func:`prove`, :func:`assert_identity`) are checked by the
same path as a document's claims:

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

import os
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any

import sympy as sp

from derive.checking.check import Task, check_document, check_task
from derive.checking.results import ClaimResult, Report
from derive.checking.steps import StepResult
from derive.errors import DeriveError, UsageError
from derive.meaning import axes_of, check_expression
from derive.meaning import check_document as check_meaning
from derive.model import Claim, Document
from derive.presenting import words
from derive.printing.notation import statement
from derive.proving import DEFAULT_SIZES, DEFAULT_TIMEOUT, entry_of
from derive.reading.catalog import find_document
from derive.reading.document import RawDocument, read_document, split_document
from derive.reading.frontmatter import blamed, default_name, document_of, with_inferred
from derive.reading.python import identity
from derive.verdict import Verdict

__all__ = ["ClaimResult", "Report", "assert_identity", "check", "load", "load_text", "prove"]

CELL = "<cell>"  # what positions in a document given as text are shown in

Progress = Callable[[Document, Claim, int, int], None]


def load(name_or_path: str | os.PathLike[str]) -> Document:
    """Load a document by catalogue name or path.

    Raises:
        DeriveError: not found, or malformed (with ``file:line:col``).
    """
    return settled(read_document(str(find_document(os.fspath(name_or_path)))))


def load_text(text: str, name: str = CELL) -> Document:
    r"""Load a document from its text, read as a Markdown file is (front matter optional).

    Positions in its errors are given in ``name`` (``<cell>:3:5``), as ``<stdin>`` is for
    standard input.

    >>> load_text("$$\frac{d}{dx} x^2 = 2 x$$").path
    '<cell>'

    Raises:
        DeriveError: malformed (with ``name:line:col``).
    """
    return settled(split_document(text, name))


def settled(raw: RawDocument) -> Document:
    """The document ``raw`` reads as, its meaning checked.

    An inferred definition derive cannot read is left out (with why) and the rest read
    again; a name the document itself writes unreadably is an error.

    Raises:
        DeriveError: malformed (with ``file:line:col``).
    """
    refused: dict[str, str] = {}
    while True:
        doc = document_of(raw, refused)
        try:
            check_meaning(doc)  # every name has one type: refused here, at file:line:col
            for claim in doc.claims:
                entry_of(claim, doc)  # a matrix claim needs an index per dimension: say so
        except DeriveError as err:
            culprit = blamed(doc, err)
            if culprit is None or culprit in refused:
                raise err.in_cells(doc.cells) from None
            refused[culprit] = f"derive cannot read it: {err.message}"  # inferred: left out
            continue
        return doc


def inputs(doc: Document) -> dict[str, tuple[str | None, ...]]:
    """The free inputs of ``doc`` and the size of each of their axes, as derive inferred them.

    A name that is neither defined, declared nor a size or an index is an input; a
    subscripted one (``z_k``) is a vector over its index's size, as its uses say
    (``None`` where no use tells).
    """
    declared = {*doc.definitions, *doc.functions, *doc.shapes, *doc.sizes, *doc.indices}
    return {
        name: axes
        for name, axes in axes_of(doc).items()
        if name not in declared and not name.startswith("\\text")
    }


def infer(name_or_path: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """The name and the front-matter tables derive infers for a document's body.

    Only what the document's own front matter does not write is returned: for notes with
    no front matter, all of it.

    Raises:
        DeriveError: not found, or malformed (with ``file:line:col``).
    """
    raw = read_document(str(find_document(name_or_path)))
    name = str(raw.front.get("name", default_name(raw.path)))
    try:
        return name, with_inferred(raw).inferred
    except DeriveError as err:
        raise err.in_cells(raw.cells) from None


def check(
    document: Document | str | os.PathLike[str],
    *,
    sizes: Sequence[int] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
    progress: Progress | None = None,
) -> Report:
    """Check every claim and every step of a document; each verdict's message is its line.

    >>> check("softmax-ce")
    <Report softmax-ce: 12 of 12 claims as expected; no steps>

    Args:
        document: a loaded document (:func:`load`), or what :func:`load` takes: a
            catalogue name (``"softmax-ce"``) or a path (``str`` or ``os.PathLike``).
        sizes: concrete sizes tried when no all-K proof is found.
        timeout: seconds allowed per claim; past it the claim is ``undecided``.
        progress: called before each claim with (document, claim, number, total).
    """

    def each(d: Document, task: Task, number: int, total: int) -> None:
        if progress is not None and task.claim is not None:
            progress(d, task.claim, number, len(d.claims))

    doc = document if isinstance(document, Document) else load(document)
    report = check_document(doc, sizes=sizes, timeout=timeout, progress=each)
    return Report(
        doc,
        tuple(worded(r) for r in report.results),
        tuple(worded_step(s) for s in report.steps),
    )


def worded(result: ClaimResult) -> ClaimResult:
    """A claim's result whose verdict's message is its line (:func:`words.claim_line`)."""
    return replace(result, verdict=said(result.claim, result.verdict))


def said(claim: Claim, verdict: Verdict) -> Verdict:
    """``verdict`` with its line as its message."""
    return replace(verdict, message=words.claim_line(claim, verdict))


def worded_step(result: StepResult) -> StepResult:
    """A step's result with its line as its message, and its verdict's."""
    verdict = result.verdict
    if verdict is not None and result.claim is not None:
        verdict = said(result.claim, verdict)
    return replace(result, verdict=verdict, message=words.step_line(result))


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
    doc, claim = identity(lhs, rhs, assume=assume, indices=indices, distinct=distinct)
    mistake = check_expression(doc, claim.lhs, claim.rhs)
    if mistake is not None:
        raise UsageError(mistake)
    result = check_task(doc, Task(claim=claim), sizes, timeout)
    assert isinstance(result, ClaimResult)
    return said(claim, result.verdict)


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
    if verdict.status not in words.HOLDS:
        lines = [statement(lhs, rhs), f"  {verdict.message}", *words.evidence(verdict)]
        raise AssertionError("\n".join(lines))
    return verdict
