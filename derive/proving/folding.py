"""Normal forms folded back into a document's names.

Helpers of :mod:`derive.proving.gradient`: ``σ(x)`` for a logistic in exponentials, sums that
take in their constant factors, and :class:`Folder`, which puts a defined quantity's
name where its expansion stands. Each rewrite keeps the value; the caller proves that.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import sympy as sp

from derive import symbols
from derive.errors import DeriveError
from derive.model import Document
from derive.proving.expand import fresh_bound, meaning
from derive.proving.exponentials import exp_atom
from derive.proving.index_calculus import Unsupported

MAX_ASSIGNMENTS = 64  # index assignments tried when folding one definition


def into_sums(expr: sp.Basic) -> sp.Basic:
    """``c · Σ_k f_k`` as ``Σ_k c f_k``, everywhere, so that a name can take ``c f_k``."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    expr = symbols.rebuild(expr, [into_sums(a) for a in expr.args])
    if isinstance(expr, sp.Mul):
        sums = [f for f in expr.args if isinstance(f, sp.Sum)]
        if len(sums) == 1:
            (total,) = sums
            rest = sp.Mul(*[f for f in expr.args if f is not total])
            bound = {var for var, *_ in total.limits}
            if not bound & rest.free_symbols:
                return sp.Sum(total.function * rest, *total.limits)
    return expr


def distribute(expr: sp.Expr) -> sp.Expr:
    """Products over sums multiplied out at the top level only."""
    try:
        return sp.expand(expr, deep=False, power_exp=False, log=False)
    except (TypeError, ValueError):
        return expr


def sigmoids(expr: sp.Basic) -> sp.Basic:
    """``1 / (1 + e^{−x})`` and ``e^{x} / (1 + e^{x})`` as ``σ(x)``, everywhere, bottom-up."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    expr = symbols.rebuild(expr, [sigmoids(a) for a in expr.args])
    if isinstance(expr, sp.Pow) and expr.exp == -1:
        x = logistic_argument(expr.base, sp.S.One)
        if x is not None:
            return symbols.sigmoid(x)
    if isinstance(expr, sp.Mul):
        factors = list(expr.args)
        for n, factor in enumerate(factors):
            if isinstance(factor, symbols.sigmoid):  # e^{x} σ(−x) = σ(x)
                for m, top in enumerate(factors):
                    if isinstance(top, (sp.exp, exp_atom)) and top.args[0] == -factor.args[0]:
                        rest = [f for k, f in enumerate(factors) if k not in (n, m)]
                        return sp.Mul(symbols.sigmoid(top.args[0]), *rest)
            if isinstance(factor, sp.Pow) and factor.exp == -1:
                for m, top in enumerate(factors):
                    if m != n and isinstance(top, (sp.exp, exp_atom)):
                        x = logistic_argument(factor.base, top)
                        if x is not None:
                            rest = [f for k, f in enumerate(factors) if k not in (n, m)]
                            return sp.Mul(symbols.sigmoid(x), *rest)
    return expr


def logistic_argument(denominator: sp.Expr, numerator: sp.Expr) -> sp.Expr | None:
    """``x`` when ``numerator / denominator`` is ``σ(x)``: ``1/(1 + e^{−x})``, ``e^x/(1 + e^x)``."""
    terms = sp.Add.make_args(denominator)
    if len(terms) != 2 or sp.S.One not in terms:
        return None
    (other,) = [t for t in terms if t != 1]
    if not isinstance(other, (sp.exp, exp_atom)):
        return None
    if numerator == 1:
        return -other.args[0]
    if numerator == other:
        return other.args[0]
    return None


def shapes_of(expr: sp.Expr) -> list[sp.Expr]:
    """The same expression expanded, with common factors pulled out, and as it is."""
    out = [expr]
    try:
        out.append(sp.factor_terms(expr))
        out.append(sp.factor_terms(sp.expand(expr, deep=False)))
        out.append(sp.expand(expr, deep=False))
    except (TypeError, ValueError):
        pass
    return out


def logistic(expr: sp.Expr) -> sp.Expr:
    """Write ``e^{x}`` as ``σ(x) / (1 − σ(x))`` wherever that makes the form shorter.

    ``e^{2x}`` and ``e^{−x}`` go with ``e^{x}``: each power of it is replaced together.
    """
    groups: dict[sp.Expr, list[tuple[sp.Basic, int]]] = {}
    for atom in expr.atoms(sp.exp, exp_atom):
        coeff, base = atom.args[0].as_coeff_Mul()
        if coeff.is_Integer and coeff != 0:
            groups.setdefault(base, []).append((atom, int(coeff)))
    for base in sorted(groups, key=sp.default_sort_key):
        s = symbols.sigmoid(base)
        mapping = {atom: (s / (1 - s)) ** power for atom, power in groups[base]}
        folded = sp.factor_terms(sp.cancel(expr.xreplace(mapping)))
        if sp.count_ops(folded) < sp.count_ops(expr):
            expr = folded
    return expr


class Folder:
    """Put each defined quantity's name where its expansion stands: ``act(b_j + Σ w x)``.

    Every element of every definition, indexed by the forms' indices (bound ones
    included), is expanded once; the largest expansions are replaced first, so that
    ``y_k`` takes its whole softmax before ``z^{(2)}_k`` could take a piece of it.
    Summation variables are named by nesting depth (:func:`canonical`), so an expansion
    is compared with the subtrees at each depth.
    """

    def __init__(self, doc: Document, forms: Sequence[sp.Basic]) -> None:
        """Expand the elements the canonical ``forms`` can hold."""
        found = {s for form in forms for s in form.atoms(sp.Symbol) if s.is_integer}
        indices = sorted(found, key=lambda s: (len(s.name), s.name))
        self.deepest = max((depth_of(form) for form in forms), default=0)
        expansions: dict[sp.Basic, tuple[sp.Basic, sp.Basic]] = {}
        for element in elements(doc, indices):
            try:
                expansion = fresh_bound(meaning(element, doc))
            except (DeriveError, Unsupported, TypeError, ValueError):
                continue
            if not (expansion.is_Atom or isinstance(expansion, sp.Indexed)):
                expansions.setdefault(canonical(expansion), (expansion, element))
        self.order = [
            [
                (canonical(expansions[key][0], depth), expansions[key][1])
                for depth in range(self.deepest + 1)
            ]
            for key in sorted(expansions, key=lambda e: -sp.count_ops(e))
        ]

    def fold(self, expr: sp.Basic) -> sp.Basic:
        """``expr`` (canonical) with every expansion found replaced by its name."""
        for variants in self.order:
            for expansion, element in variants:
                expr = substitute(expr, expansion, element)
        return expr


def elements(doc: Document, indices: Sequence[sp.Symbol]) -> Iterable[sp.Basic]:
    """Elements ``name_{…}`` of the defined quantities, at the given indices."""
    for name, definition in doc.definitions.items():
        params = definition.params
        if not params and name in doc.shapes:  # a vector or matrix defined in matrix form
            params = tuple(sp.Dummy() for dim in doc.shapes[name] if dim != "1")
        if not params or not all(isinstance(p, (sp.Symbol, sp.Dummy)) for p in params):
            continue
        combos = itertools.product(indices, repeat=len(params))
        for assignment in itertools.islice(combos, MAX_ASSIGNMENTS):
            yield symbols.tensor(name)[assignment]


def depth_of(expr: sp.Basic) -> int:
    """How deeply sums nest in ``expr``."""
    if isinstance(expr, sp.Sum):
        return len(expr.limits) + depth_of(expr.function)
    return max((depth_of(a) for a in expr.args), default=0)


def canonical(expr: sp.Basic, depth: int = 0) -> sp.Basic:
    """Rename summation variables by nesting depth (from ``depth``): ``_b0``, ``_b1``, …."""
    if isinstance(expr, sp.Sum):
        body = expr.function
        limits = []
        for var, lo, hi in expr.limits:
            new = sp.Symbol(f"_b{depth}", integer=True, positive=True)
            depth += 1
            body = body.xreplace({var: new})
            limits.append((new, lo, hi))
        return sp.Sum(canonical(body, depth), *limits)
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    return symbols.rebuild(expr, [canonical(a, depth) for a in expr.args])


def substitute(expr: sp.Basic, old: sp.Basic, new: sp.Basic) -> sp.Basic:
    """Replace ``old`` by ``new``; a product ``old`` also inside a longer product."""
    if expr == old:
        return new
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    args = [substitute(a, old, new) for a in expr.args]
    if any(a is not b for a, b in zip(args, expr.args, strict=True)):
        expr = symbols.rebuild(expr, args)
    if isinstance(expr, sp.Mul) and isinstance(old, sp.Mul):
        factors = list(expr.args)
        for factor in old.args:
            if factor not in factors:
                return expr
            factors.remove(factor)
        return sp.Mul(new, *factors)
    return expr
