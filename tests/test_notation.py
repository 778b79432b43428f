r"""The decorations and spellings of real notes: each reads as its plain form does.

Every decorated form is compared with the plain form it stands for (both read by
derive), and a document of decorated steps shows that a right step still holds and a
wrong one is still refuted.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.errors import DeriveError, LatexError
from derive.reading.latex import Scope, parse_expression
from derive.symbols import sigmoid

SCOPE = Scope(
    indices={"i": "K", "j": "K", "k": "K"},
    sizes=frozenset({"K"}),
    functions={"f": 1},
)


def ex(text: str) -> sp.Expr:
    """Read ``text`` in the test scope."""
    return parse_expression(text, SCOPE)


def refused(text: str) -> LatexError:
    """Read ``text`` expecting a LatexError; return it."""
    with pytest.raises(LatexError) as info:
        ex(text)
    return info.value


SAME = [
    # decorations that change nothing
    (r"\color{red}{a + b} c", r"(a + b) c"),
    (r"{\color{red} a} + b", r"a + b"),
    (r"\textcolor{blue}{a - b}^2", r"(a - b)^2"),
    (r"\boxed{\frac{a}{b}} + c", r"\frac{a}{b} + c"),
    (r"\underbrace{a (b + c)}_{\text{the sum}} d", r"a (b + c) d"),
    (r"\underbrace{a + b}_{=\, c} + 1", r"a + b + 1"),
    (r"\overbrace{a b}^{\text{two {nested} words}} + c", r"a b + c"),
    (r"\cfrac{a}{1 + \cfrac{1}{b}}", r"\frac{a}{1 + \frac{1}{b}}"),
    (r"\left. a + b \right.", r"a + b"),
    (r"\displaystyle \sum_{k=1}^{K} t_k", r"\sum_{k=1}^{K} t_k"),
    (r"\bigl( a + b \Bigr) c", r"(a + b) c"),
    (r"a \, b \; c \! d \: e \quad g \qquad h \hspace{1em} m \hspace*{2pt} n", "a b c d e g h m n"),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} x^3", r"\frac{d}{dx} x^3"),
    (r"\frac{\mathrm{d} y}{\mathrm{d} x}", r"\frac{dy}{dx}"),
    # plain TeX fractions
    (r"{a \over b} + c", r"\frac{a}{b} + c"),
    (r"{a + b \over c - d}", r"\frac{a + b}{c - d}"),
    (r"{\partial E \over \partial w_j}", r"\frac{\partial E}{\partial w_j}"),
    (r"{d y \over d x}", r"\frac{dy}{dx}"),
    (r"{d \over dx} x^2", r"\frac{d}{dx} x^2"),
    (r"{\partial \over \partial x} x^2 y", r"\frac{\partial}{\partial x} x^2 y"),
    # names people use
    (r"{\cal C} + { \cal C }", r"2 \mathcal{C}"),
    (r"{\cal C}_k", r"\mathcal{C}_k"),
    # the indicator
    (r"\sum_{k=1}^{K} \mathbb{I}[k = j] t_k", r"\sum_{k=1}^{K} 1\{k = j\} t_k"),
    (r"\sum_{k=1}^{K} \mathbb{1}[k = j] t_k", r"\sum_{k=1}^{K} 1\{k = j\} t_k"),
    (r"\sum_{k=1}^{K} \mathbb{1}_{k = j} t_k", r"\sum_{k=1}^{K} 1\{k = j\} t_k"),
    (r"\sum_{k=1}^{K} \mathbb{I}\{k=j\} t_k", r"\sum_{k=1}^{K} 1\{k = j\} t_k"),
    (r"\mathbb{1}_{k \neq j}", r"1\{k \neq j\}"),
    # `^*` takes subscripts as a name does
    (r"t^*_k", r"t^{*}_{k}"),
]


@pytest.mark.parametrize(("decorated", "plain"), SAME)
def test_decorated_reads_as_plain(decorated: str, plain: str) -> None:
    """The decorated form reads to exactly the plain form's value."""
    assert ex(decorated) == ex(plain)


def test_names_are_names_of_their_own() -> None:
    r"""``\ell``, ``\mathcal{L}``, ``\mathscr{L}`` and ``t^*`` are distinct names."""
    names = [r"\ell", "l", r"\mathcal{L}", r"\mathscr{L}", "L", "t^*", "t", r"{\cal L}"]
    values = [ex(name) for name in names]
    assert all(isinstance(value, sp.Symbol) for value in values)
    assert len(set(values)) == len(names) - 1  # `{\cal L}` is `\mathcal{L}`
    assert ex(r"{\cal L}") == ex(r"\mathcal{L}")
    assert ex("t^* t") == ex("t^*") * ex("t")  # a name of its own, not a power
    assert ex("t^*_k") != ex("t_k")


def test_transpose_and_entrywise_spellings() -> None:
    r"""``\intercal`` and ``^\mathsf{T}`` transpose as ``^\top``; ``\circ`` is ``\odot``."""
    scope = Scope({"j": "K"}, frozenset({"K"}), shapes={"u": ("K", "1"), "v": ("K", "1")})
    plain = parse_expression(r"u^\top v", scope)
    for spelled in (r"u^\intercal v", r"u^\mathsf{T} v", r"u^{\mathsf{T}} v", "u^T v"):
        assert parse_expression(spelled, scope) == plain
    odot = parse_expression(r"(u \odot v)_j", scope)
    notes: list[str] = []
    assert parse_expression(r"(u \circ v)_j", scope, notes=notes) == odot
    assert notes == [r"read `\circ` as the entrywise product `\odot`"]  # not composition


def test_operatorname_star() -> None:
    r"""``\operatorname*{act}`` names the function ``\operatorname{act}`` names."""
    scope = Scope({}, frozenset(), functions={r"\text{act}": 1})
    star = parse_expression(r"\operatorname*{act}(x)", scope)
    assert star == parse_expression(r"\operatorname{act}(x)", scope)


def test_derivatives_of_known_functions() -> None:
    r"""``\sigma'`` and ``\tanh'`` are SymPy's derivatives of the functions derive knows."""
    x, z = sp.Symbol("x"), sp.Symbol("z")
    assert ex(r"\sigma'(x)") == sp.diff(sigmoid(x), x).subs(x, ex("x"))
    assert ex(r"\sigma'(z_j)") == sp.diff(sigmoid(z), z).subs(z, ex("z_j"))
    assert ex(r"\sigma''(x)") == sp.diff(sigmoid(x), x, 2).subs(x, ex("x"))
    assert ex(r"\tanh'(x)") == sp.diff(sp.tanh(x), x).subs(x, ex("x"))
    assert ex(r"\tanh'(2 x)") == sp.diff(sp.tanh(x), x).subs(x, ex("2 x"))


REFUSED = [
    (r"a \over b", r"write `{a \over b}`"),
    (r"x + {a \over b \over c}", r"`\over` divides the whole brace group"),
    (r"\frac{a \over b}{c}", r"`\over` divides the whole brace group"),
    (r"\mathbf{1}^T x", "a vector of ones"),
    (r"\frac{\partial y}{\partial \sigma(z)}", "with respect to a function's value"),
    (r"\frac{\partial}{\partial \sigma(z)} \sigma(z)", "name the value"),
    (r"x_{k = j}", r"`\mathbb{1}_{k = j}`"),
    (r"t^\cdot", "`^*` names a quantity of its own"),
    (r"(t^*)^* ", "unsupported `^*` on `(t^*)`"),
    (r"\mathbb{I}", r"expected a condition `\{k = i\}` after `\mathbb{I}`"),
    (r"\mathbb{1}_{k}", r"write the indicator as `\mathbb{1}_{k = j}`"),
    (r"[k = j] t_k", r"write an indicator as"),
    (r"\cal C", r"write `{\cal C}` or `\mathcal{C}`"),
    (r"{\cal C x}", r"write `{\cal C}` or `\mathcal{C}`"),
]


@pytest.mark.parametrize(("text", "says"), REFUSED)
def test_refused_with_a_message(text: str, says: str) -> None:
    """What derive does not read it refuses, saying what to write instead."""
    assert says in str(refused(text))


@pytest.mark.parametrize(
    ("text", "at"),
    [
        (r"\underbrace{a + }_{\text{a label}} + b", "}_"),
        (r"\color{red}{a} + \foo", r"\foo"),
        (r"\boxed{a} \hspace{1em} + {a \over }", "}"),
        (r"\overbrace{a}^{\text{o}} + \left. b \right. ]", "]"),
        (r"\cfrac{a}{b} \; \textcolor{red}{c} \, )", ")"),
    ],
)
def test_positions_after_decorations(text: str, at: str) -> None:
    """A message still points at the column of the offending text as written."""
    error = refused(text)
    assert error.position is not None
    assert error.position.col == text.rindex(at) + 1


FRONT = r"""+++
name = "notation"
title = "Decorated steps"

[sizes]
K = "number of classes"

[indices]
j = "K"
k = "K"

[shapes]
u = "K"
v = "K"

[definitions]
'f(s)' = 's^3 + 2 s'
'h_\theta(x)' = '\theta x^2'
+++
"""

STEPS = [
    (r"\boxed{(a + b)^2} = a^2 + 2 a b + b^2", r"\boxed{(a + b)^2} = a^2 + b^2"),
    (r"{\color{red} a b} + \textcolor{blue}{a} = a (b + 1)", r"\color{red}{a b} + a = a b"),
    (
        r"\underbrace{a (b + c)}_{\text{expand}} = a b + a c",
        r"\underbrace{a (b + c)}_{\text{expand}} = a b + c",
    ),
    (
        r"\overbrace{a - a}^{\text{zero}} + \cfrac{a}{2} = \frac{a}{2}",
        r"\overbrace{a - a}^{\text{zero}} + \cfrac{a}{2} = a",
    ),
    (r"\left. a \, b \; c \! \right. = \hspace{1em} a b c", r"\left. a \, b \right. = a + b"),
    (r"{a \over 2} + {a \over 2} = a", r"{a \over 2} = 2 a"),
    (r"{d \over dx} x^3 = 3 x^2", r"{d x^3 \over d x} = 3 x"),
    (r"{\partial \over \partial x} x^2 y = 2 x y", r"{\partial x^2 y \over \partial x} = x y"),
    (r"\frac{\mathrm{d}}{\mathrm{d}x} x^2 = 2 x", r"\frac{\mathrm{d}}{\mathrm{d}x} x^2 = x"),
    (
        r"\sum_{k=1}^{K} \mathbb{1}_{k = j} t_k = t_j",
        r"\sum_{k=1}^{K} \mathbb{1}_{k = j} t_k = 2 t_j",
    ),
    (r"\sum_{k=1}^{K} \mathbb{I}[k = j] t_k = t_j", r"\sum_{k=1}^{K} \mathbb{I}[k = j] t_k = 0"),
    (r"\sum_{k=1}^{K} \mathbb{I}\{k = j\} t_k = t_j", r"\sum_{k=1}^{K} \mathbb{1}[k=j] = K"),
    (r"(t^* - t)^2 = t^* t^* - 2 t^* t + t^2", r"(t^* - t)^2 = 0"),
    (r"\sigma'(z) = \sigma(z) (1 - \sigma(z))", r"\sigma'(z) = \sigma(z)^2"),
    (r"\tanh'(x) = 1 - (\tanh x)^{2}", r"\tanh'(x) = 1 + (\tanh x)^{2}"),
    (r"f'(x) = 3 x^2 + 2", r"f'(x) = 3 x^2"),
    (r"\frac{d}{dx} f(x) = f'(x)", r"\frac{d}{dx} f'(x) = f'(x)"),
    (r"f''(x) = 6 x", r"f''(x) = 6"),
    (r"h_\theta(x) = \theta x^2", r"h_\theta(x) = x^2"),
    (r"\mathcal{L} - {\cal L} = 0", r"\mathcal{L} - \mathscr{L} = 0"),
    (r"\ell^2 - l^2 = (\ell - l)(\ell + l)", r"\ell - l = 0"),
    (r"u^\intercal v = v^\mathsf{T} u", r"u^\intercal v = u^{\mathsf{T}} u"),
    (r"(u \circ v)_j = u_j v_j", r"(u \circ v)_j = u_j"),
]


def test_decorated_steps_hold_and_wrong_ones_are_refuted(tmp_path: Path) -> None:
    """Each right step written with the notation holds; each wrong one is refuted."""
    body = "".join(f"$${right}$$\n\n$${wrong}$$\n\n" for right, wrong in STEPS)
    path = tmp_path / "notation.md"
    path.write_text(FRONT + body, encoding="utf-8")
    report = api.check(api.load(str(path)))
    found = [(s.step.right.line, s.status, s.message) for s in report.steps]
    wanted = [status for _ in STEPS for status in ("proved", "refuted")]
    assert [status for _, status, _ in found] == wanted, found


def test_parameter_subscript_needs_the_function() -> None:
    r"""``h_\theta`` is a name only where ``h_\theta(x)`` is defined; else θ is an index."""
    with pytest.raises(DeriveError, match=r"undefined index `\\theta`"):
        ex(r"h_\theta(x)")
