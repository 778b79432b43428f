r"""Claims between whole vectors in index notation, checked at one entry.

``\nabla_z E = \mathbf{y} - \mathbf{t}`` and ``(y_1 - t_1, \dots, y_K - t_K) = \mathbf{y}
- \mathbf{t}`` say that two vectors of length ``K`` are equal: entry by entry, for every
entry. Such a claim is the claim between the entries at a declared index ``j`` over
``K`` that the claim does not use, which stands for every entry: a :class:`~derive.symbols.Vector`
becomes its entry at ``j``, and a whole vector ``\mathbf{y}`` written in a sum or a
product becomes ``y_j``. The length of a vector is its own (a written-out vector), or the
size its name's subscripts range over.
"""

from __future__ import annotations

from dataclasses import replace

import sympy as sp
from sympy.core.function import AppliedUndef

from derive import symbols
from derive.errors import DocumentError
from derive.meaning import axes_of
from derive.model import Claim, Document
from derive.proving.expand import unused_index

ARITHMETIC = (sp.Add, sp.Mul, sp.Pow)


def has_vectors(claim: Claim) -> bool:
    r"""True when ``claim`` writes a whole vector in index notation anywhere.

    A vector passed whole to a defined function, ``\text{soft}(\mathbf{z}, j)``, is that
    function's argument, not a vector side.
    """
    return any(_whole(side) for side in (claim.lhs, claim.rhs))


def at_entry(doc: Document, claim: Claim) -> Claim:
    """The claim between the entries of its two vector sides, at a declared index.

    Raises:
        DocumentError: One side is a vector and the other not, the vectors have different
            lengths, or no declared index ranges over their length.
    """
    for side in (claim.lhs, claim.rhs):
        _refuse_misplaced(side, claim)
    left, right = _vectors(claim.lhs), _vectors(claim.rhs)
    if not left or not right:
        raise DocumentError(
            "one side is a vector and the other a scalar: write both as vectors, or both as "
            "the entry `_j`",
            claim.position,
        )
    lengths = {_length(doc, v, claim) for v in (*left, *right)} - {sp.S.Zero}
    if len(lengths) != 1:
        shown = " and ".join(sorted(str(n) for n in lengths)) or "unknown"
        raise DocumentError(f"the two sides are vectors of lengths {shown}", claim.position)
    (length,) = lengths
    # not a letter the claim uses anywhere, bound ones too: `Σ_i δ_ip` at `i` would capture
    # (a vector's own dummy entry letter is not a use: `∂E/∂\mathbf{x}` writes no `n`)
    used = {
        s.name
        for side in (claim.lhs, claim.rhs)
        for s in side.atoms(sp.Symbol)
        if not isinstance(s, sp.Dummy)
    }
    name = unused_index(doc, length, used)
    if name is None:
        raise DocumentError(
            f"to compare vectors of length {length} entry by entry derive needs an index over "
            f"{length} that the claim does not use: declare one under [indices]",
            claim.position,
        )
    n = symbols.index(name)
    note = f"compared the vectors at entry {name}"
    return replace(
        claim, lhs=_entry(claim.lhs, n), rhs=_entry(claim.rhs, n), notes=(*claim.notes, note)
    )


def _whole(expr: sp.Basic) -> bool:
    """True when ``expr`` holds a whole vector that is not a defined function's argument."""
    if isinstance(expr, symbols.Vector | sp.IndexedBase):
        return True
    if not isinstance(expr, sp.Basic) or isinstance(expr, sp.Indexed | AppliedUndef):
        return False  # (an argument may be a class: the function `σ` mapped entrywise)
    return any(_whole(arg) for arg in expr.args)


def _refuse_misplaced(expr: sp.Basic, claim: Claim) -> None:
    r"""Refuse a whole vector that is not a term or a scalar multiple in a side.

    ``\mathbf{y} \mathbf{t}`` could be the entrywise product, the inner product or the
    outer product, ``\mathbf{y}^2`` the entrywise square or ``\mathbf{y}^T \mathbf{y}``,
    and ``\ln \mathbf{y}`` or ``\sum_k \mathbf{y}`` leave the vector inside a
    function of scalars: none of them is read as one of its meanings silently.

    Raises:
        DocumentError: Such a vector.
    """
    if isinstance(expr, symbols.Vector | sp.IndexedBase):
        return
    if isinstance(expr, sp.Mul) and sum(1 for a in expr.args if _whole(a)) > 1:
        raise DocumentError(
            "a product of two whole vectors: entrywise, inner or outer? Write the entry, "
            "e.g. `y_j t_j`, or the inner product as a sum, `\\sum_k y_k t_k`",
            claim.position,
        )
    if isinstance(expr, sp.Pow) and _whole(expr.base):
        raise DocumentError(
            "a power or quotient of a whole vector: entrywise, or a norm? Write the entry, "
            "e.g. `y_j^2` or `t_j / y_j`, or a sum, `\\sum_k y_k^2`",
            claim.position,
        )
    if isinstance(expr, sp.Add | sp.Mul):
        for arg in expr.args:
            _refuse_misplaced(arg, claim)
    elif _whole(expr):
        raise DocumentError(
            "a whole vector inside a function, a sum or a derivative: derive compares whole "
            "vectors only in sums and scalar multiples of them; write the entry, e.g. "
            "`\\ln y_j`, or the sum over entries, `\\sum_k y_k`",
            claim.position,
        )


def _vectors(expr: sp.Basic) -> list[sp.Basic]:
    """The vectors a side is built of, through sums, products and powers."""
    if isinstance(expr, symbols.Vector | sp.IndexedBase):
        return [expr]
    if isinstance(expr, sp.Pow):
        return _vectors(expr.base)
    if isinstance(expr, ARITHMETIC):
        return [v for arg in expr.args for v in _vectors(arg)]
    return []


def _length(doc: Document, vector: sp.Basic, claim: Claim) -> sp.Basic:
    """A vector's length: its own, or the size its name's subscripts range over."""
    if isinstance(vector, symbols.Vector) and vector.length != 0:
        return vector.length
    if isinstance(vector, symbols.Vector):
        bases = [v.base for d in vector.entry.atoms(sp.Derivative) for v in d.variables]
        if not bases:
            return sp.S.Zero
        vector = bases[0]
    name = symbols.base_name(vector) or str(vector)
    axes = axes_of(doc).get(name, ())
    if len(axes) != 1 or axes[0] is None:
        raise DocumentError(
            f"`{name}` is not a vector with one subscript over a size here, so it cannot be "
            f"compared as a whole: write its entry, e.g. `{name}_j`",
            claim.position,
        )
    return symbols.size(axes[0])


def _entry(expr: sp.Basic, n: sp.Symbol) -> sp.Basic:
    """``expr`` at entry ``n``: each vector replaced by its entry."""
    if isinstance(expr, symbols.Vector):
        return expr.entry.xreplace({expr.index: n})
    if isinstance(expr, sp.IndexedBase):
        return expr[n]
    if isinstance(expr, sp.Pow):
        return sp.Pow(_entry(expr.base, n), expr.exp)
    if isinstance(expr, ARITHMETIC):
        return expr.func(*[_entry(arg, n) for arg in expr.args])
    return expr
