"""Normal forms folded back into a document's names.

The prover works with ``u_k = e^{z_k}`` and canonical summation variables ``κ1``; a
reader wants ``y_j (Σ_k t_k − 1)``. :func:`readable`, the entry point, substitutes back
every definition whose normal form is ``u_p · c`` (the softmax: ``u_p / Σ u``), renames
bound variables to the document's index letters (:func:`rename_bound`), and writes the
remaining ``u`` as ``e^{z}``: checking puts every residual it reports through it.

For :mod:`derive.proving.gradient` too: ``σ(x)`` for a logistic in exponentials, sums
that take in their constant factors, and :class:`Folder`, which puts a defined
quantity's name where its expansion stands. Each rewrite keeps the value; the caller
proves that.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence

import sympy as sp

from derive import symbols
from derive.errors import DeriveError
from derive.memo import OwnedMemo
from derive.model import Document
from derive.proving.expand import fresh_bound, meaning
from derive.proving.exponentials import exp_atom, log_of
from derive.proving.index_calculus import IndexCalculus, Unsupported

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
        found = scaled_logistic(expr.base, sp.S.One)
        if found is not None:
            return symbols.sigmoid(found[0]) / found[1]
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
                        found = scaled_logistic(factor.base, top)
                        if found is not None:
                            rest = [f for k, f in enumerate(factors) if k not in (n, m)]
                            return sp.Mul(symbols.sigmoid(found[0]), *rest) / found[1]
    return expr


def scaled_logistic(denominator: sp.Expr, numerator: sp.Expr) -> tuple[sp.Expr, sp.Expr] | None:
    """``(x, c)`` when ``numerator / denominator`` is ``σ(x) / c``: ``N / (N + N e^{−x})``."""
    x = logistic_argument(denominator, numerator)
    if x is not None:
        return pulled(x), sp.S.One
    factored = sp.factor_terms(denominator)
    inner = [f for f in sp.Mul.make_args(factored) if isinstance(f, sp.Add)]
    if len(inner) != 1 or factored == inner[0]:
        return None
    x = logistic_argument(inner[0], numerator)
    return None if x is None else (pulled(x), factored / inner[0])


def pulled(expr: sp.Expr) -> sp.Expr:
    """Numeric factors taken out of sums, everywhere: ``−Σ_i (−a_i)`` is ``Σ_i a_i``."""
    if not expr.args or isinstance(expr, (sp.Indexed, sp.IndexedBase)):
        return expr
    expr = symbols.rebuild(expr, [pulled(a) for a in expr.args])
    if isinstance(expr, sp.Sum):
        coeff, body = expr.function.as_coeff_Mul()
        if coeff != 1:
            return coeff * sp.Sum(body, *expr.limits)
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
        coeff, base = power_of(atom.args[0])
        if coeff.is_Integer and coeff != 0:
            groups.setdefault(base, []).append((atom, int(coeff)))
    for base in sorted(groups, key=sp.default_sort_key):
        s = symbols.sigmoid(base)
        mapping = {atom: (s / (1 - s)) ** power for atom, power in groups[base]}
        folded = sp.factor_terms(sp.cancel(expr.xreplace(mapping)))
        if sp.count_ops(folded) < sp.count_ops(expr):
            expr = folded
    return expr


def power_of(exponent: sp.Expr) -> tuple[sp.Expr, sp.Expr]:
    """``(2, b + Σ)`` for ``2·b + 2·Σ``: ``e^{exponent}`` is ``(e^{base})^coeff``."""
    if not isinstance(exponent, sp.Add):
        return exponent.as_coeff_Mul()
    coeff, base = exponent.as_content_primitive()
    if base.could_extract_minus_sign():
        return -coeff, -base
    return coeff, base


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
                logistic_form = sigmoids(expansion)  # s = 1/(1 + e^{−a}) where σ(a) stands
                expansions.setdefault(canonical(logistic_form), (logistic_form, element))
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
    """Elements ``name_{…}`` of the defined quantities, at the given indices; scalars whole."""
    for name, definition in doc.definitions.items():
        params = definition.params
        if not params and name in doc.shapes:  # a vector or matrix defined in matrix form
            params = tuple(sp.Dummy() for dim in doc.shapes[name] if dim != "1")
        if not params and not definition.params and name not in doc.shapes:
            if not isinstance(definition.body, sp.MatrixExpr):
                yield symbols.scalar(name)  # a scalar: y = σ(b + Σ_i w_i x_i)
            continue
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


def readable(expr: sp.Expr, doc: Document) -> sp.Expr:
    """Return ``expr`` (a normal form) in the document's names."""
    for name, definition in doc.definitions.items():
        params = definition.params or implicit(doc, definition.body)
        expr = fold_definition(expr, doc, name, params, bare=not definition.params)
    expr = rename_bound(expr, doc)
    return unfold_exponentials(expr)


def unfold_exponentials(expr: sp.Expr) -> sp.Expr:
    """Write the normaliser's ``u = e^{z}`` variables as exponentials again."""
    elements = {e: sp.exp(log_of(e)) for e in expr.atoms(sp.Indexed) if log_of(e) is not None}
    expr = expr.xreplace(elements)
    scalars = {
        s: sp.exp(log_of(s))
        for s in expr.free_symbols
        if isinstance(s, sp.Symbol) and log_of(s) is not None
    }
    expr = expr.xreplace(scalars)
    return expr.replace(lambda n: isinstance(n, exp_atom), lambda n: sp.exp(n.args[0]))


def implicit(doc: Document, body: sp.Basic) -> tuple[sp.Basic, ...]:
    """The indices a definition without subscripts leaves free (``y = e^{z_i}/Σ e^{z}``)."""
    if isinstance(body, sp.MatrixExpr):
        return ()
    found = symbols.free_symbols(body)
    return tuple(sorted((s for s in found if s.name in doc.indices), key=str))


def fold_definition(
    expr: sp.Expr, doc: Document, name: str, params: tuple[sp.Basic, ...], bare: bool = False
) -> sp.Expr:
    """Write ``u_x`` as ``y_x · c(x)`` where ``y_p`` normalises to ``u_p · c(p)``.

    A definition without subscripts (``bare``) whose body leaves ``params`` free folds
    only where the same indices stand: ``y`` for ``u_i``.
    """
    if not params or not all(isinstance(p, sp.Symbol) and p.is_integer for p in params):
        return expr
    present = {e.base for e in expr.atoms(sp.Indexed)}
    present |= {  # the tensors behind the normaliser's `u = e^{z}` variables
        logged.base
        for e in expr.atoms(sp.Indexed, sp.Symbol)
        if isinstance(logged := log_of(e), sp.Indexed)
    }
    normal = normal_of(doc, name, params, present, bare)
    if normal is None:
        return expr
    u = [e for e in normal.atoms(sp.Indexed) if e.indices == params and log_of(e) is not None]
    if len(u) != 1 or sp.Mul.make_args(normal).count(u[0]) != 1:
        return expr
    scale = sp.cancel(normal / u[0])
    if scale.has(u[0]):
        return expr
    base = u[0].base
    inside = {e for s in expr.atoms(sp.Sum) for e in s.atoms(sp.Indexed)}
    mapping = {
        e: (symbols.scalar(name) if bare else symbols.tensor(name)[e.indices])
        / scale.xreplace(dict(zip(params, e.indices, strict=True)))
        for e in expr.atoms(sp.Indexed)
        if e.base == base
        and e not in inside
        and len(e.indices) == len(params)
        and (not bare or tuple(e.indices) == tuple(params))
    }
    if not mapping:
        return expr
    folded = sp.factor_terms(sp.cancel(expr.xreplace(mapping)))
    return folded if sp.count_ops(folded) <= sp.count_ops(expr) else expr


def normal_of(
    doc: Document,
    name: str,
    params: tuple[sp.Basic, ...],
    present: set[sp.Basic],
    bare: bool = False,
) -> sp.Expr | None:
    """The normal form of the defined ``name_{params}``, if it can fold into ``present``.

    ``present`` holds the tensors of the expression to fold: a definition over none of
    them is not normalised at all. Remembered per document (a name's ``params`` and
    ``bare`` are the document's own).
    """
    found = NORMALS.get(doc, name)
    if found is None:
        written = symbols.scalar(name) if bare else symbols.tensor(name)[params]
        found = (meaning(written, doc), None, False)
    meant, normal, done = found
    if not done and {e.base for e in meant.atoms(sp.Indexed)} & present:
        ranges = {
            symbols.index(i): sp.Integer(doc.fixed[s]) if s in doc.fixed else symbols.size(s)
            for i, s in doc.indices.items()
        }
        try:
            normal = IndexCalculus(ranges).normal_form(meant)
        except (Unsupported, ValueError):
            normal = None
        done = True
    NORMALS.put(doc, name, (meant, normal, done))
    return normal


# Per document and name: its meaning, its normal form once one was asked for, and whether.
NORMALS: OwnedMemo[Document, str, tuple[sp.Expr, sp.Expr | None, bool]] = OwnedMemo(
    "folding.NORMALS", 256
)


def rename_bound(expr: sp.Expr, doc: Document) -> sp.Expr:
    """Give each summation variable an index letter of its range not in use (or primed)."""

    def letter_for(hi: sp.Expr, taken: set[str]) -> str | None:
        letters = [
            i for i, s in doc.indices.items() if symbols.size(s) == hi or doc.fixed.get(s) == hi
        ]
        for candidate in [*letters, *(f"{i}'" for i in letters), *(f"{i}''" for i in letters)]:
            if candidate not in taken:
                return candidate
        return None

    def visit(node: sp.Basic, taken: set[str]) -> sp.Basic:
        if isinstance(node, sp.Sum):
            body = node.function
            limits = []
            for var, lo, hi in node.limits:
                letter = letter_for(hi, taken)
                if letter is not None:
                    new = symbols.index(letter)
                    body = body.xreplace({var: new})
                    var = new
                taken = taken | {str(var)}
                limits.append((var, lo, hi))
            return sp.Sum(visit(body, taken), *limits)
        if not node.args or isinstance(node, sp.Indexed | sp.IndexedBase):
            return node
        return symbols.rebuild(node, [visit(a, taken) for a in node.args])

    used = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return visit(expr, used)


def readings(doc: Document, normal: sp.Expr) -> list[sp.Expr]:
    """The normal form ``normal`` in the document's names, by each way of folding it."""
    named = readable(normal, doc)
    joined = joined_exponentials(named)  # e^{b}·e^{Σ w x} as e^{b + Σ w x}: a logit whole
    starts = []
    for form in dict.fromkeys((named, sigmoids(named), joined, sigmoids(joined))):
        spread = distribute(form)
        starts += [form, spread, into_sums(spread)]
    starts = [canonical(form) for form in dict.fromkeys(starts)]
    folder = Folder(doc, starts)
    found = [named]
    for form in starts:
        folded = folder.fold(form)
        found += [form, folded, folder.fold(canonical(logistic(folded)))]
    return [rename_bound(form, doc) for form in dict.fromkeys(found)]


def joined_exponentials(expr: sp.Expr) -> sp.Expr:
    """Products of exponentials as one, ``e^{b}·e^{Σ_i w_i x_i}`` as ``e^{b + Σ_i w_i x_i}``.

    :func:`logistic` then sees ``e^{2·b + 2·Σ}`` as a power of the same logit.
    """
    try:
        return sp.powsimp(expr, combine="exp", deep=True)
    except (TypeError, ValueError):
        return expr
