r"""Second and higher derivatives: ``\frac{\partial^2 E}{\partial z_i \partial z_j}``.

Each notation is read as nested first derivatives; the prover, its concrete evaluator and
the independent one decide them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.checking.results import Report
from derive.errors import LatexError
from derive.evaluating.opinion import second_opinion
from derive.proving.arithmetic import ModP, NotSupported, P, Real
from derive.proving.evaluate import Evaluator
from derive.reading.latex import Scope, parse_expression

SCOPE = Scope(
    indices={"i": "K", "j": "K", "k": "K"},
    sizes=frozenset({"K"}),
    names=frozenset({"E"}),
    functions={"f": 1},
)


def ex(text: str) -> sp.Expr:
    """Read ``text`` in the test scope."""
    return parse_expression(text, SCOPE)


# Each new notation, and the same derivative written as nested first derivatives.
SAME = [
    (r"\frac{d^2 y}{d x^2}", r"\frac{d}{dx} \frac{d y}{d x}"),
    (r"\frac{d^2}{dx^2} (x^3 y)", r"\frac{d}{dx} \frac{d}{dx} (x^3 y)"),
    (r"\frac{\mathrm{d}^2 y}{\mathrm{d} x^2}", r"\frac{\mathrm{d}}{\mathrm{d} x} \frac{d y}{d x}"),
    (r"{d^2 y \over d x^2}", r"\frac{d}{dx} \frac{d y}{d x}"),
    (r"\frac{d^2 y}{dx\,dt}", r"\frac{d}{dx} \frac{d y}{d t}"),
    (
        r"\frac{\partial^2 E}{\partial z_i^2}",
        r"\frac{\partial}{\partial z_i} \frac{\partial E}{\partial z_i}",
    ),
    (
        r"\frac{\partial^2 E}{\partial z_i \partial z_j}",
        r"\frac{\partial}{\partial z_i} \frac{\partial E}{\partial z_j}",
    ),
    (
        r"\frac{\partial^{2}}{\partial x \partial y} E",
        r"\frac{\partial}{\partial x} \frac{\partial E}{\partial y}",
    ),
    (
        r"\frac{\partial^3 E}{\partial x^2 \partial y}",
        r"\frac{\partial}{\partial x} \frac{\partial}{\partial x} \frac{\partial E}{\partial y}",
    ),
    (
        r"{\partial^2 E \over \partial x \partial y}",
        r"\frac{\partial}{\partial x} \frac{\partial E}{\partial y}",
    ),
    (
        r"{\partial^2 \over \partial x^2} E",
        r"\frac{\partial}{\partial x} \frac{\partial E}{\partial x}",
    ),
]


@pytest.mark.parametrize(("written", "nested"), SAME)
def test_read_as_nested_first_derivatives(written: str, nested: str) -> None:
    """Each notation gives the nodes of the nested first derivatives, none evaluated."""
    value = ex(written)
    assert value == ex(nested)
    assert isinstance(value, sp.Derivative) and value.derivative_count >= 2


def test_order_of_the_variables() -> None:
    """The rightmost variable of the denominator is differentiated first."""
    x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)
    value = ex(r"\frac{\partial^2 E}{\partial x \partial y}")
    assert [v.name for v in value.variables] == ["y", "x"]
    assert {x.name, y.name} == {v.name for v in value.variables}


@pytest.mark.parametrize(
    ("quotient", "same"),
    [
        (r"\frac{d x}{2}", r"\frac{1}{2} d x"),
        (r"\frac{d^2}{4}", r"\frac{1}{4} d^2"),
        (r"\frac{d^2 x}{2 y}", r"\frac{d^2 x}{2} \cdot \frac{1}{y}"),
        (r"\frac{a d}{d b}", r"\frac{a}{b}"),
    ],
)
def test_a_d_that_is_no_differential_stays_a_variable(quotient: str, same: str) -> None:
    """Only ``d`` and a variable in the denominator make a derivative; else a quotient."""
    value = ex(quotient)
    assert not value.has(sp.Derivative)
    assert sp.simplify(value - ex(same)) == 0


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"\frac{\partial^2 E}{\partial x}", "the numerator says 2 derivatives, the denominator 1"),
        (r"\frac{\partial E}{\partial x^2}", "the numerator says 1 derivative, the denominator 2"),
        (r"\frac{\partial^2 E}{\partial x^2 \partial y}", "says 2 derivatives, the denominator 3"),
        (r"\frac{d^2 y}{d x}", "the numerator says 2 derivatives, the denominator 1"),
        (r"\frac{d^2}{dx\,dy\,dz} y", "the numerator says 2 derivatives, the denominator 3"),
        (r"\frac{d^2 y}{d^2 x}", r"write a derivative of order n as `\frac{d^n y}{d x^n}`"),
        (r"\frac{\partial^n E}{\partial x^n}", "the order of a derivative is a whole number"),
        (r"\frac{\partial^0 E}{\partial x^0}", "the order of a derivative is a whole number"),
        (r"\frac{d^{1/2} y}{d x^{1/2}}", "the order of a derivative is a whole number"),
        (r"\nabla^2 E", r"the Laplacian `\nabla^2` is not read"),
    ],
)
def test_refusals(text: str, message: str) -> None:
    """Orders that do not add up, and orders that are not whole numbers, are refused."""
    with pytest.raises(LatexError) as info:
        ex(text)
    assert message in info.value.message


def test_a_hessian_by_a_whole_vector_is_refused() -> None:
    """A second derivative by a whole vector is a matrix: refused, naming the vector."""
    with pytest.raises(LatexError) as info:
        ex(r"\frac{\partial^2 E}{\partial \mathbf{z}^2}")
    assert r"the whole `\mathbf{z}` is a matrix (a Hessian)" in info.value.message
    assert ex(r"\frac{\partial E}{\partial \mathbf{z}}") is not None  # a gradient is read


def test_power_on_a_derivative_operator_is_refused() -> None:
    r"""``\frac{d^2}{dx^2}^2``: a power on the operator has no reading."""
    with pytest.raises(LatexError, match="power on a derivative operator"):
        ex(r"\frac{d^2}{dx^2}^2 y")


# --- the prover's concrete evaluator --------------------------------------------------


def _real(values: dict[str, int]) -> Real:
    return Real({(name,): sp.Integer(v) for name, v in values.items()})


@pytest.mark.parametrize(
    "variables",
    [("x", "x"), ("x", "y"), ("y", "x", "x"), ("x", "y", "y", "x")],
)
def test_lifted_dual_numbers_give_higher_derivatives(variables: tuple[str, ...]) -> None:
    """Forward mode over lifted numbers agrees with SymPy's derivative, in reals and mod p."""
    x, y = sp.symbols("x y", real=True)
    body = sp.sin(x * y) * sp.exp(x) + sp.log(1 + x**2) * y**3 + 1 / (x + 2 * y)
    by = [x if v == "x" else y for v in variables]
    node = sp.Derivative(body, *by, evaluate=False)
    got = Evaluator(_real({"x": 2, "y": 3}), {}).value(node)
    expected = sp.diff(body, *by).subs({x: 2, y: 3})
    assert abs(float(got) - float(expected.evalf(30))) < 1e-20 * max(1, abs(float(expected)))
    polynomial = x**5 * y**2 + 3 * x * y**4
    exact = sp.diff(polynomial, *by)
    mod = ModP(seed=3)
    got_mod = Evaluator(mod, {}).value(sp.Derivative(polynomial, *by, evaluate=False))
    at = {x: mod.leaf(("x",)), y: mod.leaf(("y",))}
    assert got_mod == int(exact.subs(at)) % P


def test_a_derivative_inside_a_derivative_body_is_not_evaluated() -> None:
    """``∂/∂x (x ∂y/∂x)`` is no flat derivative: the evaluator says so, never guesses."""
    x, y = sp.symbols("x y", real=True)
    inner = sp.Derivative(y**2, y, evaluate=False)
    node = sp.Derivative(x * inner + x, x, evaluate=False)
    with pytest.raises(NotSupported):
        Evaluator(_real({"x": 2, "y": 3}), {}).value(node)


# --- documents --------------------------------------------------------------------------

HESSIAN = r"""+++
name = "ce-hessian"
title = "The Hessian of softmax with cross-entropy"

[sizes]
K = "classes"

[indices]
i = "K"
j = "K"
k = "K"

[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}'
"E" = '-\sum_{k=1}^{K} t_k \ln y_k'

[assumptions]
targets = '\sum_{k=1}^{K} t_k = 1'

[[claims]]
name = "general"
statement = '''\frac{\partial^2 E}{\partial z_i \partial z_j}
  = \left(\sum_k t_k\right) y_i (\delta_{ij} - y_j)'''

[[claims]]
name = "under-targets"
statement = '\frac{\partial^2 E}{\partial z_i \partial z_j} = y_i (\delta_{ij} - y_j)'
assume = ["targets"]

[[claims]]
name = "slip"
statement = '\frac{\partial^2 E}{\partial z_i \partial z_j} = y_i \delta_{ij} - y_j'
assume = ["targets"]
expect = "refuted"

[[claims]]
name = "diagonal"
statement = '\frac{\partial^2 E}{\partial z_j^2} = y_j (1 - y_j)'
assume = ["targets"]

[[claims]]
name = "diagonal-slip"
statement = '\frac{\partial^2 E}{\partial z_j^2} = y_j^2'
assume = ["targets"]
expect = "refuted"
+++

# The Hessian

$$\frac{\partial^2 E}{\partial z_i \partial z_j}
  = \frac{\partial}{\partial z_i} (y_j \sum_k t_k - t_j)
  = \left(\sum_k t_k\right) y_j (\delta_{ij} - y_i)$$
"""


def check(tmp_path: Path, text: str) -> Report:
    """Check a document written to ``tmp_path``."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return api.check(api.load(str(path)))


def test_cross_entropy_hessian(tmp_path: Path) -> None:
    """Proved for all K with and without the targets' sum; its slips refuted at a point."""
    report = check(tmp_path, HESSIAN)
    verdicts = {r.claim.name: r.verdict for r in report.results}
    for name in ("general", "under-targets", "diagonal"):
        assert verdicts[name].status == "proved", verdicts[name].message
        assert "all K" in verdicts[name].sizes
    for name in ("slip", "diagonal-slip"):
        assert verdicts[name].status == "refuted", verdicts[name].message
        found = verdicts[name].counterexample
        assert found is not None and found.sizes
    assert all(r.as_expected for r in report.results)
    assert [s.status for s in report.steps] == ["proved", "proved"]


def test_second_opinion_evaluates_the_hessian(tmp_path: Path) -> None:
    """The independent evaluator agrees with the identities and not with the slips."""
    path = tmp_path / "doc.md"
    path.write_text(HESSIAN, encoding="utf-8")
    doc = api.load(str(path))
    for claim in doc.claims:
        opinion = second_opinion(doc, claim, [{"K": 3}], seed=11)
        assert opinion.agrees is (claim.expect != "refuted"), (claim.name, opinion)


SCALARS = r"""+++
name = "second-derivatives"
title = "Second derivatives of scalars"

[definitions]
"f" = 'x^3 y^2 + \sin(x y)'
"g" = '\frac{1}{1 + e^{-x}}'
"q(s)" = 's^3 + 2 s'

[[claims]]
name = "mixed"
statement = '\frac{\partial^2 f}{\partial x \partial y} = 6 x^2 y + \cos(x y) - x y \sin(x y)'

[[claims]]
name = "either-order"
statement = '''\frac{\partial^2 f}{\partial x \partial y}
  = \frac{\partial^2 f}{\partial y \partial x}'''

[[claims]]
name = "third"
statement = '''\frac{\partial^3 f}{\partial x^2 \partial y}
  = 12 x y - 2 y \sin(x y) - x y^2 \cos(x y)'''

[[claims]]
name = "third-slip"
statement = '\frac{\partial^3 f}{\partial x^2 \partial y} = 12 x y - y \sin(x y) - x y^2 \cos(x y)'
expect = "refuted"

[[claims]]
name = "sigmoid"
statement = '\frac{d^2 g}{d x^2} = g \cdot (1 - g) (1 - 2 g)'

[[claims]]
name = "sigmoid-slip"
statement = '\frac{d^2 g}{d x^2} = g \cdot (1 - g)^2'
expect = "refuted"

[[claims]]
name = "operator"
statement = '\frac{d^2}{dx^2} \ln(1 + x^2) = \frac{2 (1 - x^2)}{(1 + x^2)^2}'

[[claims]]
name = "primes"
statement = "q''(x) = \\frac{d^2}{dx^2} q(x)"
+++

# Body

$$\frac{d^2}{dx^2} x^3 = 6 x$$

$$\frac{d^2}{dx^2} x^3 = 3 x^2$$
"""


def test_scalar_identities_and_slips(tmp_path: Path) -> None:
    """Mixed, third-order and operator forms proved; slips refuted; ``q''`` still read."""
    report = check(tmp_path, SCALARS)
    for result in report.results:
        expected = "refuted" if result.claim.expect == "refuted" else "proved"
        assert result.verdict.status == expected, (result.claim.name, result.verdict.message)
        if expected == "refuted":
            assert result.verdict.counterexample is not None


def test_second_derivative_in_a_step_is_no_longer_a_false_wrong(tmp_path: Path) -> None:
    r"""``\frac{d^2}{dx^2} x^3 = 6x`` was read as ``d·x`` and refuted; now it holds."""
    report = check(tmp_path, SCALARS)
    assert [s.status for s in report.steps] == ["proved", "refuted"]
    wrong = report.steps[1].verdict
    assert wrong is not None and wrong.counterexample is not None
    assert "∂²" in (report.steps[1].message or wrong.message)
