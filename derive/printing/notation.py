r"""derive's SymPy expressions printed: one line of Unicode, or LaTeX.

``∂E/∂z_j``, ``Σ_k t_k``, ``δ_kj``, ``σ(x)``, ``ln`` on one line; ``z_{k}``,
``\frac{\partial E}{\partial z_{j}}``, ``\ln`` in LaTeX, every name of the author's
through :func:`derive.printing.texsafe.math_name`. Every stage prints through here: a
verdict's side conditions, a derivative's statement, a record's residual, a report.
"""

from __future__ import annotations

import re
import unicodedata

import sympy as sp
from sympy.printing.latex import LatexPrinter
from sympy.printing.str import StrPrinter

from derive.printing import texsafe
from derive.symbols import (
    Det,
    Determinant,
    Elementwise,
    Entry,
    Extremum,
    Inverse,
    InverseEntry,
    MatrixDerivative,
    NonReal,
    Opaque,
    SquareForm,
    VectorView,
    sigmoid,
)

SUPERSCRIPTS = str.maketrans("0123456789", "⁰¹²³⁴⁵⁶⁷⁸⁹")


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

    def _print_Det(self, expr: Det) -> str:
        return f"det({self._print(expr.args[0])})"

    def _print_Inverse(self, expr: Inverse) -> str:
        inner = self._print(expr.arg)
        return f"{inner}⁻¹" if isinstance(expr.arg, sp.MatrixSymbol) else f"({inner})⁻¹"

    def _print_Determinant(self, expr: Determinant) -> str:
        return f"det({square_matrix(self, expr)})"

    def _print_InverseEntry(self, expr: InverseEntry) -> str:
        at = "".join(map(self._print, expr.at))
        return f"(({square_matrix(self, expr)})⁻¹)_{at}"

    def _print_ImmutableDenseMatrix(self, expr: sp.ImmutableMatrix) -> str:
        """A written-out matrix row by row: ``(a, b)``, ``((a, b), (c, d))``."""
        rows = [
            "(" + ", ".join(self._print(e) for e in expr.row(r)) + ")" for r in range(expr.rows)
        ]
        return rows[0] if len(rows) == 1 else "(" + ", ".join(rows) + ")"

    def _print_Transpose(self, expr: sp.Transpose) -> str:
        inner = self._print(expr.arg)
        return f"({inner})ᵀ" if not isinstance(expr.arg, sp.MatrixSymbol) else f"{inner}ᵀ"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " ⊙ ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_Pi(self, expr: sp.Basic) -> str:
        return "π"

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        if expr.exp == 2:
            base = self.parenthesize(expr.base, 50)
            return f"{base} ⊙ {base}"
        return f"{self.parenthesize(expr.base, 50)}^∘{self._print(expr.exp)}"

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

    def _print_exp_atom(self, expr: sp.Function) -> str:
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
        base = self._print(expr.base)
        whole = expr.exp.is_Symbol or (expr.exp.is_Integer and expr.exp > 1)
        if whole and "^" in base and "_" in base and base[-1] != ")":
            # y^{(1)}_u^2 would read as y^{(1)} with the index u^2: (y^{(1)}_u)^2
            return f"({base})^{self._print(expr.exp)}"
        return str(super()._print_Pow(expr, rational))

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        """``[x > 0]`` for an indicator, else ``{a if x > 0; b otherwise}``."""
        pieces = expr.args
        if len(pieces) == 2 and pieces[0][0] == 1 and pieces[1] == (0, True):
            return f"[{self._print(pieces[0][1])}]"
        rows = [
            f"{self._print(value)} otherwise"
            if condition is sp.true
            else f"{self._print(value)} if {self._print(condition)}"
            for value, condition in pieces
        ]
        return "{" + "; ".join(rows) + "}"

    def _print_Relational(self, expr: sp.Basic) -> str:
        """``x > 0``, ``x ≤ δ``."""
        op = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "="}.get(expr.rel_op, expr.rel_op)
        return f"{self._print(expr.lhs)} {op} {self._print(expr.rhs)}"

    def _print_Abs(self, expr: sp.Abs) -> str:
        """``|x|``."""
        return f"|{self._print(expr.args[0])}|"

    def _print_MinMaxBase(self, expr: sp.Basic) -> str:
        """``max(a, b)``."""
        return f"{type(expr).__name__.lower()}({', '.join(map(self._print, expr.args))})"

    def _print_KroneckerDelta(self, expr: sp.KroneckerDelta) -> str:
        parts = list(map(self._print, expr.args))
        if all(isinstance(a, sp.Symbol | sp.Integer) for a in expr.args):
            return f"δ_{''.join(parts)}"
        return f"δ_{{{', '.join(parts)}}}"  # δ_{j, i + k − 1}: arithmetic in an index

    def _print_Extremum(self, expr: Extremum) -> str:
        """``max_k z_k``, ``min_k (z_k + 1)``."""
        kind = "max" if expr.largest else "min"
        body = self._print(expr.function)
        body = f"({body})" if isinstance(expr.function, sp.Add) else body
        return f"{kind}_{self._print(expr.limits[0][0])} {body}"

    def _print_exp(self, expr: sp.exp) -> str:
        return f"e^{{{self._print(expr.args[0])}}}"

    def _print_log(self, expr: sp.log) -> str:
        return f"ln({self._print(expr.args[0])})"

    def _print_sigmoid(self, expr: sigmoid) -> str:
        return f"σ({self._print(expr.args[0])})"

    def _print_Derivative(self, expr: sp.Derivative) -> str:
        counts = [(v, int(n)) for v, n in expr.variable_count]
        var = "∂".join(self._print(v) + _order(n) for v, n in reversed(counts))
        mark = "∂" + _order(sum(n for _, n in counts))
        inner = expr.expr
        if isinstance(inner, sp.Symbol | sp.Indexed):
            return f"{mark}{self._print(inner)}/∂{var}"
        return f"{mark}/∂{var} ({self._print(inner)})"


def square_matrix(printer: StrPrinter, expr: SquareForm) -> str:
    """The matrix of a determinant or inverse: ``A``, ``Aᵀ``, or ``(p, q) ↦ entry``."""
    entry, (p, q) = expr.entry, expr.bound
    if isinstance(entry, sp.Indexed) and entry.indices in ((p, q), (q, p)):
        text = name(str(entry.base.label))
        return text if entry.indices == (p, q) else f"{text}ᵀ"
    return f"({printer._print(p)}, {printer._print(q)}) ↦ {printer._print(entry)}"


def _order(n: int) -> str:
    """``²`` for a second derivative (as in ``∂²E/∂x²``); nothing for a first."""
    return "" if n == 1 else str(n).translate(SUPERSCRIPTS)


def entry_at(expr: Entry) -> tuple[sp.Basic, list[sp.Basic]]:
    """An entry's matrix and the indices to show: one for a row or a column, else two."""
    matrix, row, col = expr.args
    at = [row, col] if 1 not in matrix.shape else [col if matrix.shape[0] == 1 else row]
    return matrix, at


def _letter(case: str, word: str) -> str:
    """``('SMALL', 'lambda')`` → ``λ`` (Unicode spells it LAMDA)."""
    return unicodedata.lookup(f"GREEK {case} LETTER {word.upper().replace('LAMBDA', 'LAMDA')}")


GREEK = {  # `\epsilon` → `ε`: every small letter, its variants and the capitals that differ
    f"\\{word}": _letter("SMALL", word)
    for word in (
        "alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi pi rho "
        "sigma tau upsilon phi chi psi omega"
    ).split()
} | {
    r"\varepsilon": "ε",
    r"\vartheta": "ϑ",
    r"\varphi": "φ",
    r"\varrho": "ϱ",
    r"\varsigma": "ς",
    r"\ell": "ℓ",
    **{
        f"\\{word}": _letter("CAPITAL", word)
        for word in "Gamma Delta Theta Lambda Xi Pi Sigma Upsilon Phi Psi Omega".split()
    },
}


ACCENTS = {  # `\\tilde{t}` → `t̃`: the accent as a combining character after its letter
    "hat": "\u0302",
    "widehat": "\u0302",
    "tilde": "\u0303",
    "widetilde": "\u0303",
    "bar": "\u0304",
    "overline": "\u0305",
    "dot": "\u0307",
    "ddot": "\u0308",
    "check": "\u030c",
    "vec": "\u20d7",
}
FONTS = ("text", "mathrm", "mathbf", "boldsymbol", "bm", "mathit", "mathsf", "operatorname")
WRAPPED = re.compile(r"^\\(?P<command>[a-zA-Z]+)\{(?P<inner>[^{}]*)\}(?P<rest>.*)$", re.DOTALL)


def name(text: str) -> str:
    r"""Shorten LaTeX names for one-line display: ``\hat{y}`` → ``ŷ``, ``\gamma`` → ``γ``.

    >>> [name(n) for n in (r"\tilde{t}", r"\hat{\sigma}^{(2)}", r"\mathbf{W}", r"\bar{x}_k")]
    ['t̃', 'σ̂^{(2)}', 'W', 'x̄_k']
    """
    if text.endswith("^*"):  # `t^*`: a star that the product's `*` → `·` cannot take
        return name(text[:-2]) + "^∗"
    greek = GREEK
    if text in greek:
        return greek[text]
    base, tag = text.split("^{(", 1) if "^{(" in text else (text, "")
    if tag:
        return f"{name(base)}^{{({tag}"  # `\gamma^{(2)}` → `γ^{(2)}`
    wrapped = WRAPPED.match(text)
    if wrapped is not None:
        command, inner, rest = wrapped["command"], wrapped["inner"], wrapped["rest"]
        if command in ACCENTS:
            return name(inner) + ACCENTS[command] + rest
        if command in FONTS:
            return (inner if command == "text" else name(inner)) + rest
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
    text and goes through :func:`derive.printing.texsafe.math_name`: an unusual one
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

    def _print_Piecewise(self, expr: sp.Piecewise) -> str:
        r"""``\mathbb{1}[x > 0]`` for an indicator, else ``cases`` as derive reads them."""
        pieces = expr.args
        if len(pieces) == 2 and pieces[0][0] == 1 and pieces[1] == (0, True):
            return f"\\mathbb{{1}}[{self._print(pieces[0][1])}]"
        rows = [
            f"{self._print(value)} & "
            + ("\\text{otherwise}" if condition is sp.true else self._print(condition))
            for value, condition in pieces
        ]
        return "\\begin{cases} " + " \\\\ ".join(rows) + " \\end{cases}"

    def _print_Extremum(self, expr: Extremum) -> str:
        r"""``\max_{k} z_{k}``, ``\min_{k} \left(z_{k} + 1\right)``."""
        kind = r"\max" if expr.largest else r"\min"
        body = self._print(expr.function)
        if isinstance(expr.function, sp.Add):
            body = f"\\left({body}\\right)"
        return f"{kind}_{{{self._print(expr.limits[0][0])}}} {body}"

    def _print_NonReal(self, expr: NonReal) -> str:
        return texsafe.math_name(expr.written)

    def _print_Str(self, expr: sp.core.symbol.Str) -> str:
        return texsafe.math_name(str(expr.name))

    def _hprint_Function(self, func: str) -> str:
        return texsafe.math_name(func, str(super()._hprint_Function(func)))

    def _print_sigmoid(self, expr: sigmoid, exp: str | None = None) -> str:
        shown = f"\\sigma\\left({self._print(expr.args[0])}\\right)"
        return shown if exp is None else f"\\left({shown}\\right)^{{{exp}}}"  # σ(x)², not σ²(x)

    def _print_exp_atom(self, expr: sp.Function, exp: str | None = None) -> str:
        shown = f"e^{{{self._print(expr.args[0])}}}"
        return shown if exp is None else f"\\left({shown}\\right)^{{{exp}}}"

    def _print_HadamardProduct(self, expr: sp.HadamardProduct) -> str:
        return " \\odot ".join(self.parenthesize(a, 50) for a in expr.args)

    def _print_Pi(self, expr: sp.Basic) -> str:
        return r"\pi"

    def _print_HadamardPower(self, expr: sp.HadamardPower) -> str:
        base = self.parenthesize(expr.base, 50)
        if expr.exp == 2:
            return f"{base} \\odot {base}"
        return f"{base}^{{\\circ {self._print(expr.exp)}}}"

    def _print_DiagMatrix(self, expr: sp.Basic) -> str:
        return f"\\operatorname{{diag}}\\left({self._print(expr.args[0])}\\right)"

    def _print_OneMatrix(self, expr: sp.OneMatrix) -> str:
        return "\\mathbf{1}"

    def _print_Det(self, expr: Det) -> str:
        return f"\\det\\left({self._print(expr.args[0])}\\right)"

    def _print_Inverse(self, expr: Inverse) -> str:
        return f"\\left({self._print(expr.arg)}\\right)^{{-1}}"

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
