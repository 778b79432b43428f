r"""Piecewise functions: ``\max``, ``\min``, ``|x|``, indicators and ``cases`` on orders."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import mpmath
import pytest
import sympy as sp

from derive import __version__, api
from derive.cli import main
from derive.errors import DeriveError, LatexError
from derive.evaluating import branches
from derive.evaluating.jets import Undefined as NoValue
from derive.evaluating.jets import infinitesimal
from derive.presenting import words
from derive.presenting.report import render
from derive.printing.notation import latex
from derive.proving.arithmetic import Real, Undefined
from derive.proving.evaluate import Evaluator
from derive.reading.latex import Scope, parse_expression
from derive.symbols import IndexMax, IndexMin
from derive.verdict import Verdict

SCOPE = Scope({"k": "K", "j": "K"}, frozenset({"K"}))
x, y, a = (sp.Symbol(n, real=True) for n in ("x", "y", "a"))


def ex(text: str) -> sp.Expr:
    """Read ``text`` with the test scope."""
    return parse_expression(text, SCOPE)


def step(condition: sp.Basic) -> sp.Expr:
    """1 where ``condition`` holds, else 0."""
    return sp.Piecewise((1, condition), (0, True))


def verdicts(tmp_path: Path, claims: dict[str, str], front: str = "") -> dict[str, Verdict]:
    """Check a document of ``claims`` (name: statement) and return each verdict by name."""
    body = "".join(
        f"[[claims]]\nname = \"{name}\"\nstatement = '''{text}'''\n"
        for name, text in claims.items()
    )
    path = tmp_path / "doc.md"
    path.write_text(f'+++\nname = "doc"\n{front}\n{body}+++\n', encoding="utf-8")
    report = api.check(api.load(str(path)))
    return {r.claim.name: r.verdict for r in report.results}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\max(x, 0)", sp.Max(x, 0)),
        (r"\min\{x, y, a\}", sp.Min(x, y, a)),
        (r"|x - y|", sp.Abs(x - y)),
        (r"\left| x \right| + \lvert y \rvert", sp.Abs(x) + sp.Abs(y)),
        (r"2|x| - |y|", 2 * sp.Abs(x) - sp.Abs(y)),
        (r"1\{x > 0\}", step(x > 0)),
        (r"\mathbb{1}[x \geq y]", step(x >= y)),
        (r"\mathbb{1}_{x < 0}", step(x < 0)),
        (r"\mathbf{1}\{x \le a\}", step(x <= a)),
        (
            r"\begin{cases} x & x > 0 \\ a x & \text{otherwise} \end{cases}",
            sp.Piecewise((x, x > 0), (a * x, True)),
        ),
        (r"\begin{cases} x & \text{if } x \ge 0 \\ -x & \text{if } x < 0 \end{cases}", sp.Abs(x)),
        (r"\begin{cases} 1 & k = j \\ 0 & \text{otherwise} \end{cases}", None),
    ],
)
def test_each_notation_is_read(text: str, expected: sp.Expr | None) -> None:
    """Each notation reads as the SymPy value it means (cases on indices stay deltas)."""
    read = ex(text)
    if expected is None:
        assert read == sp.KroneckerDelta(
            sp.Symbol("j", integer=True), sp.Symbol("k", integer=True)
        ) or read.has(sp.KroneckerDelta)
        return
    for point in (-3, -sp.Rational(1, 2), 0, 2):
        at = {x: point, y: 1 - point, a: sp.Rational(1, 3)}
        assert sp.simplify(read.subs(at) - expected.subs(at)) == 0, (text, point)


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (
            r"\begin{cases} x & x > 0 \\ 0 & x < 0 \end{cases}",
            "no condition holds where x is in {0}",
        ),
        (r"\begin{cases} 1 & x \ge 0 \\ 0 & x \le 0 \end{cases}", "two rows hold"),
        (
            r"\begin{cases} x & x > 0 \\ y & y > 0 \\ 0 & \text{else} \end{cases}",
            "different quantities",
        ),
        (r"|a|b|x|", r"\lvert"),
        (r"|a |b| x|", r"\lvert"),
        (r"|x + 1", "not closed"),
        (r"1\{j < k\}", "compares indices"),
    ],
)
def test_refusals_say_what_to_write(text: str, said: str) -> None:
    """Non-covering or overlapping cases, ambiguous bars and index orders are refused."""
    with pytest.raises(LatexError) as caught:
        ex(text)
    assert said in str(caught.value)


def test_activations_and_their_slips(tmp_path: Path) -> None:
    """ReLU, LeakyReLU and ELU derivatives are proved away from the kink; a slip is refuted."""
    leaky = r"\begin{cases} x & x > 0 \\ \alpha x & \text{otherwise} \end{cases}"
    slopes = r"\begin{{cases}} 1 & x > 0 \\ {low} & x \le 0 \end{{cases}}"
    found = verdicts(
        tmp_path,
        {
            "relu": r"\frac{d}{dx} \max(0, x) = 1\{x > 0\}",
            "relu-ge": r"\frac{d}{dx} \max(0, x) = \mathbb{1}[x \geq 0]",
            "leaky": r"\frac{d}{dx} " + leaky + " = " + slopes.format(low=r"\alpha"),
            "leaky-slip": r"\frac{d}{dx} " + leaky + " = " + slopes.format(low="0"),
            "elu": r"\frac{d}{dx} \begin{cases} x & x > 0 \\ \alpha (e^{x} - 1) & \text{otherwise} "
            r"\end{cases} = \begin{cases} 1 & x > 0 \\ \alpha e^{x} & \text{otherwise} \end{cases}",
        },
    )
    for name in ("relu", "relu-ge", "leaky", "elu"):
        assert found[name].status == "proved", (name, found[name].message)
        assert "except where x = 0" in found[name].side_conditions
    slip = found["leaky-slip"]
    assert slip.status == "refuted"
    assert slip.residual_case == "on the branch x < 0"
    example = slip.counterexample
    assert example is not None and example.values
    assert "x=-" in example.describe()  # the counterexample lies on the negative branch


def test_huber_and_its_slip(tmp_path: Path) -> None:
    """Huber's derivative (``δ·x/|x|`` outside) is proved; writing ``δ`` there is refuted."""
    huber = (
        r"\frac{d}{dx} \begin{cases} \frac{1}{2} x^2 & |x| \le \delta \\ "
        r"\delta (|x| - \frac{1}{2} \delta) & \text{otherwise} \end{cases}"
    )
    outside = r" = \begin{{cases}} x & |x| \le \delta \\ {value} & \text{{otherwise}} \end{{cases}}"
    found = verdicts(
        tmp_path,
        {
            "huber": huber + outside.format(value=r"\delta \frac{x}{|x|}"),
            "slip": huber + outside.format(value=r"\delta"),
        },
    )
    assert found["huber"].status == "proved", found["huber"].message
    assert found["slip"].status == "refuted"
    assert found["slip"].residual_case.startswith("on the branch")


def test_stable_bce_hinge_and_values(tmp_path: Path) -> None:
    """The stable BCE-with-logits is proved (its slip refuted); hinge and value identities."""
    cross = r"-t \ln \sigma(x) - (1 - t) \ln(1 - \sigma(x))"
    found = verdicts(
        tmp_path,
        {
            "bce": rf"\max(x, 0) - x t + \ln(1 + e^{{-|x|}}) = {cross}",
            "bce-slip": rf"\max(x, 0) - x t + \ln(1 + e^{{-x}}) = {cross}",
            "hinge": r"\frac{\partial}{\partial u} \max(0, 1 - v u) = -v \, 1\{v u < 1\}",
            "maxmin": r"\max(x, 0) + \min(x, 0) = x",
            "abs": r"|x| = \max(x, -x)",
            "edge": r"1\{x > 0\} = 1\{x \geq 0\}",
        },
    )
    for name in ("bce", "hinge", "maxmin", "abs"):
        assert found[name].status == "proved", (name, found[name].message)
    assert found["bce-slip"].status == "refuted"
    edge = found["edge"]  # a value claim false only on x = 0: refuted there, not proved
    assert edge.status == "refuted"
    assert edge.counterexample is not None and "x=0" in edge.counterexample.describe()


def test_multiclass_svm_in_index_form(tmp_path: Path) -> None:
    """The multiclass SVM gradient: conditions on a summed index are checked at sizes."""
    loss = r"\sum_{j \neq y} \max(0, s_j - s_y + 1)"
    active = r"\sum_{j \neq y} 1\{s_j - s_y + 1 > 0\}"
    front = '[sizes]\nK = "classes"\n[indices]\nj = "K"\nk = "K"\ny = "K"\n'
    found = verdicts(
        tmp_path,
        {
            "other": rf"\frac{{\partial}}{{\partial s_y}} {loss} = -{active}",
            "slip": rf"\frac{{\partial}}{{\partial s_y}} {loss} = {active}",
        },
        front,
    )
    assert found["other"].status in ("proved", "verified"), found["other"].message
    assert found["slip"].status == "refuted"


def test_a_kink_never_refutes(tmp_path: Path) -> None:
    """At x = 0 a derivative of a kinked function has no value, in both evaluators."""
    claim = r"\frac{d}{dx} |x| = \begin{cases} 1 & x \geq 0 \\ -1 & \text{otherwise} \end{cases}"
    found = verdicts(tmp_path, {"abs": claim, "other": claim.replace(r"x \geq 0", "x > 0")})
    assert found["abs"].status == "proved" and found["other"].status == "proved"
    derivative = sp.Derivative(sp.Max(0, x), x)
    at_kink = Evaluator(Real({("x",): 0}), {})
    with pytest.raises(Undefined):
        at_kink.value(derivative)
    assert Evaluator(Real({("x",): 1}), {}).value(derivative) == 1
    assert Evaluator(Real({("x",): 0}), {}).value(sp.Max(0, x)) == 0  # a value is fine


class Leaves:
    """A stand-in for the second opinion's interpreter: leaves' values from ``env``."""

    zero, one = mpmath.mpf(0), mpmath.mpf(1)

    def value(self, node: sp.Basic, env: dict[sp.Basic, object]) -> object:
        """An input's value (a jet under a derivative), or a number."""
        return env[node] if node in env else mpmath.mpf(int(node))


def test_second_opinion_kink_is_undefined() -> None:
    """The independent evaluator leaves a derivative at a kink undefined, not a value."""
    it: Any = Leaves()
    moving = infinitesimal(0, mpmath.mpf(0), mpmath.mpf(1))  # x = 0 under d/dx
    with pytest.raises(NoValue):
        branches.extreme(it, sp.Max(0, x), {x: moving})
    with pytest.raises(NoValue):
        branches.piecewise(it, step(x > 0), {x: moving})
    assert branches.extreme(it, sp.Max(0, x), {x: mpmath.mpf(0)}) == 0  # a value is fine
    assert branches.piecewise(it, step(x >= 0), {x: mpmath.mpf(0)}) == 1
    assert branches.piecewise(it, step(x > 0), {x: mpmath.mpf(0)}) == 0


def test_relu_is_read_only_when_defined(tmp_path: Path) -> None:
    r"""``\text{ReLU}`` is an unknown name unless the document defines it."""
    claim = {"relu": r"\frac{d}{dx} \text{ReLU}(x) = 1\{x > 0\}"}
    with pytest.raises(DeriveError, match="unknown name"):
        verdicts(tmp_path, claim)
    defined = "[definitions]\n'\\text{ReLU}(u)' = '\\max(0, u)'\n"
    assert verdicts(tmp_path, claim, defined)["relu"].status == "proved"


def test_a_step_away_from_a_kink_says_so(tmp_path: Path) -> None:
    """A step proved except at a kink shows it: terminal line, ``--json`` and report."""
    path = tmp_path / "relu.md"
    path.write_text(
        '+++\nname = "relu"\n+++\n\n$$\n\\frac{d}{dx} \\max(0, x) = 1\\{x > 0\\}\n$$\n\n'
        "$$\n\\max(x, 0) + \\min(x, 0) = x\n$$\n",
        encoding="utf-8",
    )
    out = io.StringIO()
    assert main(["check", str(path), "--no-cache"], stdout=out) == 0
    lines = [line for line in out.getvalue().splitlines() if "✓" in line]
    assert lines[0].endswith("(holds except where x = 0)")
    assert "except where" not in lines[1]  # no kink under a derivative: nothing to say
    out = io.StringIO()
    main(["check", str(path), "--no-cache", "--json"], stdout=out)
    kinked, plain = json.loads(out.getvalue())["documents"][0]["steps"]
    assert "except where x = 0" in kinked["side_conditions"]
    assert not words.kinks_left_out(plain["side_conditions"])
    rendered = render([api.check(api.load(str(path)))], "2026-01-01", __version__)
    assert "(holds except where x = 0)" in rendered


MAXPOOL = r"""+++
name = "maxpool"
[sizes]
K = "classes"
[indices]
k = "K"
j = "K"
+++

$$\frac{\partial}{\partial z_j} \max_k z_k = 1\{z_j = \max_k z_k\}$$

$$\frac{\partial}{\partial z_j} \max_k z_k = 1\{z_j > 0\}$$

$$\ln\sum_k e^{z_k} = \max_k z_k + \ln\sum_k e^{z_k - \max_k z_k}$$

$$\ln\sum_k e^{z_k} = \max_k z_k + \ln\sum_k e^{z_k}$$

$$\min_{1 \le k \le K} z_k = -\max_{k} (-z_k)$$
"""


def body_steps(tmp_path: Path, text: str) -> list[Any]:
    """The checked steps of a document's body."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return list(api.check(api.load(str(path))).steps)


@pytest.mark.parametrize(
    ("text", "kind", "low", "high"),
    [
        (r"\max_k z_k", IndexMax, 1, "K"),
        (r"\max_{k} z_k", IndexMax, 1, "K"),
        (r"\max_{1 \le k \le K} z_k", IndexMax, 1, "K"),
        (r"\min_{0 \leq k < K} z_k", IndexMin, 0, "K - 1"),
        (r"\min_k z_k", IndexMin, 1, "K"),
    ],
)
def test_max_over_an_index_is_read(text: str, kind: Any, low: int, high: str) -> None:
    r"""``\max_k`` and ``\min_k`` with their ranges read as one node over the index."""
    read: Any = ex(text)
    assert isinstance(read, kind)
    k = sp.Symbol("k", integer=True, positive=True)
    size = sp.Symbol("K", integer=True, positive=True)
    assert read.limits[0] == (k, low, sp.sympify(high, locals={"K": size}))
    z = read.function.base
    assert read.xreplace({size: 3}).doit() == (sp.Max if kind is IndexMax else sp.Min)(
        *[z[n] for n in range(low, 4 if high == "K" else 3)]
    )


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (r"\max_k z_k w", r"write `\max_k (z_k w)`"),
        (r"\max_{k \neq j} z_k", "its whole range"),
        (r"\max_{1 \ge k \le K} z_k", r"`\le` or `<` on both sides"),
    ],
)
def test_max_over_an_index_refusals(text: str, said: str) -> None:
    """A body of several factors, an index left out, or a range read backwards, refused."""
    with pytest.raises(LatexError) as caught:
        ex(text)
    assert said in str(caught.value)


def test_max_pooling_and_stable_log_sum_exp(tmp_path: Path) -> None:
    """Max pooling's gradient holds away from ties; log-sum-exp's shift holds, its slip not."""
    pooled, slip, stable, lse_slip, mins = body_steps(tmp_path, MAXPOOL)
    assert pooled.status == "verified", pooled.reason
    assert "except where two entries tie" in verdict_of(pooled).side_conditions
    assert stable.status == "verified" and mins.status in ("proved", "verified")
    for wrong in (slip, lse_slip):
        assert wrong.status == "refuted"
        example = verdict_of(wrong).counterexample
        assert example is not None and example.values


def verdict_of(step: Any) -> Verdict:
    """A checked step's verdict."""
    assert step.verdict is not None
    return step.verdict


class Entries(Leaves):
    """:class:`Leaves` whose nodes may hold an index bound in ``env`` (``z_k`` at k = 2)."""

    def integer(self, node: sp.Basic, env: dict[sp.Basic, object]) -> int:
        """An index expression's value."""
        return int(node.xreplace(self.bound(env)))

    def value(self, node: sp.Basic, env: dict[sp.Basic, object]) -> object:
        """The value of ``node`` once its bound indices are put in."""
        return super().value(node.xreplace(self.bound(env)), env)

    @staticmethod
    def bound(env: dict[sp.Basic, object]) -> dict[sp.Basic, sp.Basic]:
        """The integers ``env`` binds."""
        return {s: sp.Integer(v) for s, v in env.items() if isinstance(v, int)}


@pytest.mark.parametrize("evaluator", ["concrete", "second"])
def test_a_tie_is_a_kink_for_both_evaluators(evaluator: str) -> None:
    """Under a derivative a tie for the largest entry has no value; a lower tie is fine."""
    k = sp.Symbol("k", integer=True, positive=True)
    z = sp.IndexedBase("z")
    node = IndexMax(z[k], (k, 1, 3))
    tied, apart = (1, 2, 2), (2, 1, 1)
    if evaluator == "concrete":

        def at(values: tuple[int, ...], seed: bool) -> object:
            point = Real({("z", (n + 1,)): v for n, v in enumerate(values)})
            ev = Evaluator(point, {})
            return ev.dual(node)[0] if not seed else ev.value(sp.Derivative(node, z[2]))

        with pytest.raises(Undefined):
            at(tied, True)
        assert at(apart, True) == 0 and at(tied, False) == 2
        return
    it: Any = Entries()
    moving = [infinitesimal(0, mpmath.mpf(v), mpmath.mpf(n == 1)) for n, v in enumerate(tied)]
    with pytest.raises(NoValue):
        branches.over_index(it, node, {**{z[n + 1]: m for n, m in enumerate(moving)}})
    still = {z[n + 1]: mpmath.mpf(v) for n, v in enumerate(apart)}
    assert branches.over_index(it, node, still) == 2


L1 = r"""+++
name = "l1"
[sizes]
D = "features"
[indices]
j = "D"
k = "D"
[shapes]
x = "D"
+++

$$\|x\|_1 = \sum_{k=1}^{D} |x_k|$$

$$\frac{\partial}{\partial x_j} \|x\|_1 = 2 \cdot 1\{x_j > 0\} - 1$$

$$\frac{\partial}{\partial x_j} \|x\|_1 = \operatorname{sgn}(x_j)$$

$$\frac{\partial}{\partial x_j} \|x\|_1 = 1\{x_j > 0\}$$

$$\operatorname{sign}(x_j) |x_j| = x_j$$
"""


def test_l1_norm_and_its_gradient(tmp_path: Path) -> None:
    r"""``\|x\|_1`` is the sum of ``|x_k|``; its gradient is the sign away from zeros."""
    norm, grad, signed, slip, identity = body_steps(tmp_path, L1)
    assert norm.status in ("proved", "verified"), norm.reason
    for held in (grad, signed):
        assert held.status in ("proved", "verified"), held.reason
        assert words.kinks_left_out(verdict_of(held).side_conditions)
    assert slip.status == "refuted"
    assert identity.status in ("proved", "verified"), identity.reason
    assert ex(r"\operatorname{sgn}(x)").subs(x, -2) == -1
    assert ex(r"\operatorname{sign}(x)").subs(x, 0) == 0


@pytest.mark.parametrize(
    "text",
    [
        r"1\{x > 0\}",
        r"\begin{cases} x & x > 0 \\ a x & \text{otherwise} \end{cases}",
        r"\max(x, 0) - |y| + \min(a, x)",
        r"\max_k z_k + \min_{k} (z_k - x)",
    ],
)
def test_report_prints_derives_own_notation(text: str) -> None:
    """The report's LaTeX for a piecewise value reads back as the same value."""
    read = ex(text)
    printed = latex(read)
    assert "for" not in printed and "Piecewise" not in printed and "IndexMax" not in printed
    assert ex(printed) == read, printed


def test_a_named_branch_holds_at_the_counterexample(tmp_path: Path) -> None:
    r"""The branch a refutation names is the one its point lies on, or none is named.

    ``\sqrt{(E t_2)^2} = E t_2`` fails first on the branch ``E > 0`` (where
    ``\sqrt{t_2^2} \neq t_2`` for a negative ``t_2``), but the random point that refutes
    it has ``E < 0``: the residual of ``E > 0`` beside it said what was not so there.
    """
    found = verdicts(
        tmp_path,
        {"square": r"\sqrt{(E t_2)^2} = E t_2", "abs": r"|x| = x"},
        front='[sizes]\nK = "classes"\n[indices]\nk = "K"\n',
    )
    for verdict in found.values():
        assert verdict.status == "refuted"
        example = verdict.counterexample
        assert example is not None
        case = verdict.residual_case
        for name, value in example.values.items():
            number = sp.Rational(value)
            if f"{name} > 0" in case:
                assert number > 0, (case, example.describe())
            if f"{name} < 0" in case:
                assert number < 0, (case, example.describe())
    assert "on the branch x < 0" in found["abs"].residual_case
