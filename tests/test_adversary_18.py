"""Adversarial regressions for issue 18's constructs."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.defaults import run_seed, set_run_seed
from derive.proving.arithmetic import TIES, Real
from derive.proving.evaluate import Evaluator
from derive.proving.modular import arithmetic
from derive.verdict import Verdict

# ---- piecewise functions: max, min, |x|, indicators, cases, max_k, kinks ----

x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


def checked(tmp_path: Path, claims: dict[str, str], front: str = "") -> dict[str, Verdict]:
    """Check a document of ``claims`` (name: statement) and return each verdict by name."""
    body = "".join(
        f"[[claims]]\nname = \"{name}\"\nstatement = '''{text}'''\n"
        for name, text in claims.items()
    )
    path = tmp_path / "doc.md"
    path.write_text(f'+++\nname = "doc"\n{front}\n{body}+++\n', encoding="utf-8")
    report = api.check(api.load(str(path)))
    return {r.claim.name: r.verdict for r in report.results}


def test_a_tie_is_not_put_inside_a_derivative(tmp_path: Path) -> None:
    """The case x = y is not substituted into ∂/∂x (x y |x|): the claim fails there.

    At x = y = 2: (0 − 1)·(2·2·2 − 3·2·2) = 4, not 0; it was "proved except where x = 0".
    """
    claim = (
        r"(1\{x > y\} - 1\{x \geq y\}) "
        r"\left(\frac{\partial}{\partial x} (x y |x|) - 3 x |x|\right) = 0"
    )
    found = checked(tmp_path, {"tie": claim})["tie"]
    assert found.status == "refuted", found.message
    example = found.counterexample
    assert example is not None
    values = dict(part.split("=") for part in example.describe().split(": ")[0].split(", "))
    assert "x" in values and values.get("x") == values.get("y")


def test_a_condition_on_another_input_is_no_kink(tmp_path: Path) -> None:
    r"""``∂/∂x (x·[y > 0])`` exists at y = 0 (it is 0): ``[y ≥ 0]`` there is refuted."""
    found = checked(
        tmp_path,
        {
            "step": r"\frac{d}{dx} (x 1\{y > 0\}) = 1\{y \ge 0\}",
            "sign": r"\frac{\partial}{\partial x} (x \, \operatorname{sign}(y)) "
            r"= 1\{y \ge 0\} - 1\{y < 0\}",
            "fine": r"\frac{\partial}{\partial x} (x \, \operatorname{sign}(y)) "
            r"= 1\{y > 0\} - 1\{y < 0\}",
        },
    )
    for name in ("step", "sign"):
        assert found[name].status == "refuted", (name, found[name].message)
        example = found[name].counterexample
        assert example is not None and "y=0" in example.describe()
    assert found["fine"].status == "proved", found["fine"].message
    claim = sp.Derivative(x * sp.Piecewise((1, y > 0), (0, True)), x)
    assert Evaluator(Real({("x",): 1, ("y",): 0}), {}).value(claim) == 0


def test_kinked_claims_take_points_on_their_boundaries() -> None:
    """A piecewise claim's real points include inputs −1, 0, 1 (ties and zeros)."""

    def kinds(kinked: bool) -> set[str]:
        drawn = [arithmetic(None, 3, 0, point, kinked=kinked) for point in range(12)]
        return {a.mode for a in drawn if isinstance(a, Real)}

    assert TIES in kinds(True) and TIES not in kinds(False)
    ties = Real({}, seed=5, mode=TIES)
    assert {int(ties.leaf((f"z{n}",))) for n in range(40)} == {-1, 0, 1}


@pytest.mark.parametrize("seed", [1, 2, 3, 4, 5])
def test_an_indicator_edge_inside_a_sum_is_found(tmp_path: Path, seed: int) -> None:
    r"""``Σ_k w_k [z_k > 0]`` by ``w_j`` is ``[z_j > 0]``; ``[z_j ≥ 0]`` fails at z_j = 0."""
    front = '[sizes]\nK = "n"\n[indices]\nk = "K"\nj = "K"\n[shapes]\nz = "K"\nw = "K"\n'
    claim = r"\frac{\partial}{\partial w_j} \sum_k w_k 1\{z_k > 0\} = 1\{z_j \ge 0\}"
    before = run_seed()
    set_run_seed(seed)
    try:
        found = checked(tmp_path, {"edge": claim}, front)["edge"]
    finally:
        set_run_seed(before)
    assert found.status == "refuted", found.message
