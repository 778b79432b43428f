"""From a claim to what it means: definitions substituted, chain-rule factors taken.

The result of :func:`meaning` mentions inputs only (``z``, ``t``, free scalars) and
keeps ``Derivative`` nodes only with respect to inputs; every provider of a verdict
(index calculus, modular check, numeric evaluation) starts from it.
"""

from __future__ import annotations

import sympy as sp

from derive.errors import DocumentError
from derive.model import Claim, Definition, Document
from derive.symbols import base_name

MAX_DEPTH = 64  # definitions nest far less deeply; more means a cycle


def fresh_bound(expr: sp.Basic) -> sp.Basic:
    """Rename every summation variable to a fresh dummy, so substitution cannot capture."""
    if not expr.args:
        return expr
    if isinstance(expr, sp.Sum):
        body = fresh_bound(expr.function)
        limits = []
        for var, lo, hi in expr.limits:
            new = sp.Dummy(var.name, integer=True, positive=True)
            body = body.xreplace({var: new})
            limits.append((new, fresh_bound(lo), fresh_bound(hi)))
        return sp.Sum(body, *limits)
    return expr.func(*[fresh_bound(a) for a in expr.args])


def instantiate(definition: Definition, args: tuple[sp.Basic, ...], doc: Document) -> sp.Expr:
    """Return the body of ``definition`` with its parameters replaced by ``args``."""
    if len(args) != len(definition.params):
        raise DocumentError(
            f"`{definition.name}` is defined with {len(definition.params)} "
            f"subscript(s) but used with {len(args)}",
            definition.position,
        )
    body = fresh_bound(definition.body)
    mapping: dict[sp.Basic, sp.Basic] = {}
    for param, arg in zip(definition.params, args, strict=True):
        mapping[param] = arg
    return body.xreplace(mapping)


def expand(expr: sp.Basic, doc: Document, keep: frozenset[str] = frozenset()) -> sp.Expr:
    """Substitute every defined name except those in ``keep``, recursively."""
    for _ in range(MAX_DEPTH):
        replaced = expand_once(expr, doc, keep)
        if replaced == expr:
            return expr
        expr = replaced
    raise DocumentError("the definitions refer to each other in a cycle", None)


def expand_once(expr: sp.Basic, doc: Document, keep: frozenset[str]) -> sp.Basic:
    """Substitute one level of definitions."""
    name = base_name(expr)
    if name is not None and name in doc.definitions and name not in keep:
        definition = doc.definitions[name]
        if isinstance(expr, sp.Indexed):
            return instantiate(definition, tuple(expr.indices), doc)
        if isinstance(expr, sp.Symbol) and not definition.params:
            return fresh_bound(definition.body)
        if isinstance(expr, sp.core.function.AppliedUndef):
            return instantiate(definition, tuple(expr.args), doc)
    if isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr  # an input: do not touch its indices or label
    if not expr.args:
        return expr
    args = [expand_once(a, doc, keep) for a in expr.args]
    if all(new is old for new, old in zip(args, expr.args, strict=True)):
        return expr
    if isinstance(expr, sp.Derivative):
        return sp.Derivative(*args, evaluate=False)
    return expr.func(*args)


def resolve(expr: sp.Basic, doc: Document) -> sp.Expr:
    """Take every derivative with respect to a defined quantity (a chain-rule factor).

    ``∂E/∂y_k`` with ``y`` defined means: expand ``E`` holding ``y`` as the variable,
    then differentiate. Derivatives with respect to inputs stay as ``Derivative``
    nodes over fully expanded expressions.
    """
    if not expr.args:
        return expr
    if isinstance(expr, sp.Derivative):
        inner = resolve(expr.expr, doc)
        for var, count in expr.variable_count:
            for _ in range(int(count)):
                name = base_name(var)
                if name is not None and name in doc.definitions:
                    inner = sp.diff(expand(inner, doc, frozenset({name})), var)
                else:
                    inner = sp.Derivative(expand(inner, doc), var, evaluate=False)
        return inner
    if isinstance(expr, sp.Indexed):
        return expr
    return expr.func(*[resolve(a, doc) for a in expr.args])


def meaning(expr: sp.Basic, doc: Document) -> sp.Expr:
    """Return ``expr`` in inputs only, derivatives with respect to inputs left whole."""
    return fresh_bound(expand(resolve(expr, doc), doc))


def claim_meaning(claim: Claim, doc: Document) -> tuple[sp.Expr, sp.Expr]:
    """Return the meaning of both sides of ``claim``."""
    return meaning(claim.lhs, doc), meaning(claim.rhs, doc)
