"""From a claim to what it means: definitions substituted, chain-rule factors taken.

The result of :func:`meaning` mentions inputs only (``z``, ``t``, free scalars) and
keeps ``Derivative`` nodes only with respect to inputs; every provider of a verdict
(index calculus, modular check, numeric evaluation) starts from it.
"""

from __future__ import annotations

import sympy as sp

from derive import symbols
from derive.errors import DocumentError
from derive.memo import OwnedMemo
from derive.model import Claim, Definition, Document, FunctionDecl
from derive.proving.calculus import differentiate
from derive.proving.matrix import lower, shape_of, square_form
from derive.symbols import Opaque, VectorView, base_name, rebuild, undefined_function

MAX_DEPTH = 64  # definitions nest far less deeply; more means a cycle


def fresh_bound(expr: sp.Basic) -> sp.Basic:
    """Rename every sum's and product's variable to a fresh dummy (no capture then)."""
    if not expr.args:
        return expr
    if isinstance(expr, sp.Sum | sp.Product):
        body = fresh_bound(expr.function)
        limits: list[tuple[sp.Basic, sp.Basic, sp.Basic]] = []
        for var, lo, hi in expr.limits:  # innermost first: an outer variable may bound it
            new = sp.Dummy(var.name, integer=True, positive=True)
            body = body.xreplace({var: new})
            limits = [(v, a.xreplace({var: new}), b.xreplace({var: new})) for v, a, b in limits]
            limits.append((new, fresh_bound(lo), fresh_bound(hi)))
        return type(expr)(body, *limits)
    return rebuild(expr, [fresh_bound(a) for a in expr.args])


def instantiate(definition: Definition, args: tuple[sp.Basic, ...], doc: Document) -> sp.Expr:
    """Return the body of ``definition`` with its parameters replaced by ``args``."""
    if isinstance(definition.body, sp.MatrixExpr):
        row, col = (*args, sp.S.One, sp.S.One)[:2]
        return fresh_bound(entries(lower(definition.body, row, col)))
    if len(args) != len(definition.params):
        raise DocumentError(
            f"`{definition.name}` is defined with {len(definition.params)} "
            f"subscript(s) but used with {len(args)}",
            definition.position,
        )
    body = fresh_bound(entries(definition.body))  # `\|w\|^2`: its entry `(w^T w)_{11}`
    mapping: dict[sp.Basic, sp.Basic] = {}
    for param, arg in zip(definition.params, args, strict=True):
        if isinstance(arg, VectorView) and isinstance(param, sp.IndexedBase):
            body = through_view(body, param, arg)
        elif isinstance(param, sp.Indexed):
            if not isinstance(arg, sp.Indexed) or arg.base != param.base:
                raise DocumentError(
                    f"`{definition.name}` is defined on an entry of "
                    f"`{base_name(param.base)}`, so it takes one, not `{arg}`",
                    definition.position,
                )
            mapping.update(zip(param.indices, arg.indices, strict=True))
        else:
            mapping[param] = arg
    return body.xreplace(mapping)


def through_view(body: sp.Basic, param: sp.IndexedBase, view: VectorView) -> sp.Basic:
    """Put a vector view in place of a vector parameter.

    ``param[k]`` becomes ``base[prefix, k]``, and a sum over the components of
    ``param`` skips the excluded ones (a factor ``1 − δ`` per excluded index).
    """
    if isinstance(body, sp.Indexed):
        if body.base == param:
            return view.base[(*view.prefix, *body.indices)]
        return body
    if not body.args or isinstance(body, sp.IndexedBase):
        return body
    if isinstance(body, sp.Sum) and view.exclude:
        (var, lo, hi), *others = body.limits
        summand = through_view(body.function, param, view)
        if param[var] in body.function.atoms(sp.Indexed):
            for left_out in view.exclude:
                summand = summand * (1 - sp.KroneckerDelta(var, left_out))
        return sp.Sum(summand, (var, lo, hi), *others)
    return rebuild(body, [through_view(a, param, view) for a in body.args])


def expand(expr: sp.Basic, doc: Document, keep: frozenset[str] = frozenset()) -> sp.Expr:
    """Substitute every defined name except those in ``keep``, all the way down.

    One pass: a substituted body is expanded in turn; equal subtrees are expanded once.
    """
    return Expansion(doc, keep).go(expr, 0)


class Expansion:
    """One expansion of definitions and declared functions, memoised by subtree."""

    def __init__(self, doc: Document, keep: frozenset[str]) -> None:
        """Expand under ``doc`` holding the names in ``keep``."""
        self.doc = doc
        self.keep = keep
        self.memo: dict[sp.Basic, sp.Basic] = {}

    def go(self, expr: sp.Basic, depth: int) -> sp.Basic:
        """Return ``expr`` expanded; ``depth`` counts nested substitutions."""
        if depth > MAX_DEPTH:
            raise DocumentError("the definitions refer to each other in a cycle", None)
        found = self.memo.get(expr)
        if found is None:
            found = self.compute(expr, depth)
            self.memo[expr] = found
        return found

    def compute(self, expr: sp.Basic, depth: int) -> sp.Basic:
        """Expand one node (not memoised)."""
        doc = self.doc
        substituted = self.substitute(expr)
        if substituted is not None:
            return self.go(substituted, depth + 1)
        if isinstance(expr, (sp.Indexed, sp.IndexedBase)) or not expr.args:
            return expr  # an input: do not touch its indices or label
        if isinstance(expr, Opaque):
            entry = self.go(expr.entry, depth)
            return expr if entry is expr.entry else Opaque(*expr.args[:2], entry, *expr.limits)
        name = base_name(expr)
        if isinstance(expr, sp.core.function.AppliedUndef) and name is not None:
            declared = doc.functions.get(name.rstrip("'"))
            if declared is not None and not declared.opaque:
                return undefined_function(name)(*[self.go(a, depth) for a in expr.args])
        args = [self.go(a, depth) for a in expr.args]
        if all(new is old for new, old in zip(args, expr.args, strict=True)):
            return expr
        return rebuild(expr, args)

    def substitute(self, expr: sp.Basic) -> sp.Basic | None:
        """The body standing for a defined name or a declared loss, if ``expr`` is one."""
        name = base_name(expr)
        if name is None or name in self.keep:
            return None
        definition = self.doc.definitions.get(name)
        body: sp.Basic | None = None
        if definition is not None:
            if isinstance(expr, sp.Indexed):
                body = instantiate(definition, tuple(expr.indices), self.doc)
            elif isinstance(expr, sp.Symbol) and not definition.params:
                body = instantiate(definition, (), self.doc)
            elif isinstance(expr, sp.core.function.AppliedUndef):
                body = instantiate(definition, tuple(expr.args), self.doc)
        if body is not None and body.has(sp.Derivative):
            return resolve(body, self.doc)  # `δ_j = ∂C/∂z_j`, `z` defined: a chain-rule factor
        if body is not None:
            return body
        declared = self.doc.functions.get(name)
        if declared is not None and declared.opaque and isinstance(expr, sp.Symbol):
            return opaque(declared, self.doc)
        return None


def opaque(declared: FunctionDecl, doc: Document) -> Opaque:
    r"""``C`` declared as ``C(\mathbf{z})``: an unspecified function of every entry of ``z``."""
    (argument,) = declared.params
    label = base_name(argument) or ""
    definition = doc.definitions.get(label)
    if definition is None or not definition.params:
        raise DocumentError(
            f"`{declared.name}` is a function of `{label}`, whose entries derive cannot "
            f"enumerate: define `{label}` with index subscripts, as in `{label}_{{rj}}`",
            declared.position,
        )
    dummies = [sp.Dummy(p.name, integer=True, positive=True) for p in definition.params]
    limits = [
        (d, sp.S.One, doc.size_symbol(p)) for d, p in zip(dummies, definition.params, strict=True)
    ]
    entry = symbols.tensor(label)[tuple(dummies)]
    return Opaque(sp.Symbol(declared.name), sp.Symbol(label), entry, *limits)


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
                    inner = differentiate(expand(inner, doc, frozenset({name})), var)
                else:
                    inner = sp.Derivative(expand(inner, doc), var, evaluate=False)
        return inner
    if isinstance(expr, sp.Indexed):
        return expr
    return rebuild(expr, [resolve(a, doc) for a in expr.args])


def meaning(expr: sp.Basic, doc: Document) -> sp.Expr:
    """Return ``expr`` in inputs only, derivatives with respect to inputs left whole.

    Summation variables are renamed first, so that no substitution can capture them
    (every definition's body is renamed afresh as it is substituted). A size the
    document fixes (``N = 10`` under ``[sizes]``) becomes its number.
    """
    expanded = expand(resolve(fresh_bound(expr), doc), doc)
    if not doc.fixed:
        return expanded
    return expanded.xreplace({symbols.size(n): sp.Integer(v) for n, v in doc.fixed.items()})


def claim_meaning(claim: Claim, doc: Document) -> tuple[sp.Expr, sp.Expr]:
    """Return the meaning of both sides of ``claim`` (matrix sides entry by entry).

    Remembered for the last claims seen: a refuted claim is decided again under each
    assumption, and its meaning does not change.
    """
    found = MEANINGS.get(doc, claim)
    if found is not None:
        return found
    lhs, rhs = entrywise(claim, doc)
    return MEANINGS.put(doc, claim, (meaning(lhs, doc), meaning(rhs, doc)))


MEANINGS: OwnedMemo[Document, Claim, tuple[sp.Expr, sp.Expr]] = OwnedMemo("expand.MEANINGS", 64)


def entrywise(claim: Claim, doc: Document) -> tuple[sp.Expr, sp.Expr]:
    """Lower a matrix claim to one entry with free indices of the right ranges."""
    entry = entry_of(claim, doc)
    if entry is None:
        return entries(claim.lhs), entries(claim.rhs)
    row, col = entry
    return entries(lower(claim.lhs, row, col)), entries(lower(claim.rhs, row, col))


def entries(expr: sp.Basic) -> sp.Basic:
    """Lower every written entry ``(M)_{ab}`` of a matrix expression, and ``det``, to index form."""
    if isinstance(expr, symbols.Entry):
        return entries(lower(*expr.args))
    if isinstance(expr, symbols.Det):
        return entries(square_form(expr.args[0]))
    if not expr.args or not expr.has(symbols.Entry, symbols.Det):
        return expr
    return rebuild(expr, [entries(a) for a in expr.args])


def left_free(doc: Document) -> frozenset[str]:
    """The indices some definition leaves free (not among its subscripts); remembered."""
    found = LEFT_FREE.get(doc, None)
    if found is not None:
        return found
    names: set[str] = set()
    for definition in doc.definitions.values():
        if not isinstance(definition.body, sp.MatrixExpr):
            own = {s.name for p in definition.params for s in p.free_symbols}
            names |= {s.name for s in symbols.free_symbols(definition.body)} - own
    return LEFT_FREE.put(doc, None, frozenset(names))


LEFT_FREE: OwnedMemo[Document, None, frozenset[str]] = OwnedMemo("expand.LEFT_FREE", 64)


def unused_index(doc: Document, size: sp.Basic, used: set[str]) -> str | None:
    """A declared index over ``size`` that is not in ``used``, to stand for every entry."""
    return next(
        (i for i, over in doc.indices.items() if symbols.size(over) == size and i not in used),
        None,
    )


def entry_of(claim: Claim, doc: Document) -> tuple[sp.Basic, sp.Basic] | None:
    """The entry ``(row, col)`` at which a matrix claim is checked (``None`` for scalars).

    Each dimension gets a declared index of its size that the claim does not use
    (``1`` for a dimension of size 1), so the entry stands for every entry.
    """
    shape = shape_of(claim.lhs) or shape_of(claim.rhs)
    if shape is None or all(isinstance(d, int | sp.Integer) for d in shape):
        return None  # a scalar, or written-out entries checked one by one
    used = {s.name for s in symbols.free_symbols(claim.lhs - claim.rhs)}
    used |= left_free(doc)  # an index a definition leaves free
    picked: list[sp.Basic] = []
    for dim in shape:
        if dim == 1:
            picked.append(sp.S.One)
            continue
        name = unused_index(doc, dim, used)
        if name is None:
            raise DocumentError(
                f"to check `{claim.name}` entry by entry derive needs an index over "
                f"{dim}: declare one under [indices]",
                claim.position,
            )
        used.add(name)
        picked.append(symbols.index(name))
    return picked[0], picked[1]
