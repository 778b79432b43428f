"""Normal forms turned back into the document's own names, and printed.

The prover works with ``u_k = e^{z_k}`` and canonical summation variables ``κ1``; a
reader wants ``y_j (Σ_k t_k − 1)``. :func:`readable` substitutes back every definition
whose normal form is ``u_p · c`` (the softmax: ``u_p / Σ u``), renames bound variables
to the document's index letters, and writes the remaining ``u`` as ``e^{z}``.
"""

from __future__ import annotations

import unicodedata

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive import symbols
from derive.memo import OwnedMemo
from derive.model import Document
from derive.presenting import texsafe
from derive.proving.expand import meaning
from derive.proving.exponentials import exp_atom, log_of
from derive.proving.index_calculus import IndexCalculus, Unsupported
from derive.symbols import (
    Elementwise,
    Entry,
    MatrixDerivative,
    NonReal,
    Opaque,
    VectorView,
    rebuild,
    sigmoid,
)
from derive.verdict import Verdict


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
    "present.NORMALS", 256
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
        return rebuild(node, [visit(a, taken) for a in node.args])

    used = {s.name for s in expr.free_symbols if isinstance(s, sp.Symbol)}
    return visit(expr, used)


class UnicodePrinter(StrPrinter):
    """One-line Unicode: ``∂E/∂z_j``, ``Σ_k t_k``, ``δ_kj``, ``e^{z_j}``, ``ln``."""

    printmethod = "_derive_unicode"  # not ``_sympystr``, which Indexed defines

    def _print_Add(self, expr: sp.Add, order: str | None = None) -> str:
        terms = sorted(
            expr.args, key=lambda t: (t.could_extract_minus_sign(), sp.default_sort_key(t))
        )
        text = self._print(terms[0])
        for term in terms[1:]:
            if term.could_extract_minus_sign():
                text += f" - {self.parenthesize(-term, 40)}"
            else:
                text += f" + {self.parenthesize(term, 40)}"
        return text

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        label = name(str(expr.base.label))
        return (
            f"{label}_{''.join(map(self._print, expr.indices))}"
            if all(len(str(i)) == 1 for i in expr.indices)
            else f"{label}_{{{','.join(map(self._print, expr.indices))}}}"
        )

    def _print_Symbol(self, expr: sp.Symbol) -> str:
        return name(expr.name)

    def _print_IndexedBase(self, expr: sp.IndexedBase) -> str:
        return name(str(expr.label))

    def _print_MatrixSymbol(self, expr: sp.MatrixSymbol) -> str:
        return name(expr.name)

    def _print_VectorView(self, expr: VectorView) -> str:
        parts = [self._print(i) for i in expr.prefix] + ["·"] if expr.prefix else []
        parts += [f"≠{self._print(i)}" for i in expr.exclude]
        parts = parts or ["·"]
        text = name(str(expr.base.label))
        return text if parts == ["·"] else f"{text}_{{{','.join(parts)}}}"

    def _print_MatrixDerivative(self, expr: MatrixDerivative) -> str:
        top, var = expr.args
        return f"∂{self._print(top)}/∂{self._print(var)}"

    def _print_Entry(self, expr: Entry) -> str:
        matrix, at = entry_at(expr)
        return f"({self._print(matrix)})_{''.join(map(self._print, at))}"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        return f"({inner})ᵀ" if not isinstance(expr.arg, sp.MatrixSymbol) else f"{inner}ᵀ"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_DiagMatrix(self, expr: sp.Basic) -> str:
        return f"diag({self._print(expr.args[0])})"

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return "1"

    def _print_Elementwise(self, expr: Elementwise) -> str:
        return f"{self._print(expr.function(sp.Symbol('·')))}".replace(
            "·", self._print(expr.args[1])
        )

    def _print_Opaque(self, expr: Opaque) -> str:
        return name(expr.args[0].name)

    def _print_NonReal(self, expr: NonReal) -> str:
        return expr.written

    def _print_exp_atom(self, expr: exp_atom) -> str:
        return f"e^{{{self._print(expr.args[0])}}}"

    def _print_Function(self, expr: sp.Function) -> str:
        args = ", ".join(self._print(a) for a in expr.args)
        return f"{name(type(expr).__name__)}({args})"

    def _print_Sum(self, expr: sp.Sum) -> str:
        names = [self._print(lim[0]) for lim in reversed(expr.limits)]
        var = names[0] if len(names) == 1 else "{" + ",".join(names) + "}"
        body = self._print(expr.function)
        return f"Σ_{var} ({body})" if isinstance(expr.function, sp.Add) else f"Σ_{var} {body}"

    def _print_Pow(self, expr: sp.Pow, rational: bool = False) -> str:
        # a sum binds looser than a power: (Σ_k t_k)^2 is not Σ_k t_k^2
        if isinstance(expr.base, sp.Sum) and expr.exp != -1:
            power = self._print(expr.exp)
            if not (expr.exp.is_Symbol or (expr.exp.is_Integer and expr.exp > 0)):
                power = f"({power})"
            return f"({self._print(expr.base)})^{power}"
        return str(super()._print_Pow(expr, rational))

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        return f"δ_{''.join(map(self._print, expr.args))}"

    def _print_exp(self, expr: sp.exp) -> str:
        return f"e^{{{self._print(expr.args[0])}}}"

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr: sigmoid) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        var = "".join(self._print(v) for v in expr.variables)
        inner = expr.expr
        if isinstance(inner, sp.Symbol | sp.Indexed):
            return f"∂{self._print(inner)}/∂{var}"
        return f"∂/∂{var} ({self._print(inner)})"


def entry_at(expr: Entry) -> tuple[sp.Basic, list[sp.Basic]]:
    """An entry's matrix and the indices to show: one for a row or a column, else two."""
    matrix, row, col = expr.args
    at = [row, col] if 1 not in matrix.shape else [col if matrix.shape[0] == 1 else row]
    return matrix, at


def name(text: str) -> str:
    r"""Shorten LaTeX names for one-line display: ``\hat{y}`` → ``ŷ``, ``\gamma`` → ``γ``."""
    greek = {
        r"\alpha": "α",
        r"\beta": "β",
        r"\gamma": "γ",
        r"\delta": "δ",
        r"\sigma": "σ",
        r"\theta": "θ",
        r"\lambda": "λ",
        r"\mu": "μ",
        r"\eta": "η",
        r"\tau": "τ",
    }
    if text in greek:
        return greek[text]
    base, tag = text.split("^{(", 1) if "^{(" in text else (text, "")
    if tag and base in greek:
        return f"{greek[base]}^{{({tag}"  # `\gamma^{(2)}` → `γ^{(2)}`
    if text.startswith(r"\hat{") and text.endswith("}"):
        return text[5:-1] + "\u0302"
    if text.startswith(r"\text{") and "}" in text:
        return text[6:].replace("}", "", 1)
    if text.startswith(r"\partial "):
        return text.replace(r"\partial ", "∂")
    return text


def unicode(expr: sp.Basic) -> str:
    """Print ``expr`` on one line with Unicode symbols."""
    text = UnicodePrinter({"order": "none"}).doprint(expr)
    return text.replace("**", "^").replace("*", "·").replace("-", "−")


class DeriveLatexPrinter(LatexPrinter):
    r"""SymPy's LaTeX printer with derive's conventions: ``z_{k}``, ``w_{ij}``, ``\ln``.

    Every name (symbol, tensor, function, a non-real constant as written) is the author's
    text and goes through :func:`derive.presenting.texsafe.math_name`: an unusual one
    prints as text.
    """

    printmethod = "_derive_latex"  # not ``_latex``, which Indexed defines

    def _print_Symbol(self, expr: sp.Symbol, style: str = "plain") -> str:
        name = expr.name.lstrip("_") or "x"  # a bound variable's `_i` prints as `i`
        if name.isascii():
            plain = expr if name == expr.name else sp.Symbol(name)
            return texsafe.math_name(name, str(super()._print_Symbol(plain, style)))
        return texsafe.math_name(name, latex_name(name))

    def _print_Indexed(self, expr: sp.Indexed) -> str:
        indices = [self._print(i) for i in expr.indices]
        sep = "" if all(len(i) == 1 for i in indices) else ","
        label = str(expr.base.label)
        if label.startswith("e^{") and label.endswith("}"):  # the normaliser's u = e^{z}
            inner = texsafe.math_name(label[3:-1])
            return f"\\left(e^{{{inner}_{{{sep.join(indices)}}}}}\\right)"
        label = texsafe.math_name(label)
        label = f"{{{label}}}" if "^" in label else label  # `{z^{(2)}}_{k}^{2}` is valid
        return f"{label}_{{{sep.join(indices)}}}"

    def _print_Entry(self, expr: Entry) -> str:
        matrix, at = entry_at(expr)
        return rf"\left({self._print(matrix)}\right)_{{{''.join(map(self._print, at))}}}"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        if len(expr.variables) == 1 and isinstance(expr.expr, (sp.Symbol, sp.Indexed)):
            top, (var,) = self._print(expr.expr), expr.variables
            return rf"\frac{{\partial {top}}}{{\partial {self._print(var)}}}"
        return str(super()._print_Derivative(expr))

    def _print_VectorView(self, expr: VectorView) -> str:
        label = str(expr.base.label)
        base, tag, rest = label.partition("^")
        text = texsafe.math_name(label, f"\\mathbf{{{base}}}{tag}{rest}")
        if expr.exclude:
            text += "_{" + ", ".join(f"\\neq {self._print(i)}" for i in expr.exclude) + "}"
        if expr.prefix:
            text = "{}^{" + ",".join(self._print(i) for i in expr.prefix) + "}" + text
        return text

    def _print_MatrixDerivative(self, expr: MatrixDerivative) -> str:
        top, var = expr.args
        return f"\\frac{{\\partial {self._print(top)}}}{{\\partial {self._print(var)}}}"

    def _print_Elementwise(self, expr: Elementwise) -> str:
        marker = sp.Symbol("ELEMENTWISEARGUMENT")  # printed, then the argument put in
        return str(self._print(expr.function(marker))).replace(
            str(marker), self._print(expr.args[1])
        )

    def _print_Opaque(self, expr: Opaque) -> str:
        return texsafe.math_name(str(expr.args[0].name))

    def _print_NonReal(self, expr: NonReal) -> str:
        return texsafe.math_name(expr.written)

    def _print_Str(self, expr: sp.core.symbol.Str) -> str:
        return texsafe.math_name(str(expr.name))

    def _hprint_Function(self, func: str) -> str:
        return texsafe.math_name(func, str(super()._hprint_Function(func)))

    def _print_sigmoid(self, expr: sigmoid) -> str:
        return f"\\sigma\\left({self._print(expr.args[0])}\\right)"

    def _print_exp_atom(self, expr: exp_atom) -> str:
        return f"e^{{{self._print(expr.args[0])}}}"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " \\odot ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_DiagMatrix(self, expr: sp.Basic) -> str:
        return f"\\operatorname{{diag}}\\left({self._print(expr.args[0])}\\right)"

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return "\\mathbf{1}"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta, exp: str | None = None) -> str:
        text = self._print_Indexed(sp.IndexedBase(r"\delta")[expr.args])
        return f"{text}^{{{exp}}}" if exp else text


def latex_name(name: str) -> str:
    r"""A name with Unicode letters in LaTeX: ``κ1`` → ``\kappa_{1}``, ``t'`` kept."""
    out = []
    for char in name:
        if char.isascii():
            out.append(char)
            continue
        words = unicodedata.name(char, "").split()
        if len(words) == 4 and words[:2] == ["GREEK", "SMALL"]:
            out.append(f"\\{words[3].lower()} ")
        elif len(words) == 4 and words[:2] == ["GREEK", "CAPITAL"]:
            out.append(f"\\{words[3].capitalize()} ")
        else:
            out.append("?")
    text = "".join(out).strip()
    head = text.rstrip("0123456789")
    return f"{head.strip()}_{{{text[len(head) :]}}}" if head != text else text


def latex(expr: sp.Basic) -> str:
    r"""Print ``expr`` as LaTeX with derive's conventions (``\ln``, ``z_{k}``)."""
    return DeriveLatexPrinter({"ln_notation": True}).doprint(expr)


def evidence(verdict: Verdict) -> list[str]:
    """The counterexample as a table of values, and the residual, as indented lines."""
    lines = []
    example = verdict.counterexample
    if example is not None:
        lines.append("  counterexample:")
        for name, value in {**example.sizes, **example.indices, **example.values}.items():
            lines.append(f"    {name:>12} = {value}")
        lines.append(f"    {'left':>12} = {example.left}")
        lines.append(f"    {'right':>12} = {example.right}")
    if verdict.residual is not None and verdict.residual != 0:
        lines.append(f"  left − right = {unicode(verdict.residual)}")
    return lines


def statement(lhs: sp.Expr, rhs: sp.Expr) -> str:
    """``left = right`` in Unicode."""
    return f"{unicode(lhs)} = {unicode(rhs)}"


def head(name: str, params: tuple[sp.Basic, ...]) -> sp.Basic:
    """The left side of a definition: ``y_k``, ``E`` or ``soft(z, j)``."""
    if not params:
        return sp.Symbol(name)
    if all(isinstance(p, sp.Symbol) and p.is_integer for p in params):
        return sp.IndexedBase(name)[params]
    return sp.Function(name)(*params)
