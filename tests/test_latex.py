"""The LaTeX subset: every construct, the identities and seed lines, errors and positions."""

from __future__ import annotations

import logging
from collections.abc import Callable

import lark
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from sympy.matrices.expressions.diagonal import DiagMatrix

from derive.errors import DeriveError, LatexError, UnknownNameError
from derive.reading.latex import Scope, parse_expression, parse_head, parse_relation
from derive.reading.latex.parser import build_parser, parser
from derive.symbols import (
    Elementwise,
    Entry,
    MatrixDerivative,
    VectorView,
    index,
    scalar,
    sigmoid,
    size,
    tensor,
)

K, N = size("K"), size("N")
i, j, k, s, t, tp, u, v = (index(n) for n in ("i", "j", "k", "s", "t", "t'", "u", "v"))
a, b, c, d, m, x, E = (scalar(n) for n in ("a", "b", "c", "d", "m", "x", "E"))
y, z, T, w = tensor("y"), tensor("z"), tensor("t"), tensor("w")
SOFT = r"\text{soft}"
soft = sp.Function(SOFT)
f = sp.Function("f")
S = sp.Sum
D = sp.KroneckerDelta
SCOPE = Scope(
    indices={"i": "K", "j": "K", "k": "K", "s": "K", "t": "K", "t'": "K", "u": "K", "v": "K"},
    sizes=frozenset({"K", "N"}),
    names=frozenset({"E", SOFT, r"\text{act}"}),
    functions={SOFT: 2, "f": 1, "s": 1},
)


def ex(text: str) -> sp.Expr:
    """Parse an expression in the test scope."""
    return parse_expression(text, SCOPE)


def rel(text: str) -> tuple[sp.Expr, str, sp.Expr]:
    """Parse a relation in the test scope."""
    return parse_relation(text, SCOPE)


def fails(text: str, kind: type[DeriveError] = LatexError) -> tuple[int, int, str]:
    """Parse ``text`` expecting exactly ``kind``; return its line, column and message."""
    with pytest.raises(kind) as info:
        ex(text)
    err = info.value
    assert type(err) is kind and err.position is not None
    return err.position.line, err.position.col, err.message


def dz(expr: sp.Expr, var: sp.Expr) -> sp.Expr:
    """An unevaluated derivative, as the parser builds it."""
    return sp.Derivative(expr, var, evaluate=False)


def test_letters_numbers_and_juxtaposition() -> None:
    """Single letters are scalars; juxtaposition multiplies; decimals are exact."""
    assert ex("x") == x and ex("ab") == a * b and ex("dx") == d * x
    assert ex("2x") == 2 * x and ex("2") == sp.Integer(2)
    assert ex("0.5") == sp.Rational(1, 2) and ex("1.25 x") == sp.Rational(5, 4) * x
    assert ex("K") == K and ex("k") == k


def test_greek_and_constants() -> None:
    """Greek letters keep their command as the name; pi and e are constants."""
    assert ex(r"\gamma") == scalar(r"\gamma") and ex(r"\alpha \beta") == scalar(r"\alpha") * scalar(
        r"\beta"
    )
    assert ex(r"\gamma_j") == tensor(r"\gamma")[j]
    assert ex(r"\pi") == sp.pi and ex("e") == sp.E and ex(r"\mathrm{e}^{x}") == sp.exp(x)


def test_decorated_names() -> None:
    """Accents, primes, bold vectors and text names each make one name."""
    assert ex(r"\hat{y}") == scalar(r"\hat{y}") and ex(r"\hat y") == scalar(r"\hat{y}")
    assert ex(r"\tilde{x} \bar{x}") == scalar(r"\tilde{x}") * scalar(r"\bar{x}")
    assert ex(r"\hat{y}_j") == tensor(r"\hat{y}")[j]
    assert ex("y'") == scalar("y'") and ex("y''") == scalar("y''")
    assert ex("y'_k") == tensor("y'")[k] == ex("y_k'")
    assert ex(r"\mathbf{z}") == z and ex(r"\mathbf{z}_j") == z[j]
    assert ex(r"\text{act}") == scalar(r"\text{act}") == ex(r"\operatorname{act}")
    assert ex(r"\mathrm{act}") == scalar(r"\text{act}")


def test_subscripts() -> None:
    """Each subscript letter is an index; digits are integers; primes name indices."""
    assert ex("y_k") == y[k] == ex("y_{k}")
    assert ex("w_{ij}") == w[i, j] == ex("w_{i,j}") == ex("w_{i, j}")
    assert ex("z_1") == z[1] and ex("z_{10}") == z[10] and ex("w_{i1}") == w[i, 1]
    assert ex("y_{t'}") == y[tp] and ex("z_K") == z[K]


def test_layer_tags() -> None:
    """A parenthesised superscript right after a name is part of the name."""
    assert ex("z^{(2)}") == scalar("z^{(2)}")
    assert ex("w^{(L)}_{ij}") == tensor("w^{(L)}")[i, j]
    assert ex("z_j^{(L)}") == tensor("z^{(L)}")[j]
    assert ex("z_j^{(L - 1)}") == tensor("z^{(L-1)}")[j] == ex("z_j^{(L-1)}")
    assert ex(r"\mathbf{z}^{(L)}") == tensor("z^{(L)}")
    assert ex("z^{(2)} x^2") == scalar("z^{(2)}") * x**2
    assert ex("e^{(2)}") == sp.exp(2)  # after e it is an exponent, never a tag


def test_kronecker_delta_and_indicator() -> None:
    """The delta and the indicator 1{k = i} are both KroneckerDelta."""
    assert ex(r"\delta_{kj}") == D(k, j) == ex(r"\delta_{k,j}")
    assert ex(r"1\{k = i\}") == D(k, i) == ex(r"\mathbb{1}\{k = i\}")
    assert ex(r"1\{k \neq i\}") == 1 - D(k, i) == ex(r"\mathbb{1}\{k \ne i\}")
    assert ex(r"1\{k = i\} - y_i") == D(k, i) - y[i]
    assert ex(r"\delta") == scalar(r"\delta")


def test_arithmetic() -> None:
    """Sums, differences, unary signs, explicit and implicit products, quotients."""
    assert ex("a + b - c") == a + b - c and ex("-a") == -a and ex("+a") == a
    assert ex(r"a \cdot b") == a * b == ex(r"a \times b") == ex("a * b")
    assert ex("a / b") == a / b and ex("a / b c") == a * c / b
    assert ex("-t_j (1 - y_j)") == -T[j] * (1 - y[j])
    assert ex("a - -b") == a + b


def test_fractions_and_powers() -> None:
    """Fractions divide; powers of e are exponentials."""
    assert ex(r"\frac{a}{b}") == a / b and ex(r"\dfrac{a}{b}") == a / b
    assert ex("x^2") == x**2 and ex("x^{n+1}") == x ** (scalar("n") + 1)
    assert ex("e^{z_k}") == sp.exp(z[k]) and ex("e^z") == sp.exp(scalar("z"))
    assert ex(r"\exp(x)") == sp.exp(x) == ex(r"\exp x")
    assert ex(r"\frac{1}{1+e^{-z}}") == 1 / (1 + sp.exp(-scalar("z")))
    assert ex(r"\frac{a}{b}^2") == (a / b) ** 2 and ex(r"\sqrt{x}") == sp.sqrt(x)
    assert ex(r"\sqrt[3]{x}") == sp.root(x, 3)


def test_grouping_and_spacing() -> None:
    """All bracket spellings group; spacing commands are ignored."""
    expected = a * (b + c)
    for text in (
        "a(b + c)",
        "a[b + c]",
        r"a\{b + c\}",
        "a{b + c}",
        r"a \left( b + c \right)",
        r"a \left[ b + c \right]",
        r"a \left\{ b + c \right\}",
        r"a \bigl( b + c \bigr)",
        r"a \Big( b + c \Big)",
        r"a \biggl[ b + c \biggr]",
        r"a\,(b\;+\!c)",
        r"a \quad (b \qquad + ~ c)",
        "a\n(b + c)",
    ):
        assert ex(text) == expected, text
    assert ex(r"\left(\sum_k e^{z_k}\right)^2") == S(sp.exp(z[k]), (k, 1, K)) ** 2


def test_prefix_functions() -> None:
    """ln, log and exp take a parenthesised argument, the next factor or a big operator."""
    assert ex(r"\ln(1 - y_j)") == sp.log(1 - y[j]) == ex(r"\ln \left(1 - y_j\right)")
    assert ex(r"\ln y_k") == sp.log(y[k]) == ex(r"\log y_k")
    assert ex(r"\ln \frac{a}{b}") == sp.log(a / b)
    assert ex(r"\ln \sum_s e^{z_s}") == sp.log(S(sp.exp(z[s]), (s, 1, K)))
    with pytest.raises(LatexError, match="ambiguous argument of `\\\\ln`"):
        ex(r"\ln y_i (1 - y_i)")  # ln(y_i)·(1 − y_i) or ln(y_i (1 − y_i)): derive asks
    assert ex(r"\ln y_i \cdot (1 - y_i)") == sp.log(y[i]) * (1 - y[i])
    assert ex(r"\ln x^2") == sp.log(x**2) and ex(r"\ln \ln x") == sp.log(sp.log(x))
    assert ex(r"\log_a x") == sp.log(x) / sp.log(a) == ex(r"\log_{a}(x)")
    assert ex(r"\log_{10} x") == sp.log(x) / sp.log(10)
    assert ex(r"\tanh x") == sp.tanh(x) and ex(r"2 \ln x / 3") == 2 * sp.log(x) / 3


def test_sigma_and_declared_functions() -> None:
    """Declared names and sigma apply to parentheses; other names multiply them."""
    assert (
        ex(r"\sigma(z)") == sigmoid(scalar("z")) and ex(r"\sigma(z)^2") == sigmoid(scalar("z")) ** 2
    )
    assert ex(r"\sigma^2") == scalar(r"\sigma") ** 2
    assert ex(r"\text{soft}(\mathbf{z}, j)") == soft(z, j)
    assert ex(r"\operatorname{soft}(\mathbf{z}, j)") == soft(z, j)
    assert ex(r"\ln \text{soft}(\mathbf{z}, j)") == sp.log(soft(z, j))
    assert ex("f(x)") == f(x) and ex("f(x)(y_k)") == f(x) * y[k]
    assert ex("y_i(1 - y_i)") == y[i] * (1 - y[i]) and ex("a(b)") == a * b


def test_sums() -> None:
    """Every spelling of the limits, and a body that runs to the end of the product."""
    assert ex(r"\sum_{k=1}^{K} t_k") == S(T[k], (k, 1, K)) == ex(r"\sum_k t_k")
    assert ex(r"\sum_{k} t_k") == S(T[k], (k, 1, K)) == ex(r"\sum^{K}_{k=1} t_k")
    assert ex(r"\sum\limits_{k=1}^K t_k") == S(T[k], (k, 1, K))
    assert ex(r"\sum_{k=1}^{N} t_k") == S(T[k], (k, 1, N))
    excluded = S(T[k] * (1 - D(k, j)), (k, 1, K))
    assert ex(r"\sum_{k \neq j} t_k") == excluded == ex(r"\sum_{k \ne j} t_k")
    assert ex(r"\sum_{k \not= j} t_k") == excluded
    assert ex(r"\sum_{\substack{t=1 \\ t \neq j}}^{m} t_t") == S(T[t] * (1 - D(t, j)), (t, 1, m))
    assert ex(r"\sum_{i=1, i \neq j}^{10} t_i") == S(T[i] * (1 - D(i, j)), (i, 1, 10))
    assert ex(r"\sum_{t' \neq j} t_{t'}") == S(T[tp] * (1 - D(tp, j)), (tp, 1, K))
    assert ex(r"\sum_{i,j} w_{ij}") == S(w[i, j], (i, 1, K), (j, 1, K))
    assert ex(r"\prod_k y_k") == sp.Product(y[k], (k, 1, K))


def test_sum_body_extent() -> None:
    """The body takes juxtaposed and dotted factors, and stops at + - = and brackets."""
    assert ex(r"\sum_k t_k \ln y_k + 1") == S(T[k] * sp.log(y[k]), (k, 1, K)) + 1
    assert ex(r"a \sum_k b_k c_k") == a * S(tensor("b")[k] * tensor("c")[k], (k, 1, K))
    assert ex(r"\sum_k t_k \cdot y_k - 1") == S(T[k] * y[k], (k, 1, K)) - 1
    assert ex(r"(\sum_k t_k) y_j") == S(T[k], (k, 1, K)) * y[j]
    assert ex(r"\sum_k -t_k") == S(-T[k], (k, 1, K))
    assert ex(r"\sum_k \sum_j w_{kj}") == S(S(w[k, j], (j, 1, K)), (k, 1, K))
    assert rel(r"\sum_{k=1}^{K} t_k = 1") == (S(T[k], (k, 1, K)), "=", 1)


def test_partial_derivatives() -> None:
    """Quotient and operator forms of the partial derivative."""
    assert ex(r"\frac{\partial y_k}{\partial z_j}") == dz(y[k], z[j])
    assert ex(r"\frac{\partial E}{\partial w_{ij}}") == dz(E, w[i, j])
    assert ex(r"\frac{\partial}{\partial z_j} \ln y_k") == dz(sp.log(y[k]), z[j])
    assert ex(r"\frac{\partial}{\partial x} a b + c") == dz(a * b, x) + c
    assert ex(r"2 \frac{\partial}{\partial x} a") == 2 * dz(a, x)
    assert ex(r"\frac{\partial \sigma(z)}{\partial z}") == dz(sigmoid(scalar("z")), scalar("z"))
    assert ex(r"\frac{\partial E}{\partial z^{(2)}}") == dz(E, scalar("z^{(2)}"))


def test_d_derivatives() -> None:
    """A fraction of d-forms is a derivative; anything else stays a quotient."""
    assert ex(r"\frac{dy}{dx}") == dz(scalar("y"), x) == ex(r"\frac{d y}{d x}")
    assert ex(r"\frac{d}{dx} x^2 y") == dz(x**2 * scalar("y"), x)
    assert ex(r"\frac{\mathrm{d} y}{\mathrm{d} x}") == dz(scalar("y"), x)
    assert ex(r"\frac{\mathrm{d}}{\mathrm{d}x} x") == dz(x, x)
    assert ex(r"\frac{d}{dx} \log_a x") == dz(sp.log(x) / sp.log(a), x)
    assert ex(r"\frac{dy}{2x}") == d * scalar("y") / (2 * x) and ex(r"\frac{a}{dx}") == a / (d * x)


def test_relations() -> None:
    """Each relation operator, in each spelling."""
    spellings = {
        "=": ["="],
        "!=": [r"\neq", r"\ne", r"\not=", r"\not ="],
        "<": ["<", r"\lt"],
        "<=": [r"\leq", r"\le", r"\leqslant"],
        ">": [">", r"\gt"],
        ">=": [r"\geq", r"\ge"],
    }
    for op, texts in spellings.items():
        for text in texts:
            assert rel(f"a {text} b") == (a, op, b), text


def test_heads() -> None:
    """The left side of a definition: name, element or function of names."""
    assert parse_head("y_k", SCOPE) == ("y", (k,))
    assert parse_head("E", SCOPE) == ("E", ())
    assert parse_head("w_{ij}", SCOPE) == ("w", (i, j)) == parse_head("w_{i,j}", SCOPE)
    assert parse_head(r"\text{soft}(\mathbf{z}, j)", SCOPE) == (SOFT, (z, j))
    assert parse_head(r"\operatorname{new}(x)", SCOPE) == (r"\text{new}", (x,))
    assert parse_head(r"\hat{y}_j", SCOPE) == (r"\hat{y}", (j,))
    assert parse_head("z^{(2)}_j", SCOPE) == ("z^{(2)}", (j,))
    assert parse_head(r"\sigma(z)", SCOPE) == (r"\sigma", (scalar("z"),))
    assert parse_head("z_1", SCOPE) == ("z_{1}", ())  # a name of its own, as `h_1`, `h_2`
    assert parse_head("s(z_i^{(1)})", SCOPE) == ("s", (tensor("z^{(1)}")[i],))  # of one entry
    assert parse_head(r"\sigma^2", SCOPE) == (r"\sigma^{2}", ())  # a name, as a variance
    for bad in ("y_k + 1", "f(x + 1)", "y_k(x)", "2", r"\frac{a}{b}"):
        with pytest.raises(LatexError):
            parse_head(bad, SCOPE)
    with pytest.raises(UnknownNameError):
        parse_head("y_q", SCOPE)


def test_softmax_identities() -> None:
    """Section 1 of the spec: softmax and its Jacobian."""
    softmax = sp.exp(z[k]) / S(sp.exp(z[i]), (i, 1, K))
    assert rel(r"y_k = \frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}") == (y[k], "=", softmax)
    assert ex(r"\frac{e^{z_k}}{\sum_i e^{z_i}}") == softmax
    assert rel(r"\frac{\partial y_k}{\partial z_j} = y_k (\delta_{kj} - y_j)") == (
        dz(y[k], z[j]),
        "=",
        y[k] * (D(k, j) - y[j]),
    )
    assert rel(r"\frac{\partial y_k}{\partial z_k} = y_k (1 - y_k)") == (
        dz(y[k], z[k]),
        "=",
        y[k] * (1 - y[k]),
    )
    assert rel(r"\frac{\partial y_k}{\partial z_j} = -y_k y_j") == (
        dz(y[k], z[j]),
        "=",
        -y[k] * y[j],
    )
    assert rel(r"\frac{\partial y_k}{\partial z_i} = y_k (1\{k = i\} - y_i)") == (
        dz(y[k], z[i]),
        "=",
        y[k] * (D(k, i) - y[i]),
    )


def test_cross_entropy_identities() -> None:
    """Section 2 of the spec: cross-entropy and its gradients."""
    ce = -S(T[k] * sp.log(y[k]), (k, 1, K))
    assert ex(r"-\sum_{k=1}^{K} t_k \ln y_k") == ce == ex(r"-\sum_k t_k \ln y_k")
    assert ex(r"-\frac{1}{N} \sum_k t_k \ln y_k") == -S(T[k] * sp.log(y[k]), (k, 1, K)) / N
    assert ex(r"-\sum_k t_k \log_a y_k") == -S(T[k] * sp.log(y[k]) / sp.log(a), (k, 1, K))
    assert rel(r"\frac{\partial E}{\partial y_k} = -\frac{t_k}{y_k}") == (
        dz(E, y[k]),
        "=",
        -T[k] / y[k],
    )
    assert ex(r"\sum_k \left(-\frac{t_k}{y_k}\right) \frac{\partial y_k}{\partial z_j}") == S(
        -T[k] / y[k] * dz(y[k], z[j]), (k, 1, K)
    )
    assert ex(r"-t_j (1 - y_j) + \sum_{k \neq j} t_k y_j") == -T[j] * (1 - y[j]) + S(
        T[k] * y[j] * (1 - D(k, j)), (k, 1, K)
    )
    assert rel(r"\frac{\partial E}{\partial z_j} = y_j \sum_k t_k - t_j") == (
        dz(E, z[j]),
        "=",
        y[j] * S(T[k], (k, 1, K)) - T[j],
    )
    assert rel(r"\frac{\partial}{\partial z_j} \ln y_k = -y_j") == (
        dz(sp.log(y[k]), z[j]),
        "=",
        -y[j],
    )
    assert ex(r"\frac{y_j - t_j}{\ln a}") == (y[j] - T[j]) / sp.log(a)
    assert ex(r"\frac{y_j - t_j}{N}") == (y[j] - T[j]) / N
    assert rel(r"\frac{d}{dx} \log_a x = \frac{1}{x \ln a}") == (
        dz(sp.log(x) / sp.log(a), x),
        "=",
        1 / (x * sp.log(a)),
    )


def test_seed_004_lines() -> None:
    """Lines of seed 004 that fit the subset read as written."""
    z1 = tensor("z^{(1)}")
    softmax1 = sp.exp(z1[i]) / S(sp.exp(z1[k]), (k, 1, 10))
    assert ex(
        r"\frac{e^{z_i^{(1)}}}{\sum_{k=1}^{10} e^{z_k^{(1)}}} \left(1 - \frac{e^{z_i^{(1)}}}"
        r"{\sum_{k=1}^{10} e^{z_k^{(1)}}} \right)"
    ) == softmax1 * (1 - softmax1)
    sz = sigmoid(scalar("z"))
    assert ex(r"\sigma(z) (1-\sigma(z))") == sz * (1 - sz)
    assert ex(r"-\frac{1}{N} \cdot \log(y)") == -sp.log(scalar("y")) / N
    assert (
        ex(r"\frac{e^{-z}(1+e^{-z})}{(1+e^{-z})^2}")
        == sp.exp(-scalar("z")) * (1 + sp.exp(-scalar("z"))) / (1 + sp.exp(-scalar("z"))) ** 2
    )
    g = tensor(r"\gamma")
    assert ex(
        r"\sum_{i=1, i \neq j}^{10} \left[\frac{t_i}{\gamma_i} (-\gamma_i \gamma_j) \right]"
        r" - \frac{t_j}{\gamma_j} (\gamma_j (1 - \gamma_j))"
    ) == S(T[i] / g[i] * (-g[i] * g[j]) * (1 - D(i, j)), (i, 1, 10)) - T[j] / g[j] * (
        g[j] * (1 - g[j])
    )
    assert ex(r"\gamma_j \sum_{i=1}^{10} t_i - t_j") == g[j] * S(T[i], (i, 1, 10)) - T[j]
    assert ex(r"\frac{\partial s(z_i^{(1)})}{\partial z_i}") == dz(sp.Function("s")(z1[i]), z[i])
    assert (
        ex(r"(\gamma_u^{(2)} - t_u) \gamma_v^{(1)}")
        == (tensor(r"\gamma^{(2)}")[u] - T[u]) * tensor(r"\gamma^{(1)}")[v]
    )
    assert ex(r"\frac{\partial E}{\partial W_{uv}^{(1)}}") == dz(E, tensor("W^{(1)}")[u, v])


def test_seed_lines_outside_the_subset_are_latex_errors() -> None:
    """Seed notation we do not read fails cleanly, with a position."""
    for text in (
        r"r_{z_j}^{(L)}",  # a name in a subscript
        r"\cancel{\sigma(z)} x",
        r"\begin{bmatrix} a & b \\ \vdots & \ddots \end{bmatrix}",
        r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}",
        r"(\gamma_1 - t_1, \gamma_2 - t_2, \dots)",
        r"\frac{\partial E}{\partial z^{(1)}} \left(\frac{\partial E}{\partial z^{(1)}} \right)_j",
    ):
        with pytest.raises(LatexError):
            ex(text)


def test_syntax_error_positions_and_messages() -> None:
    """Syntax errors point at the offending token (or just past the end) and say why."""
    assert fails(r"\frac{a}{b") == (1, 11, r"expected `}` to close `\frac{`")
    assert fails(r"\frac{a") == (1, 8, r"expected `}` to close `\frac{`")
    assert fails(r"\foo x") == (1, 1, r"unsupported LaTeX command `\foo`")
    assert fails("a +") == (1, 4, "expected an expression after `+`")
    assert fails("(a") == (1, 3, "expected `)` to close `(`")
    assert fails(r"\left(a") == (1, 8, r"expected `\right)` to close `\left(`")
    assert fails("a)") == (1, 2, "unmatched `)`")
    assert fails("") == (1, 1, "expected an expression")
    assert fails(r"\sum x") == (1, 6, r"unexpected `x` after `\sum`: expected `^` or `_`")
    assert fails("x^") == (1, 3, "expected a letter, a number, a Greek letter or `{` after `^`")
    assert fails("a\n+ \\foo") == (2, 3, r"unsupported LaTeX command `\foo`")
    assert fails("a = b")[:2] == (1, 3)
    assert fails("$x$")[:2] == (1, 1) and fails("a & b")[:2] == (1, 3)
    assert fails(r"\frac{\partial^2 E}{\partial z}")[:2] == (1, 1)  # orders 2 and 1
    assert fails(r"\nabla^2 E")[:2] == (1, 7)  # the Laplacian
    with pytest.raises(LatexError, match="exactly one of"):
        rel("a = b = c")
    with pytest.raises(LatexError, match="expected a relation"):
        rel("a + b")


def test_unsupported_constructs() -> None:
    """Ambiguous or unsupported constructs are LatexErrors that say what to write."""
    assert fails("z_{k^2}") == (
        1,
        4,
        "unsupported subscript `k^2` in `z_{k^2}`: a subscript lists indices, integers or "
        "sums of them, e.g. `w_{ij}`, `w_{i,j}`, `z_{10}` or `x_{i+k-1}`",
    )
    assert "multiplies two indices" in fails("z_{kj+1}")[2]
    assert fails("z_10")[:2] == (1, 3) and fails("x^23")[:2] == (1, 3)
    assert fails(r"\ln^2 x")[2] == r"ambiguous power on `\ln`: write `(\ln x)^{2}`"
    assert "ambiguous power" in fails(r"\ln(x)^2")[2]
    assert fails(r"\text{soft}(z)") == (1, 12, r"`\text{soft}` takes 2 arguments, got 1")
    assert fails(r"\text{soft} x")[:2] == (1, 1)
    assert fails("x (a, b)")[:2] == (1, 3)  # a row vector after a value: a product or a call?
    assert fails(r"\text{(shown)}")[:2] == (1, 1)
    assert fails(r"\delta_k")[:2] == (1, 1) and fails("x_j^2^3")[:2] == (1, 6)
    assert fails(r"\{k = i\}")[:2] == (1, 1) and fails(r"1\{a\}")[:2] == (1, 2)
    assert fails(r"\frac{\partial E}{\partial 2}")[:2] == (1, 28)
    assert fails(r"\frac{\partial E}{\partial k}")[:2] == (1, 28)
    assert fails(r"\frac{d}{dx}")[:2] == (1, 1) and fails(r"\ln + x")[:2] == (1, 1)
    assert fails(r"\sum_{k<3} x_k")[:2] == (1, 7)
    assert fails("9^{9^{9^{9}}}")[2].startswith("number too large")


def test_unknown_names() -> None:
    """Undeclared indices and undefined text names are UnknownNameErrors at the name."""
    assert fails("z_q", UnknownNameError) == (
        1,
        3,
        "undefined index `q` in `z_q`: declare it under [indices]",
    )
    assert fails(r"w_{iq}", UnknownNameError)[:2] == (1, 5)
    assert fails(r"\sum_q x_q", UnknownNameError) == (
        1,
        6,
        r"undefined index `q` in `\sum_q`: declare it under [indices]",
    )
    assert fails(r"\sum_{q=1}^{3} x", UnknownNameError)[:2] == (1, 7)  # a range of no size
    assert fails(r"a + \text{foo}", UnknownNameError) == (
        1,
        5,
        r"unknown name `\text{foo}`: define it under [definitions] or declare it under [functions]",
    )


def test_deep_nesting_is_a_latex_error() -> None:
    """Nesting beyond Python's recursion limit is reported, not crashed on."""
    with pytest.raises(LatexError, match="nested too deeply"):
        ex("(" * 3000 + "x" + ")" * 3000)
    with pytest.raises(LatexError):
        ex("{" * 3000)


def test_grammar_is_lalr_without_conflicts(caplog: pytest.LogCaptureFixture) -> None:
    """Building the grammar logs no shift/reduce conflict (lark would resolve it silently)."""
    caplog.set_level(logging.DEBUG, logger="lark")
    build_parser(debug=True, cache=False)
    assert not [r for r in caplog.records if "conflict" in r.getMessage().lower()]
    lark.Lark('start: a | a "x"\na: "y" "x"?', parser="lalr", debug=True)
    assert [r for r in caplog.records if "Shift/Reduce" in r.getMessage()]
    assert parser() is parser()


# --- Seed 001: sample pre-superscripts, excluded components, functions without parentheses

ML = "m^{(L)}"
SEED1 = Scope(
    indices={"r": "R", "t": ML, "t'": ML, "s": ML, "j": ML, "i": "N", "k": "K"},
    sizes=frozenset({"R", ML, "N", "K"}),
    names=frozenset({"C", SOFT, r"\text{act}"}),
    functions={SOFT: 2, r"\text{act}": 1},
)
r, m_L = index("r"), size(ML)
ACT, ACT1 = sp.Function(r"\text{act}"), sp.Function(r"\text{act}'")


def ex1(text: str) -> sp.Basic:
    """Parse an expression in the seed 001 scope."""
    return parse_expression(text, SEED1)


def failure(
    parse: Callable[[str, Scope], object], text: str, scope: Scope, kind: type[DeriveError]
) -> tuple[int, int, str]:
    """Run ``parse`` on ``text`` expecting exactly ``kind``; return its line, column, message."""
    with pytest.raises(kind) as info:
        parse(text, scope)
    err = info.value
    assert type(err) is kind and err.position is not None
    return err.position.line, err.position.col, err.message


def fails1(text: str, kind: type[DeriveError] = LatexError) -> tuple[int, int, str]:
    """Parse an expression in the seed 001 scope expecting exactly ``kind``."""
    return failure(parse_expression, text, SEED1, kind)


def test_pre_superscripts() -> None:
    """`{}^r` puts a sample index first; on a whole vector it makes a VectorView."""
    zL = tensor("z^{(L)}")
    assert ex1("{}^r y_t") == y[r, t] == ex1("{}^{r} y_t") == ex1("{ }^r y_{t}")
    assert ex1("{}^r z_j^{(L)}") == zL[r, j] == ex1("{}^r z^{(L)}_j")
    assert ex1(r"{}^r \mathbf{z}^{(L)}") == VectorView(zL, (r,), ())
    assert ex1("{}^r a_i^{(l-1)}") == tensor("a^{(l-1)}")[r, i]
    assert ex1("{}^r C") == tensor("C")[r] and ex1("{}^r y_1") == y[r, 1]
    assert ex1("2 {}^r y_t x") == 2 * y[r, t] * x
    assert ex1(r"\frac{\partial C}{\partial {}^r z_j^{(L)}}") == dz(scalar("C"), zL[r, j])
    assert ex1(r"\frac{\partial}{\partial {}^r z_j} {}^r y_j") == dz(y[r, j], z[r, j])
    assert parse_head("{}^r a_j^{(l)}", SEED1) == ("a^{(l)}", (r, j))


def test_sample_index_written_as_a_base() -> None:
    r"""OCR'd notes write ``{}^r z_j^{(L)}`` as ``r_{z_j}^{(L)}``: both read the same."""
    zL = tensor("z^{(L)}")
    assert ex1("r_{z_j}^{(L)}") == zL[r, j] == ex1("{}^r z_j^{(L)}")
    assert ex1("r_{y_t}") == y[r, t]
    assert ex1(r"\mathbf{r}_z^{(L)}") == VectorView(zL, (r,), ())
    assert ex1(r"\mathbf{r}_{z_{\neq t}}^{(L)}") == VectorView(zL, (r,), (t,))
    assert ex1(r"\sum_r r_{a_i}^{(L-1)}") == sp.Sum(tensor("a^{(L-1)}")[r, i], (r, 1, size("R")))
    assert parse_head("r_{a_j}^{(l)}", SEED1) == ("a^{(l)}", (r, j))
    with pytest.raises(LatexError):  # only a declared index reads this way
        ex1("x_{y_t}")


def test_excluded_components() -> None:
    r"""`_{\neq t}` leaves a component out of a whole vector."""
    zL = tensor("z^{(L)}")
    assert ex1(r"\mathbf{z}_{\neq t}") == VectorView(z, (), (t,))
    assert ex1(r"\mathbf{z}_{\ne t}") == ex1(r"\mathbf{z}_{\not= t}") == VectorView(z, (), (t,))
    assert ex1(r"{}^r \mathbf{z}_{\neq t}^{(L)}") == VectorView(zL, (r,), (t,))
    assert ex1(r"z_{\neq t}") == VectorView(z, (), (t,))
    assert ex1(r"\text{soft}(\mathbf{z}_{\neq t}, j)") == soft(VectorView(z, (), (t,)), j)
    a1, a2 = soft(VectorView(z, (r,), ()), j), soft(VectorView(z, (), (t,)), j)
    assert a1 * a2 - a2 * a1 == 0  # the applications are commutative scalars


def test_declared_functions_without_parentheses_and_primes() -> None:
    """A declared function of one argument takes the next factor; primes name its derivative."""
    zl = tensor("z^{(l)}")
    assert ex1(r"\text{act } z_j") == ACT(z[j]) == ex1(r"\text{act}(z_j)")
    assert ex1(r"\text{act}\, {}^r z_j^{(l)}") == ACT(zl[r, j])
    assert ex1(r"\text{act}'(z_j)") == ACT1(z[j]) == ex1(r"\text{act}' z_j")
    assert ex1(r"\text{act}''(x)") == sp.Function(r"\text{act}''")(x)
    assert ex1(r"\text{act} \ln x") == ACT(sp.log(x)) and ex1(r"\ln \text{act} x") == sp.log(ACT(x))
    assert ex1(r"\text{act}(x)^2") == ACT(x) ** 2 and ex1(r"\text{act} x \, y_j") == ACT(x) * y[j]
    assert ex1(r"\text{act}") == scalar(r"\text{act}") and ex1(r"2 \text{act}") == 2 * scalar(
        r"\text{act}"
    )
    assert ex1(r"\text{act} \cdot x") == scalar(r"\text{act}") * x
    assert ex(r"\sigma'(x)") == sp.diff(sigmoid(x), x)  # the built-in sigmoid's derivative
    scope = Scope({}, frozenset(), functions={"C": 1})
    assert parse_expression(r"C(\mathbf{z})", scope) == sp.Function("C")(z)
    assert parse_expression("C", scope) == scalar("C")
    assert parse_expression(r"\frac{\partial C}{\partial x}", scope) == dz(scalar("C"), x)


def test_decorated_sizes() -> None:
    """A size may carry a layer tag: `m^{(L)}` as a bound, a default range and a factor."""
    assert ex1(r"\sum_{t=1}^{m^{(L)}} y_t") == S(y[t], (t, 1, m_L)) == ex1(r"\sum_t y_t")
    assert ex1("m^{(L)} y_j") == m_L * y[j]
    assert ex1("(m^{(L)} - 1) x") == (m_L - 1) * x


def test_seed_001_claims() -> None:
    """The claims of seed 001 as a person would write them in a front matter."""
    zL, C = tensor("z^{(L)}"), scalar("C")
    whole, without = VectorView(zL, (r,), ()), VectorView(zL, (r,), (t,))
    assert parse_relation(
        r"\frac{\partial C}{\partial {}^r z_j^{(L)}} = "
        r"m^{(L)} \text{soft}({}^r \mathbf{z}^{(L)}, j) - {}^r y_j"
        r" - \sum_{\substack{t=1 \\ t \neq j}}^{m^{(L)}} (1 - {}^r y_t)"
        r" \text{soft}({}^r \mathbf{z}_{\neq t}^{(L)}, j)",
        SEED1,
    ) == (
        dz(C, zL[r, j]),
        "=",
        m_L * soft(whole, j)
        - y[r, j]
        - S((1 - y[r, t]) * soft(without, j) * (1 - D(t, j)), (t, 1, m_L)),
    )
    assert parse_relation(
        r"\frac{\partial}{\partial z_j} \ln(1 - \text{soft}(\mathbf{z}, t))"
        r" = \text{soft}(\mathbf{z}_{\neq t}, j) - \text{soft}(\mathbf{z}, j)",
        SEED1,
    ) == (dz(sp.log(1 - soft(z, t)), z[j]), "=", soft(VectorView(z, (), (t,)), j) - soft(z, j))
    assert parse_relation(
        r"\frac{\partial C}{\partial w_{i,j}^{(l)}} = \sum_r \frac{\partial C}{\partial"
        r" {}^r a_j^{(l)}} \text{act}'({}^r z_j^{(l)}) \, {}^r a_i^{(l-1)}",
        SEED1,
    ) == (
        dz(C, tensor("w^{(l)}")[i, j]),
        "=",
        S(
            dz(C, tensor("a^{(l)}")[r, j])
            * ACT1(tensor("z^{(l)}")[r, j])
            * tensor("a^{(l-1)}")[r, i],
            (r, 1, size("R")),
        ),
    )


def test_seed_001_errors() -> None:
    """Misused pre-superscripts, exclusions and ranges are errors at the culprit."""
    assert fails1("{}^q y_t", UnknownNameError) == (
        1,
        4,
        "undefined index `q` in `{}^q y_t`: declare it under [indices]",
    )
    assert fails1(r"\sum_{k \neq j} x_k") == (
        1,
        14,
        "excluded index `j` ranges over m^{(L)}, not over K like `k`",
    )
    assert fails1(r"\sum_{\substack{k=1 \\ k \neq t}}^{K} x_k")[:2] == (1, 31)
    assert ex1(r"\sum_{s \neq t} x_s") == S(tensor("x")[s] * (1 - D(s, t)), (s, 1, m_L))
    assert fails1(r"2 {}^r \mathbf{z}") == (
        1,
        3,
        r"`{}^r \mathbf{z}` is a whole vector: use it as the argument of a function, "
        r"e.g. `\text{soft}(…, j)`",
    )
    assert fails1(r"\ln \mathbf{z}_{\neq t}")[:2] == (1, 5)
    assert failure(parse_relation, r"{}^r \mathbf{z} = x", SEED1, LatexError)[:2] == (1, 1)
    assert fails1("{}^r (a + b)") == (
        1,
        6,
        "a pre-superscript such as `{}^r` goes before a name, e.g. `{}^r y_t`",
    )
    assert fails1(r"\mathbf{z}_{< t}") == (
        1,
        13,
        r"unsupported subscript `<` in `\mathbf{z}_{< t}`: write `_{\neq t}` for the vector "
        "without component t",
    )
    assert fails1(r"{}^r \text{act}(x)") == (
        1,
        1,
        r"unsupported pre-superscript on the function `\text{act}`",
    )
    assert fails1(r"\text{act}^2 x")[2].startswith(r"ambiguous power on the function `\text{act}`")
    assert fails1(r"\mathbf{z}_{j}_{\neq t}")[:2] == (1, 15)
    assert fails1(r"{}^r \delta_{kj}")[:2] == (1, 1)
    assert fails1(r"\frac{\partial C}{\partial {}^r \mathbf{z}}")[:2] == (1, 28)


# --- Seed 004 in matrix form: shaped names, checked matrix algebra

MATRIX = Scope(
    indices={"u": "K", "v": "H", "h": "H", "i": "N", "k": "K"},
    sizes=frozenset({"H", "N", "K"}),
    names=frozenset({"E"}),
    functions={r"\text{act}": 1, SOFT: 2},
    shapes={
        "W^{(1)}": ("H", "N"),
        "W^{(2)}": ("K", "H"),
        "x": ("N", "1"),
        "z^{(1)}": ("H", "1"),
        "y^{(1)}": ("H", "1"),
        "z^{(2)}": ("K", "1"),
        "y": ("K", "1"),
        "t": ("K", "1"),
        "q": ("1", "K"),
    },
)
H = size("H")
W1, W2 = sp.MatrixSymbol("W^{(1)}", H, N), sp.MatrixSymbol("W^{(2)}", K, H)
X, Z1, Y1 = (
    sp.MatrixSymbol("x", N, 1),
    sp.MatrixSymbol("z^{(1)}", H, 1),
    sp.MatrixSymbol("y^{(1)}", H, 1),
)
Z2, Y, TT = sp.MatrixSymbol("z^{(2)}", K, 1), sp.MatrixSymbol("y", K, 1), sp.MatrixSymbol("t", K, 1)
h_ = index("h")
SIG_JAC = DiagMatrix(sp.HadamardProduct(Y1, sp.OneMatrix(H, 1) - Y1))


def mx(text: str) -> sp.Basic:
    """Parse an expression in the matrix scope."""
    return parse_expression(text, MATRIX)


def mrel(text: str) -> tuple[sp.Basic, str, sp.Basic]:
    """Parse a relation in the matrix scope."""
    return parse_relation(text, MATRIX)


def mfails(text: str) -> tuple[int, int, str]:
    """Parse an expression in the matrix scope expecting a LatexError."""
    return failure(parse_expression, text, MATRIX, LatexError)


def mrel_fails(text: str) -> tuple[int, int, str]:
    """Parse a relation in the matrix scope expecting a LatexError."""
    return failure(parse_relation, text, MATRIX, LatexError)


def test_column_by_scalar_and_entries() -> None:
    """``∂v/∂w`` for a column ``v`` and a scalar ``w`` is a column; ``(M)_j`` is an entry."""
    column = mx(r"\frac{\partial y^{(1)}}{\partial x_i}")
    assert isinstance(column, MatrixDerivative)
    assert column.shape == (H, 1)
    entry = mx(r"\left(\frac{\partial E}{\partial z^{(2)}}\right)_k")
    assert entry == Entry(MatrixDerivative(scalar("E"), Z2), sp.S.One, index("k"))
    assert mx("(y - t)_k") == Entry(Y - TT, index("k"), sp.S.One)
    assert mfails("(y^T W^{(2)})_{hk}")[2].startswith("`(y^T W^{(2)})` is 1×H")
    assert mfails("(E)_k")[2].startswith("unsupported subscript on `(E)`")


def test_shaped_names() -> None:
    """Without a subscript a shaped name is a MatrixSymbol; with one, an element."""
    assert (
        mx("W^{(1)}") == W1
        and mx("x") == X
        and mx(r"\mathbf{x}") == X
        and mx("q") == (sp.MatrixSymbol("q", 1, K))
    )
    assert mx("W^{(1)}_{uv}") == tensor("W^{(1)}")[u, v] == mx("W^{(1)}_{u,v}")
    assert mx("z^{(2)}_k") == tensor("z^{(2)}")[k] and mx("q_k") == tensor("q")[k]
    assert mx("y_k - t_k") == y[k] - T[k] and mx("x_1") == tensor("x")[1]
    assert parse_head("z^{(1)}", MATRIX) == ("z^{(1)}", ()) == parse_head("z^{(1)}", SCOPE)
    assert parse_head(r"\text{soft}(\mathbf{y}, k)", MATRIX) == (SOFT, (y, k))


def test_matrix_products_sums_and_transposes() -> None:
    """Juxtaposition multiplies matrices, `^T` transposes, scalars scale and broadcast."""
    a_ = scalar("a")
    assert mx("W^{(1)} x") == sp.MatMul(W1, X) == mx(r"W^{(1)} \cdot x") == mx(r"W^{(1)} \times x")
    assert mx("W^{(2)} W^{(1)} x") == sp.MatMul(W2, W1, X)
    assert mx("(y - t)^T") == sp.Transpose(Y - TT) == mx(r"(y - t)^\top") == mx("(y - t)^{T}")
    assert mx(r"{W^{(1)}}^{\top}") == sp.Transpose(W1) == mx("(W^{(1)})^T")
    assert mx("x^T") == sp.Transpose(X) and mx("t^T y") == sp.MatMul(sp.Transpose(TT), Y)
    assert mx("(y - t)^T W^{(2)}") == sp.MatMul(sp.Transpose(Y - TT), W2)
    assert mx("y + t") == Y + TT and mx("-y") == -Y and mx("-y + t") == TT - Y
    assert mx("2 y") == 2 * Y == mx("y 2") and mx("a y") == a_ * Y == mx(r"a \cdot y")
    assert mx("y / 2") == Y / 2 == mx(r"\frac{y}{2}") and mx("(y_k - t_k) y") == (y[k] - T[k]) * Y
    assert mx("1 - y^{(1)}") == sp.OneMatrix(H, 1) - Y1
    assert mx("a + y") == a_ * sp.OneMatrix(K, 1) + Y and mx("y - a") == Y - a_ * sp.OneMatrix(K, 1)
    # `^T` of a scalar: a transpose (the scalar itself) or a power of `T`: refused
    for scalar_t in ("a^T", "W^T"):
        with pytest.raises(LatexError, match="a transpose, or a power"):
            mx(scalar_t) if scalar_t == "a^T" else ex(scalar_t)


def test_entrywise_operations() -> None:
    r"""`\odot`, `*` between matrices, diag and functions applied to matrices."""
    assert mx(r"y \odot t") == sp.HadamardProduct(Y, TT) == mx("y * t")
    assert mx(r"y \odot t \odot y") == sp.HadamardProduct(Y, TT, Y)
    assert mx("2 * y") == 2 * Y and mx(r"2 \odot 3") == 6
    assert mx(r"\operatorname{diag}(y^{(1)} \odot (1 - y^{(1)}))") == SIG_JAC
    assert mx(r"\text{diag}(y^{(1)} * (1 - y^{(1)}))") == SIG_JAC
    assert mx(r"\mathrm{diag}(x)") == DiagMatrix(X) == mx(r"\operatorname{diag} x")
    assert mx(r"\sigma(z^{(1)})") == Elementwise(sigmoid, Z1)
    assert mx(r"\text{act}(z^{(1)})") == Elementwise(ACT, Z1) == mx(r"\text{act } z^{(1)}")
    assert mx(r"\ln(y)") == Elementwise(sp.log, Y) == mx(r"\ln y")
    assert mx(r"-t^T \ln y") == sp.MatMul(-1, sp.Transpose(TT), Elementwise(sp.log, Y))
    assert mx(r"\sigma(z^{(1)}_h)") == sigmoid(tensor("z^{(1)}")[h_])
    assert mx(r"\text{soft}(z^{(2)}, k)") == soft(tensor("z^{(2)}"), k)


def test_matrix_derivatives() -> None:
    """By a column vector: MatrixDerivative; by an element: the scalar Derivative."""
    assert mx(r"\frac{\partial E}{\partial z^{(2)}}") == MatrixDerivative(E, Z2)
    assert mx(r"\frac{\partial y^{(1)}}{\partial z^{(1)}}") == MatrixDerivative(Y1, Z1)
    assert mx(r"\frac{\partial}{\partial z^{(1)}} \sigma(z^{(1)})") == MatrixDerivative(
        Elementwise(sigmoid, Z1), Z1
    )
    assert mx(r"\frac{\partial E}{\partial W^{(2)}_{uv}}") == dz(E, tensor("W^{(2)}")[u, v])
    assert mx(r"\frac{\partial E}{\partial \mathbf{y}}") == MatrixDerivative(E, Y)
    assert mx(r"\frac{\partial E}{\partial z^{(2)}}").shape == (1, K)


def test_seed_004_matrix_claims() -> None:
    """Seed 004's network in matrix form: claims and definitions."""
    row = sp.Transpose(Y - TT)
    assert mrel(r"\frac{\partial E}{\partial z^{(2)}} = (y - t)^T") == (
        MatrixDerivative(E, Z2),
        "=",
        row,
    )
    assert mrel(r"\frac{\partial E}{\partial y^{(1)}} = (y - t)^T W^{(2)}") == (
        MatrixDerivative(E, Y1),
        "=",
        sp.MatMul(row, W2),
    )
    assert mrel(
        r"\frac{\partial y^{(1)}}{\partial z^{(1)}} = "
        r"\operatorname{diag}(y^{(1)} \odot (1 - y^{(1)}))"
    ) == (MatrixDerivative(Y1, Z1), "=", SIG_JAC)
    assert mrel(
        r"\frac{\partial E}{\partial z^{(1)}} = (y - t)^T W^{(2)} "
        r"\operatorname{diag}(y^{(1)} \odot (1 - y^{(1)}))"
    ) == (MatrixDerivative(E, Z1), "=", sp.MatMul(row, W2, SIG_JAC))
    assert mrel(r"\frac{\partial E}{\partial W^{(2)}_{uv}} = (y_u - t_u) y^{(1)}_v") == (
        dz(E, tensor("W^{(2)}")[u, v]),
        "=",
        (y[u] - T[u]) * tensor("y^{(1)}")[v],
    )
    assert mx("W^{(1)} x") == sp.MatMul(W1, X) and mx("W^{(2)} y^{(1)}") == sp.MatMul(W2, Y1)
    assert mx(r"\sigma(z^{(1)})") == Elementwise(sigmoid, Z1)
    assert mrel("y = t") == (Y, "=", TT) and mrel("t^T y = q y")[0] == sp.MatMul(
        sp.Transpose(TT), Y
    )


def test_shape_mismatches() -> None:
    """Every matrix operation checks shapes and names both operands."""
    assert mfails("(y - t)^T W^{(1)}") == (
        1,
        11,
        "shape mismatch: `(y - t)^T` is 1 x K but `W^{(1)}` is H x N; a product needs the "
        "columns of the left (K) to equal the rows of the right (H)",
    )
    assert mfails("W^{(2)} x") == (
        1,
        9,
        "shape mismatch: `W^{(2)}` is K x H but `x` is N x 1; a product needs the columns "
        "of the left (H) to equal the rows of the right (N)",
    )
    assert mfails(r"W^{(2)} W^{(1)} \cdot W^{(1)}")[:2] == (1, 17)
    assert mfails(r"W^{(2)} W^{(1)} \cdot W^{(1)}")[2].startswith(
        "shape mismatch: `W^{(2)} W^{(1)}` is K x N but `W^{(1)}` is H x N;"
    )
    assert mfails("x^T W^{(1)}")[2].endswith("; transpose the right operand, `(…)^T`?")
    assert mfails(r"t \cdot y")[2].endswith(
        r"; for an inner product write `u^T v`, for entrywise `u \odot v`"
    )
    assert mfails("y + z^{(1)}") == (
        1,
        3,
        "shape mismatch: `y` is K x 1 but `z^{(1)}` is H x 1; `+` needs both sides the same shape",
    )
    assert mfails(r"y \odot 2") == (
        1,
        3,
        r"shape mismatch: `y` is K x 1 but `2` is a scalar; "
        r"`\odot` needs both sides the same shape",
    )
    assert mfails("y * z^{(1)}")[:2] == (1, 3)
    assert mrel_fails(r"\frac{\partial E}{\partial z^{(2)}} = (y - t) (y - t)^T") == (
        1,
        37,
        r"shape mismatch: `\frac{\partial E}{\partial z^{(2)}}` is 1 x K but `(y - t) (y - t)^T` "
        "is K x K; the two sides of `=` need the same shape",
    )
    # a row gradient against a column of its length is the column gradient (noted)
    left, _, right = mrel(r"\frac{\partial E}{\partial z^{(2)}} = (y - t)")
    assert left == sp.Transpose(MatrixDerivative(E, Z2)) and right == Y - TT
    assert mrel_fails("E = (y - t)^T")[:2] == (1, 3)
    # a 1 x 1 matrix against a scalar is its one entry, as in a body's step
    inner, _, one = mrel("t^T y = 1")
    assert isinstance(inner, Entry) and one == 1
    assert mfails("W^{(1)}_u") == (1, 8, "`W^{(1)}` is H x N: write two indices")
    assert mfails("z^{(2)}_{uv}") == (1, 8, "`z^{(2)}` is K x 1: write one index")
    assert mfails(r"\operatorname{diag}(W^{(1)})") == (
        1,
        21,
        r"`\operatorname{diag}` takes a column vector, but `W^{(1)}` is H x N",
    )
    assert mfails(r"\operatorname{diag}(q)")[:2] == (1, 21)
    # a scalar by a matrix is the matrix of its partials; a column by a matrix is not read
    assert mrel(r"\frac{\partial E}{\partial W^{(1)}} = W^{(1)}")[0].shape == (H, N)
    assert mfails(r"\frac{\partial y}{\partial W^{(1)}}") == (
        1,
        28,
        "cannot differentiate with respect to `W^{(1)}`, which is H x N: use a column vector "
        "or an element such as `W_{uv}`",
    )
    assert mfails(r"\frac{\partial W^{(1)}}{\partial x_i}")[:2] == (1, 16)
    assert mfails(r"\frac{\partial q}{\partial y}")[:2] == (1, 16)
    assert mfails("2 / y") == (1, 5, "cannot divide by the matrix `y` (K x 1)")
    assert mfails("(W^{(1)})^2") == (
        1,
        10,
        "unsupported power of the matrix `(W^{(1)})` (H x N): the only ones are the transpose "
        "`^T`, the inverse `^{-1}` and `^{-T}`",
    )
    assert mfails("e^{y}")[:2] == (1, 2) and mfails(r"\sqrt{y}")[:2] == (1, 7)
    assert mfails(r"\sum_k y") == (
        1,
        8,
        "`y` is a matrix (K x 1); a sum or product takes a scalar body",
    )
    assert mfails(r"\log_2 y")[:2] == (1, 8) and mfails(r"1\{y = t\}")[:2] == (1, 4)
    assert mfails(r"\text{soft}(W^{(1)} x, k)")[:2] == (1, 13)
    assert fails(r"x^\top") == (1, 2, r"`^\top` transposes a matrix, but `x` is a scalar")


def test_scope_shapes() -> None:
    """Shapes are checked against the sizes, frozen, and part of the hash."""
    with pytest.raises(ValueError, match="shape of `W`"):
        Scope({}, frozenset({"H"}), shapes={"W": ("H", "N")})
    scope = Scope({}, frozenset({"H"}), shapes={"x": ["H", "1"]})  # type: ignore[dict-item]
    assert scope.shapes["x"] == ("H", "1")
    assert hash(scope) == hash(Scope({}, frozenset({"H"}), shapes={"x": ("H", "1")}))
    assert hash(scope) != hash(Scope({}, frozenset({"H"})))


def only_derive_errors(text: str) -> None:
    """Run every entry point on ``text`` in each test scope; only our errors may escape."""
    for scope in (SCOPE, SEED1, MATRIX):
        for parse in (parse_expression, parse_relation, parse_head):
            try:
                parse(text, scope)
            except (LatexError, UnknownNameError) as err:
                assert err.position is not None


FRAGMENTS = [
    *r"{}[]()_^'+-*/=,.~&$ 0123456789abdeijkqxzKN\\",
    r"\frac{",
    "}{",
    r"\partial ",
    r"\sum_",
    r"\sum_{",
    r"k=1}^{K}",
    r"\prod_k ",
    "^{",
    "_{",
    r"\left(",
    r"\right)",
    r"\{",
    r"\}",
    r"\ln ",
    r"\log_",
    r"\exp",
    "e^",
    "z_",
    "y_k",
    r"1\{",
    r"\neq ",
    r"\leq ",
    r"\substack{",
    r"\\",
    r"\text{soft}",
    r"\text{foo}",
    r"\text{",
    r"\mathbf{z}",
    r"\mathbb{1}",
    r"\sigma",
    r"\delta_",
    r"\hat{",
    r"\sqrt",
    r"\cdot ",
    r"\quad",
    r"\mathrm{d}",
    "^{(2)}",
    "9^{99}",
    "f(",
    r"\foo",
    "{}^r ",
    "{}^{",
    r"_{\neq t}",
    r"\odot ",
    r"^\top",
    "^T",
    r"\operatorname{diag}(",
    r"\text{act}",
    "'",
    "W^{(1)}",
    "y^{(1)}",
    "x",
    "t",
]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_random_text_raises_only_derive_errors(text: str) -> None:
    """Arbitrary text never raises anything but LatexError or UnknownNameError."""
    only_derive_errors(text)


@settings(max_examples=500, deadline=None)
@given(st.lists(st.sampled_from(FRAGMENTS), max_size=30).map("".join))
def test_random_latex_raises_only_derive_errors(text: str) -> None:
    """LaTeX-like fragment soup never raises anything but LatexError or UnknownNameError."""
    only_derive_errors(text)


ATOMS = [
    "x",
    "y_k",
    "w_{ij}",
    "t_{t'}",
    r"\gamma",
    r"\hat{y}_j",
    "z^{(2)}_j",
    "2",
    "0.5",
    "e",
    "K",
    r"\delta_{kj}",
    r"1\{k = j\}",
    r"\mathbf{z}",
    "q",
    "z_q",
    "{}^r y_t",
    r"{}^r \mathbf{z}_{\neq t}",
    "W^{(1)}",
    "W^{(2)}",
    "y^{(1)}",
    "(y - t)^T",
    r"\text{act}",
]
TEMPLATES = [
    "{0} + {1}",
    "{0} - {1}",
    "{0} {1}",
    r"{0} \cdot {1}",
    "{0} / {1}",
    "-{0}",
    r"\frac{{{0}}}{{{1}}}",
    "({0})",
    r"\left[{0}\right]^{{{1}}}",
    "x^{{{0}}}",
    "e^{{{0}}}",
    r"\ln {0}",
    r"\ln({0})",
    r"\log_a {0}",
    r"\sigma({0})",
    r"\text{{soft}}({0}, {1})",
    r"\sum_k {0}",
    r"\sum_{{k \neq j}} {0}",
    r"\prod_i {0}",
    r"\frac{{\partial {0}}}{{\partial z_j}}",
    r"\frac{{\partial}}{{\partial x}} {0}",
    r"\frac{{d}}{{dx}} {0}",
    r"{0} \odot {1}",
    "({0})^T",
    r"\operatorname{{diag}}({0})",
    r"\text{{act}}'({0})",
    r"\text{{act}} {0}",
    r"\frac{{\partial {0}}}{{\partial z^{{(1)}}}}",
]
EXPRESSIONS = st.recursive(
    st.sampled_from(ATOMS),
    lambda inner: st.builds(str.format, st.sampled_from(TEMPLATES), inner, inner),
    max_leaves=12,
)


@settings(max_examples=300, deadline=None)
@given(EXPRESSIONS)
def test_generated_expressions_read_or_fail_cleanly(text: str) -> None:
    """Well-formed nestings of the subset give SymPy, or a LatexError/UnknownNameError."""
    for scope in (SCOPE, MATRIX):
        try:
            assert isinstance(parse_expression(text, scope), sp.Basic)
        except (LatexError, UnknownNameError) as err:
            assert err.position is not None
            assert not err.message.startswith("cannot build"), (text, err.message)


# Words: function names written without a backslash, runs of letters, row spacing.


def noted(text: str, scope: Scope = SCOPE) -> tuple[sp.Basic, list[str]]:
    """Parse ``text`` and return its value with the notes on how it was read."""
    notes: list[str] = []
    return parse_expression(text, scope, notes=notes), notes


@pytest.mark.parametrize(
    ("text", "expected", "note"),
    [
        ("log x", sp.log(x), r"read `log` as `\log`"),
        ("ln(1 - y_j)", sp.log(1 - y[j]), r"read `ln` as `\ln`"),
        ("exp(-x)", sp.exp(-x), r"read `exp` as `\exp`"),
        ("sin x", sp.sin(x), r"read `sin` as `\sin`"),
        ("cos(a b)", sp.cos(a * b), r"read `cos` as `\cos`"),
        ("tanh x", sp.tanh(x), r"read `tanh` as `\tanh`"),
        ("sigmoid(x)", sigmoid(x), r"read `sigmoid` as `\sigma`"),
        ("sigmoid x", sigmoid(x), r"read `sigmoid` as `\sigma`"),
        ("log_2 x", sp.log(x) / sp.log(2), r"read `log` as `\log`"),
        ("x log x", x * sp.log(x), r"read `log` as `\log`"),
        (r"ln \sum_k e^{z_k}", sp.log(S(sp.exp(z[k]), (k, 1, K))), r"read `ln` as `\ln`"),
    ],
)
def test_bare_function_names_are_functions(text: str, expected: sp.Expr, note: str) -> None:
    """A function's name without its backslash is that function, and the reading is noted."""
    value, notes = noted(text)
    assert value == expected
    assert notes == [note]


def test_bare_function_names_noted_once_and_only_when_written() -> None:
    """Each bare name is noted once; the commands themselves need no note."""
    assert noted("log x + log y_k") == (sp.log(x) + sp.log(y[k]), [r"read `log` as `\log`"])
    assert noted(r"\log x + \exp x + \sin x")[1] == []
    notes: list[str] = []
    assert parse_relation("exp(log x) = x", SCOPE, notes=notes) == (sp.exp(sp.log(x)), "=", x)
    assert notes == [r"read `exp` as `\exp`", r"read `log` as `\log`"]


def test_bare_names_of_functions_the_reader_lacks() -> None:
    """max, min and an undeclared softmax are not understood, never a product of letters."""
    assert fails("max(a, b)")[2].startswith("`max` is not supported")
    assert fails("min_k z_k")[2].startswith("`min` is not supported")
    assert fails("softmax(z)") == (
        1,
        1,
        r"`softmax` is not a function derive knows: declare `\text{softmax}` under "
        "[functions] or [definitions] and it is read as that",
    )
    declared = Scope({}, frozenset(), functions={r"\text{softmax}": 1})
    value, notes = noted("softmax(z)", declared)
    assert value == sp.Function(r"\text{softmax}")(scalar("z"))
    assert notes == [r"read `softmax` as `\text{softmax}`"]
    assert fails("sin^2 x") == (1, 4, "ambiguous power on `sin`: write `(sin x)^{2}`")


def test_a_run_of_letters_in_a_longer_word_is_not_a_function() -> None:
    r"""`logx` and `xlog` are runs of letters, not `\log`: refused, not multiplied."""
    assert "`logx` would be the product l·o·g·x" in fails("logx")[2]
    assert "`xlog` would be the product x·l·o·g" in fails("2 xlog y_k")[2]


@pytest.mark.parametrize(
    ("text", "col", "word"),
    [
        ("net_j", 1, "`net_j` would be the product n·e·t_j of single letters"),
        ("2 out - t_k", 3, "`out` would be the product o·u·t of single letters"),
        (r"\frac{loss}{N}", 7, "`loss` would be the product l·o·s·s of single letters"),
        ("sum_k y_k", 1, "`sum_k` would be the product s·u·m_k of single letters"),
        ("xyz", 1, "`xyz` would be the product x·y·z of single letters"),
    ],
)
def test_undeclared_words_are_not_products(text: str, col: int, word: str) -> None:
    """A run of three letters none of which is declared, or a word, is refused."""
    line, column, message = fails(text)
    assert (line, column) == (1, col) and message.startswith(word)
    assert r"\text{" in message and "with spaces for a product" in message


def test_products_of_letters_stay_products() -> None:
    """Spaced letters, declared letters, two letters, scripts and e^{…} multiply as before."""
    assert ex("x y z") == x * scalar("y") * scalar("z")
    assert ex("t_k y_k") == T[k] * y[k] and ex("2 a b") == 2 * a * b and ex("2ab") == 2 * a * b
    assert ex("kij") == k * i * j and ex("K a b") == K * a * b  # indices; spaced letters
    with pytest.raises(LatexError, match="would be the product K·a·b"):
        ex("Kab")  # a and b are declared nowhere: a word as likely as a product
    with pytest.raises(LatexError, match=r"write `\\sin x` for the function"):
        ex("sinx")
    assert ex("x_i y_j z_k") == tensor("x")[i] * y[j] * z[k]
    assert ex("abe^{x}") == a * b * sp.exp(x)
    assert ex("E x y") == E * x * scalar("y")
    declared = Scope({}, frozenset(), names=frozenset({r"\text{net}"}))
    with pytest.raises(LatexError, match=r"write `\\text\{net\}`, which the document declares"):
        parse_expression("net", declared)


@pytest.mark.parametrize("spacing", [r"\\[2pt]", r"\\ [1em]", r"\\[-3mm]", r"\\*[0.5ex]"])
def test_row_spacing_in_substack(spacing: str) -> None:
    r"""`\\[2pt]` in a `\substack` is a row break; its spacing changes nothing."""
    written = rf"\sum_{{\substack{{t=1 {spacing} t \neq j}}}}^{{m}} t_t"
    assert ex(written) == S(T[t] * (1 - D(t, j)), (t, 1, m))
