r"""Derivatives by a variable that the expression does not contain.

Notes drift between spellings: ``\frac{\partial s(z_i^{(1)})}{\partial z_i}`` means the
derivative by ``z_i^{(1)}``, but read as written it is 0. Such a step is not checked: a
verdict on the letter of it would be a false alarm, one on its intent a guess. In notes
read with no front matter, no derivative is taken to be 0 for want of its variable: the
likeliest cause is a definition derive did not find.
"""

from __future__ import annotations

import re

import sympy as sp

from derive.errors import DeriveError
from derive.model import Document
from derive.proving.expand import meaning
from derive.symbols import base_name

TAG = re.compile(r"\^\{[^{}]*\}|\^[A-Za-z0-9]|\\(?:mathbf|boldsymbol|vec|bm)\b|[{}\s]")


def spelling(name: str) -> str:
    r"""``name`` without layer tags and bold: ``z^{(1)}`` and ``\mathbf{z}`` are ``z``."""
    return TAG.sub("", name)


def names_in(expr: sp.Basic) -> set[str]:
    """The names of the symbols, entries and functions in ``expr``."""
    atoms = expr.atoms(sp.Symbol, sp.Indexed, sp.core.function.AppliedUndef)
    return {n for n in (base_name(a) for a in atoms) if n is not None}


def stray_variable(doc: Document, *exprs: sp.Basic) -> str | None:
    """Why a derivative in ``exprs`` is by a lookalike of what it differentiates, if one is."""
    for expr in exprs:
        for node in expr.atoms(sp.Derivative):
            for var in node.variables:
                name = base_name(var)
                if name is None or name in doc.definitions:
                    continue
                try:
                    present = names_in(meaning(node.expr, doc))
                except DeriveError:
                    continue
                if name in present:
                    continue
                like = sorted(n for n in present if spelling(n) == spelling(name))
                if like:
                    return (
                        f"the derivative by `{name}` is of an expression in `{like[0]}`, "
                        f"not `{name}`: write the derivative by `{like[0]}` (as written it "
                        "would be 0)"
                    )
                if doc.bare:
                    return (
                        f"the derivative by `{name}` is of an expression without `{name}`, "
                        "so it would be 0: in notes with no front matter derive does not "
                        "take that as meant (a definition it did not read?); define what is "
                        "differentiated in display math"
                    )
    return None
