"""Adversaries' finds in the constructs of issue 18, each kept as a regression."""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.defaults import run_seed, set_run_seed
from derive.errors import DeriveError
from derive.model import Document
from derive.proving.arithmetic import TIES, Real
from derive.proving.evaluate import Evaluator
from derive.proving.modular import arithmetic
from tests.test_piecewise import verdicts as checked  # one document writer for both

# --- index arithmetic, products, matrices (adversary 18b) ---------------------------


def load(tmp_path: Path, text: str) -> Document:
    """Load ``text`` as a document."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return api.load(str(path))


def verdicts(tmp_path: Path, text: str) -> dict[str, tuple[str, str]]:
    """Each claim's status and message."""
    report = api.check(load(tmp_path, text))
    return {r.claim.name: (r.verdict.status, r.verdict.message) for r in report.results}


PADDED_DEFINITION = r"""+++
name = "padded-definition"

[sizes]
N = "n"

[indices]
i = "N"

[shapes]
x = "N"
y = "N"

[padding]
x = "zero"
y = "zero"

[definitions]
"y_i" = 'x_i + 1'

[[claims]]
name = "past-the-end"
statement = 'y_{i+1} = x_{i+1} + 1'
+++
"""


def test_a_defined_name_cannot_be_padded(tmp_path: Path) -> None:
    """``y_{N+1}`` is 0 when ``y`` is padded, but 1 by its definition: refused.

    It was "proved for all N": the prover substituted the definition past the end.
    """
    with pytest.raises(DeriveError, match="`y` is defined, so it cannot be zero-padded"):
        load(tmp_path, PADDED_DEFINITION)
    inputs_only = PADDED_DEFINITION.replace('y = "zero"\n', "").replace(
        "y_{i+1} = x_{i+1} + 1", r"\sum_{i=1}^{N} x_{i+1} = \sum_{i=1}^{N} x_i"
    )
    assert verdicts(tmp_path, inputs_only)["past-the-end"][0] == "refuted"


PRODUCTS = r"""+++
name = "products"

[sizes]
K = "k"

[indices]
k = "K"

[[claims]]
name = "claim"
statement = '{}'
+++
"""


@pytest.mark.parametrize(
    "statement",
    [
        r"\prod_{k=1}^{K} a_k \prod_{k=1}^{K} b_k = \prod_{k=1}^{K} a_k b_k",
        r"\prod_{k=1}^{K} a_k \cdot c = c \prod_{k=1}^{K} a_k",
    ],
)
def test_a_factor_free_of_the_index_after_a_product_is_refused(
    tmp_path: Path, statement: str
) -> None:
    r"""``\prod_k a_k \prod_k b_k`` was read nested, ``Π_k (a_k Π_k b_k)``, and refuted."""
    with pytest.raises(DeriveError, match=r"does not depend on `k`.*\\left\(\\prod_k"):
        load(tmp_path, PRODUCTS.format(statement))


@pytest.mark.parametrize(
    ("statement", "status"),
    [
        (
            r"\left(\prod_{k=1}^{K} a_k\right) \prod_{k=1}^{K} b_k = \prod_{k=1}^{K} a_k b_k",
            "holds",
        ),
        (r"\prod_{k=1}^{K} \frac{x}{k} = x^K \prod_{k=1}^{K} \frac{1}{k}", "holds"),
        (r"\prod_{k=1}^{K} 2 a_k = 2^K \prod_{k=1}^{K} a_k", "holds"),
        (r"\prod_{k=1}^{K} 2 a_k = 2 \prod_{k=1}^{K} a_k", "refuted"),
    ],
)
def test_products_that_stay_readable(tmp_path: Path, statement: str, status: str) -> None:
    """Parentheses, one fraction, a number in front: read as before, and checked."""
    found, message = verdicts(tmp_path, PRODUCTS.format(statement))["claim"]
    wanted = ("proved", "verified") if status == "holds" else (status,)
    assert found in wanted, message


JACOBIAN = r"""+++
name = "jacobian"

[sizes]
D = "d"

[indices]
j = "D"
k = "D"

[shapes]
A = "D x D"
x = "D"

[[claims]]
name = "numerator"
statement = '\frac{\partial (A x)}{\partial x} = A'

[[claims]]
name = "denominator"
statement = '\frac{\partial (A x)}{\partial x} = A^\top'
+++
"""


def test_a_jacobians_layout_is_noted(tmp_path: Path) -> None:
    """``∂(Ax)/∂x`` is ``A`` in numerator layout, ``Aᵀ`` in denominator: the note says which.

    The ``Aᵀ`` of denominator layout was refuted with no word on the layout read.
    """
    found = verdicts(tmp_path, JACOBIAN)
    assert found["numerator"][0] == "proved", found
    assert found["denominator"][0] == "refuted", found
    for _, message in found.values():
        assert "Jacobian (numerator layout" in message, message


# ---- piecewise functions: max, min, |x|, indicators, cases, max_k, kinks ----

x, y = sp.Symbol("x", real=True), sp.Symbol("y", real=True)


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


# --- notes without front matter (adversary 18c) -------------------------------------


def note_steps(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    """Check notes with no front matter: each step's status and message, in order."""
    report = api.check(load(tmp_path, text))
    return [(s.status, s.message) for s in report.steps]


CONV_NOTES = r"""# A convolution

$$y_i = \sum_{k=1}^{K} w_k x_{i+k-1}$$

$$L = \sum_i y_i$$

$$\frac{\partial L}{\partial w_1} = \sum_{k=1}^{K} x_k$$

$$\frac{\partial L}{\partial w_k} = \sum_i x_{i+k-1}$$
"""


def test_a_shifted_subscript_does_not_tie_its_letters_to_the_names_axis(
    tmp_path: Path,
) -> None:
    r"""``x_{i+k-1}`` next to ``x_k`` does not put ``i`` over ``k``'s range ``K``.

    The output index of a convolution ranges over its own size; read over ``K`` (because
    ``x_k`` and ``x_{i+k-1}`` were taken as one axis of ``x``), ``∂L/∂w_1 = Σ_k x_k``
    was proved, though it holds only when the output has as many entries as the filter.
    """
    found = note_steps(tmp_path, CONV_NOTES)
    assert [s for s, _ in found[:2]] == ["proved", "proved"], found
    assert found[2][0] == "refuted", found
    assert found[3][0] in ("proved", "verified"), found
    indices = api.load(str(tmp_path / "doc.md")).inferred["indices"]
    assert indices["i"] != indices["k"], indices


MAX_NOTES = r"""# Max pooling

$$m = \max_k z_k$$

$$\frac{\partial m}{\partial z_j} = 1\{z_j = m\}$$

$$\frac{\partial m}{\partial z_j} = 1\{z_j > m\}$$

$$M = \max_{1 \le k \le K} z_k$$

$$\frac{\partial M}{\partial z_j} = 1\{z_j = M\}$$
"""


def test_a_max_over_an_index_defines_a_name_in_notes(tmp_path: Path) -> None:
    r"""``m = \max_k z_k`` binds ``k`` (it was refused: "the index `k` free")."""
    found = note_steps(tmp_path, MAX_NOTES)
    statuses = [s for s, _ in found]
    assert statuses[0] == "proved", found
    assert statuses[1] in ("proved", "verified"), found
    assert "tie" in found[1][1], found
    assert statuses[2] == "refuted", found
    assert statuses[4] in ("proved", "verified"), found


SIGN_NOTES = r"""The sign function is

$$\operatorname{sign}(x) = 1\{x > 0\}$$

so

$$\frac{d}{dx}|x| = \operatorname{sign}(x)$$
"""


def test_a_row_about_the_sign_function_is_a_step_not_a_definition(tmp_path: Path) -> None:
    r"""``\operatorname{sign}(x) = 1\{x > 0\}`` states what derive's sign is: a false step.

    Taken as a definition, it was shown holding, and the true ``d|x|/dx = sign(x)``
    below it was refuted at ``x = -2``.
    """
    (claimed, derivative) = note_steps(tmp_path, SIGN_NOTES)
    assert claimed[0] == "refuted", claimed
    assert derivative[0] in ("proved", "verified"), derivative


# --- found by the generative soundness test at 5,000 claims --------------------------


def test_a_branch_random_points_miss_is_never_verified(tmp_path: Path) -> None:
    r"""``\frac{d}{dx}\max(x, -2) = [x > -3]`` fails on ``-3 < x < -2`` only.

    Random points (and −1, 0, 1) miss that interval; it was "verified". A branch whose
    equality fails as an expression, with no counterexample found, is undecided.
    """
    found = checked(
        tmp_path,
        {
            "slip": r"\frac{d}{dx} \left(\max(x, -2)\right) = \mathbb{1}[x + 3 > 0]",
            "true": r"\frac{d}{dx} \left(\max(x, -2)\right) = \mathbb{1}[x + 2 > 0]",
        },
    )
    assert found["slip"].status in ("refuted", "undecided"), found["slip"].message
    assert found["true"].status == "proved", found["true"].message


def test_numerically_nonzero_spares_cancel_a_root() -> None:
    """A residual under a square root is shown nonzero numerically (cancel took minutes)."""
    from derive.proving.nonzero import numerically_nonzero

    a, b = sp.symbols("a b", positive=True)
    assert numerically_nonzero(sp.sqrt(a - b) * 2 - sp.sqrt(a - b))
    assert not numerically_nonzero((sp.sqrt(a) + 1) * (sp.sqrt(a) - 1) - a + 1)
