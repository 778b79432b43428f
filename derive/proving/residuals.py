"""A residual in the document's names, shown only once proved equal to the prover's own.

The prover's residual is a normal form: ``u = e^{z}`` variables, definitions expanded.
:func:`~derive.proving.folding.readable` folds the softmax back (``y_j``); a claim about
a sigmoid, a logit or a layer's pre-activation is still written out in exponentials.
:func:`in_names` also tries the ways :func:`~derive.proving.folding.readings` folds a
derivative (``σ(x)`` for a logistic, a defined quantity's name for its expansion), and
keeps the shortest form as printed. A folded form replaces the plain one only when the
index calculus brings their difference to zero under the claim's own assumptions, so
that a rewriting bug shows the plain residual, never a wrong one.
"""

from __future__ import annotations

from collections.abc import Sequence

import sympy as sp

from derive.errors import DeriveError
from derive.model import Document
from derive.printing.notation import unicode
from derive.proving import index_ranges, rule_for
from derive.proving.expand import meaning
from derive.proving.folding import readable, readings, shapes_of
from derive.proving.index_calculus import IndexCalculus, Unsupported, zero_test
from derive.proving.limits import TimeLimit, time_limit

MAX_OPS = 200  # a longer residual is not shown whole anyway: folding it is not worth it
BUDGET = 3.0  # seconds for folding one residual, proofs of the forms included


def in_names(residual: sp.Expr, doc: Document, assume: Sequence[str] = ()) -> sp.Expr:
    """Return ``residual`` (a normal form) in the document's names, as short as found.

    Args:
        residual: the prover's ``left − right`` in normal form.
        doc: the document whose definitions name its parts.
        assume: the assumptions the residual was formed under (the claim's own).

    Returns:
        The shortest form found that is proved equal to the plain folding
        (:func:`~derive.proving.folding.readable`), else that plain folding.
    """
    plain = readable(residual, doc)
    if residual.is_Number or sp.count_ops(plain) > MAX_OPS:
        return plain
    try:
        with time_limit(BUDGET):
            return shortest(residual, plain, doc, tuple(assume))
    except TimeLimit:
        return plain


def shortest(residual: sp.Expr, plain: sp.Expr, doc: Document, assume: tuple[str, ...]) -> sp.Expr:
    """The simplest folded form shorter than ``plain`` as printed, proved equal to it."""
    try:
        found = readings(doc, residual)
    except (DeriveError, Unsupported, TypeError, ValueError):
        return plain
    forms = dict.fromkeys(f for form in found for f in shapes_of(form))
    length = len(unicode(plain))
    shorter = sorted(  # fewest operations; on a tie a product, then the shorter
        (f for f in forms if len(unicode(f)) < length and not nested(f)),
        key=lambda f: (sp.count_ops(f), not isinstance(f, sp.Mul), len(unicode(f)), str(f)),
    )
    for form in shorter:
        if equal(form, plain, doc, assume):
            return form
    return plain


def nested(form: sp.Expr) -> bool:
    """True when a logarithm or a power holds a fraction: ``ln(1 − P/(P − 1))``.

    Such a form comes of writing ``e^{u}`` as ``σ(u)/(1 − σ(u))`` where no cancelling
    reaches: shorter, but harder to read than the exponentials it replaced.
    """
    for node in form.atoms(sp.log, sp.Pow):
        inner = node.args[0] if isinstance(node, sp.log) else node.base
        if isinstance(node, sp.Pow) and node.exp.is_Integer:
            continue
        if any(p.exp.is_negative and isinstance(p.base, sp.Add) for p in inner.atoms(sp.Pow)):
            return True
    return False


def equal(form: sp.Expr, plain: sp.Expr, doc: Document, assume: tuple[str, ...]) -> bool:
    """True when the index calculus brings ``form − plain`` to zero, every name expanded."""
    try:
        rules = tuple(rule_for(doc, name) for name in assume)
        difference = meaning(form - plain, doc)
        normal = IndexCalculus(index_ranges(doc), rules).normal_form(difference)
        return bool(zero_test(normal) == 0)
    except (DeriveError, Unsupported, TypeError, ValueError, ZeroDivisionError):
        return False
