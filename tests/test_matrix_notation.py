r"""Matrices as in textbooks, read as meant, their identities proved and slips refuted.

The identity, entries of products, both gradient layouts, the trace, a scalar's
derivative by a matrix, norms, and the cross-entropy Hessian as a matrix; each read as
meant (with a note where it chose a reading), and what is not read refused with what to
write.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.checking.results import Report
from derive.checking.steps import StepResult
from derive.errors import LatexError
from derive.model import Scope
from derive.reading.latex import parse_expression, parse_relation
from derive.reading.latex.norms import mark_norms

SCOPE = Scope(
    {"j": "D", "k": "D", "r": "N"},
    frozenset({"N", "D", "H"}),
    shapes={"X": ("N", "D"), "w": ("D", "1"), "A": ("D", "D"), "W": ("H", "D")},
)

REGRESSION = r"""+++
name = "regression"
title = "Linear regression in both layouts"

[sizes]
N = "samples"
D = "features"

[indices]
r = "N"
j = "D"
k = "D"

[shapes]
X = "N x D"
w = "D"
y = "N"

[definitions]
L = '\frac{1}{N} (X w - y)^\top (X w - y)'

[[claims]]
name = "column"
statement = '\frac{\partial L}{\partial w} = \frac{2}{N} X^\top (X w - y)'

[[claims]]
name = "row"
statement = '\frac{\partial L}{\partial w} = \frac{2}{N} (X w - y)^\top X'

[[claims]]
name = "missing-two"
statement = '\frac{\partial L}{\partial w} = \frac{1}{N} X^\top (X w - y)'
expect = "refuted"
+++

$$\nabla_w L = \frac{2}{N} X^\top (X w - y)$$

$$\frac{\partial L}{\partial w} = \frac{2}{N} X^\top X w - \frac{2}{N} X^\top y$$

$$\frac{\partial L}{\partial w} = \frac{2}{N} X^\top (X w + y)$$

$$(X w)_r = \sum_{j=1}^{D} X_{rj} w_j$$

$$(X^\top (X w - y))_j = \sum_{r=1}^{N} X_{rj} ((X w)_r - y_r)$$

$$(X^\top X)_{jk} = \sum_{r=1}^{N} X_{rj} X_{rk}$$
"""

SQUARE = r"""+++
name = "square"
title = "Square matrices: identity, trace, quadratic forms"

[sizes]
D = "size"

[indices]
j = "D"
k = "D"

[shapes]
A = "D x D"
B = "D x D"
x = "D"
+++

$$(A + \lambda I) x = A x + \lambda x$$

$$A I_D = A$$

$$I x = 2 x$$

$$\operatorname{tr}(A) = \sum_{j=1}^{D} A_{jj}$$

$$\mathrm{tr}(A B) = \mathrm{tr}(B A)$$

$$\frac{\partial}{\partial A} \operatorname{tr}(A B) = B^\top$$

$$\frac{\partial}{\partial A} \operatorname{tr}(A B) = B$$

$$\frac{\partial}{\partial x} x^\top A x = (A + A^\top) x$$

$$\frac{\partial}{\partial x} x^\top A x = 2 A x$$

$$\frac{\partial}{\partial A} x^\top A x = x x^\top$$

$$(A B)_{jk} = \sum_{m=1}^{D} A_{jm} B_{mk}$$
"""

NORMS = r"""+++
name = "norms"
title = "Norms and weight decay"

[sizes]
D = "features"
H = "hidden"

[indices]
j = "D"

[shapes]
w = "D"
x = "D"
W = "H x D"

[definitions]
R = '\frac{\lambda}{2} \|w\|^2'
+++

$$\|x\|^2 = x^\top x$$

$$\|x\|_2^2 = \sum_{j=1}^{D} x_j^2$$

$$\lVert x \rVert = \sqrt{\sum_{j=1}^{D} x_j^2}$$

$$\left\| x \right\|^2 = \sum_{j=1}^{D} x_j x_j$$

$$\frac{\partial R}{\partial w} = \lambda w$$

$$\nabla_w R = \frac{\lambda}{2} w$$

$$\nabla_x \|x\| = \frac{x}{\|x\|}$$

$$\nabla_x \|x\|^2 = x$$

$$\|W\|_F^2 = \sum_{j=1}^{D} \sum_{h=1}^{H} W_{hj}^2$$

$$\frac{\partial}{\partial x_j} \|x\| = \frac{x_j}{\|x\|}$$
"""

HESSIAN = r"""+++
name = "ce-hessian-matrix"
title = "The cross-entropy Hessian as a matrix"

[sizes]
K = "classes"

[indices]
i = "K"
j = "K"
k = "K"

[shapes]
z = "K"
y = "K"
t = "K"

[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{c=1}^{K} e^{z_c}}'
E = '-\sum_{k=1}^{K} t_k \ln y_k'

[assumptions]
targets = '\sum_{k=1}^{K} t_k = 1'
+++

$$\frac{\partial}{\partial z} (y - t) = \operatorname{diag}(y) - y y^\top$$

$$\frac{\partial}{\partial z} \nabla_z E = \operatorname{diag}(y) - y y^\top$$

$$\frac{\partial}{\partial z} \nabla_z E = \operatorname{diag}(y)$$

$$\frac{\partial}{\partial z} (y - t) = \operatorname{diag}(y) - y^\top y$$

$$\frac{\partial^2 E}{\partial z \partial z^\top} = \operatorname{diag}(y) - y y^\top$$
"""


def check(tmp_path: Path, text: str) -> Report:
    """Check a document written to ``tmp_path``."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return api.check(api.load(str(path)))


def steps(report: Report) -> list[StepResult]:
    """The steps of the body, in order."""
    return list(report.steps)


def notes(step: StepResult) -> tuple[str, ...]:
    """The notes on how a step was read."""
    return () if step.claim is None else step.claim.notes


@pytest.fixture(scope="module")
def regression(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The regression document, checked once."""
    return check(tmp_path_factory.mktemp("regression"), REGRESSION)


@pytest.fixture(scope="module")
def square(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The square-matrix document, checked once."""
    return check(tmp_path_factory.mktemp("square"), SQUARE)


@pytest.fixture(scope="module")
def norms(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The norms document, checked once."""
    return check(tmp_path_factory.mktemp("norms"), NORMS)


def test_the_gradient_in_either_layout_is_proved_for_all_sizes(regression: Report) -> None:
    """The column (denominator layout) and the row (numerator layout) gradient both hold."""
    verdicts = {r.claim.name: r.verdict for r in regression.results}
    for name in ("column", "row"):
        assert verdicts[name].status == "proved", verdicts[name].message
    column = next(r for r in regression.results if r.claim.name == "column")
    assert any("column gradient (denominator layout)" in n for n in column.claim.notes)
    row = next(r for r in regression.results if r.claim.name == "row")
    assert not any("denominator layout" in n for n in row.claim.notes)


def test_a_wrong_gradient_is_refuted_in_either_layout(regression: Report) -> None:
    """The missing 2 is refuted, in the column layout, with its counterexample."""
    missing = next(r for r in regression.results if r.claim.name == "missing-two")
    assert missing.verdict.status == "refuted"
    assert missing.verdict.counterexample is not None
    body = steps(regression)
    assert body[2].status == "refuted"  # the sign of y slipped
    assert any("denominator layout" in n for n in notes(body[2]))


def test_the_column_gradient_steps_hold(regression: Report) -> None:
    r"""``\nabla_w L`` and ``∂L/∂w`` written as columns hold, each read as it says."""
    body = steps(regression)
    assert [s.status for s in body[:2]] == ["proved", "proved"]
    assert any("denominator layout" in n for n in notes(body[1]))


def test_entries_of_products_hold(regression: Report) -> None:
    """``(Xw)_r``, ``(X^T (Xw − y))_j`` and ``(X^T X)_{jk}`` are sums over the inner axis."""
    assert [s.status for s in steps(regression)[3:]] == ["proved"] * 3


def test_the_slip_x_transpose_x_w_minus_y_is_a_shape_mismatch() -> None:
    """``X^T X w − y`` subtracts an N-vector from a D-vector: refused, with both shapes."""
    with pytest.raises(LatexError, match="`-` needs both sides the same shape"):
        parse_expression(r"X^\top X w - y", _with_y())


def _with_y() -> Scope:
    return Scope(dict(SCOPE.indices), SCOPE.sizes, shapes={**SCOPE.shapes, "y": ("N", "1")})


def test_identity_and_trace(square: Report) -> None:
    """``I`` takes its size from what it meets; tr is the sum of the diagonal."""
    body = steps(square)
    assert [s.status for s in body[:2]] == ["proved", "proved"]
    assert any("identity matrix" in n for n in notes(body[0]))
    assert body[2].status == "refuted"  # I x = 2x
    assert [s.status for s in body[3:5]] == ["proved", "proved"]


def test_derivatives_by_a_matrix(square: Report) -> None:
    """``∂ tr(AB)/∂A = B^T`` (the shape of A, noted) holds for all D; ``= B`` is refuted."""
    body = steps(square)
    assert body[5].status == "proved", body[5].message
    assert any("denominator layout" in n for n in notes(body[5]))
    assert body[6].status == "refuted"
    assert body[6].verdict is not None and body[6].verdict.counterexample is not None
    assert body[9].status == "proved", body[9].message


def test_quadratic_form_gradient_and_its_slip(square: Report) -> None:
    """``∂(x^T A x)/∂x = (A + A^T) x`` holds; ``2 A x`` is refuted (A not symmetric)."""
    body = steps(square)
    assert body[7].status == "proved", body[7].message
    assert body[8].status == "refuted"
    assert body[10].status == "proved"


def test_norms(norms: Report) -> None:
    """Each spelling of the norm holds against its sum; weight decay's gradient too."""
    body = steps(norms)
    assert [s.status for s in body[:5]] == ["proved"] * 5, [s.message for s in body]
    assert body[5].status == "refuted"  # λ/2 w: the 2 of the square forgotten
    assert body[6].status in ("proved", "verified"), body[6].message
    assert body[7].status == "refuted"  # ∇‖x‖² = x: the 2 forgotten
    assert [s.status for s in body[8:]] == ["proved", "proved"]


def test_cross_entropy_hessian_as_a_matrix(tmp_path: Path) -> None:
    """The Jacobian of the gradient is diag(y) − y yᵀ under the targets; its slips are not."""
    body = steps(check(tmp_path, HESSIAN))
    assert body[0].status == "proved", body[0].message
    assert body[1].status == "proved" and body[1].verdict is not None
    assert body[1].verdict.holds_under == ("targets",)
    assert body[2].status == "refuted"
    assert body[3].status == "unparsed" and "same shape" in body[3].reason
    assert body[4].status == "unparsed" and "Jacobian of the gradient" in body[4].reason


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (r"\|W\|_1", r"the 1-norm of a column"),
        (r"\|x\|_3", r"unsupported norm"),
        (r"\|W\|", r"write `\|W\|_F` for the Frobenius norm"),
        (r"\|W\|_2", r"write `\|W\|_F`"),
        (r"\|\lambda\|", r"of a scalar"),
        (r"I", r"write `I_D` with its size"),
        (r"(W + I) x", r"takes its size"),
        (r"\operatorname{tr}(W)", r"takes a square matrix"),
        (r"\det X", r"`\det` takes a square matrix, but `X` is N x D"),
        (r"X^{-1}", r"an inverse `^{-1}` takes a square matrix"),
        (r"X^{-\top}", r"takes a square matrix"),
        (r"\det \lambda", r"is a scalar"),
        (r"\lambda^{-\top}", r"inverts and transposes a matrix"),
        (r"A^{-2}", r"the inverse `^{-1}` and `^{-T}`"),
    ],
)
def test_refusals_say_what_to_write(text: str, message: str) -> None:
    """What derive does not read is refused with what to write instead."""
    with pytest.raises(LatexError) as info:
        parse_expression(text, _with_x())
    assert message in info.value.message


def _with_x() -> Scope:
    return Scope(dict(SCOPE.indices), SCOPE.sizes, shapes={**SCOPE.shapes, "x": ("D", "1")})


def test_an_identity_of_the_document_stays_its_own() -> None:
    """``I`` declared under ``names`` (or without any [shapes]) is a scalar, as before."""
    scope = Scope(dict(SCOPE.indices), SCOPE.sizes, names=frozenset({"I"}), shapes=SCOPE.shapes)
    assert parse_expression("I w", scope).shape == (SCOPE_D, 1)
    value = parse_expression("I", Scope({}, frozenset()))
    assert str(value) == "I"


SCOPE_D = parse_expression("w", SCOPE).shape[0]


def test_bars_pair_within_their_group() -> None:
    r"""``\|a\| \|b\|`` pairs first with second, and a norm inside a fraction stays inside."""
    marked = mark_norms(r"\|a\| \|b\|")
    assert marked.count("⟪") == 2 and marked.count("⟫") == 2
    assert marked.index("⟫") < marked.rindex("⟪")
    nested = mark_norms(r"\frac{x}{\|x\|}")
    assert nested.index("⟪") < nested.index("⟫") < nested.rindex("}")
    assert len(marked) == len(r"\|a\| \|b\|")


def test_a_norm_of_a_product_reads() -> None:
    r"""``\|A w\|^2 = w^T A^T A w``: a scalar against a 1×1 matrix, read as its entry."""
    left, _, right = parse_relation(r"\|A w\|^2 = w^\top A^\top A w", SCOPE)
    assert type(left).__name__ == type(right).__name__ == "Entry"


SUPERSCRIPTED = r"""+++
name = "gates"

[sizes]
H = "hidden"
D = "input"

[indices]
k = "H"
d = "D"

[shapes]
"W^{i}" = "H x D"
x = "D"

[definitions]
"a_k" = '\sum_d W^{i}_{kd} x_d'

[[claims]]
name = "slip"
statement = '\frac{\partial a_k}{\partial x_d} = 2 W^{i}_{kd}'
expect = "refuted"
+++
"""


def test_a_shape_with_a_superscript_declares_a_name(tmp_path: Path) -> None:
    r"""``"W^{i}" = "H x D"`` makes ``W^{i}_{kd}`` an entry of the matrix, never ``W_{kd}^i``.

    Read as a power, the slip's counterexample drew a value for ``i`` and the proof of
    the true claim needed ``W_{kd} > 0``: a verdict on a claim nobody wrote.
    """
    report = check(tmp_path, SUPERSCRIPTED)
    (result,) = report.results
    assert result.verdict.status == "refuted"
    example = result.verdict.counterexample
    assert example is not None
    assert set(example.values) == {"W^{i}", "x"}  # no value drawn for a power `i`


TANH_LAYER = r"""+++
name = "tanh-layer"

[sizes]
H = "hidden"

[indices]
k = "H"
j = "H"

[shapes]
h = "H"
W = "H x H"
p = "H"

[definitions]
"h_k" = '\tanh(\sum_j W_{kj} p_j)'

[[claims]]
name = "jacobian"
statement = '\frac{\partial h}{\partial p} = \operatorname{diag}(1 - h \odot h) W'

[[claims]]
name = "slip"
statement = '\frac{\partial h}{\partial p} = \operatorname{diag}(h \odot h) W'
expect = "refuted"
+++
"""


def test_an_entrywise_square_is_lowered(tmp_path: Path) -> None:
    r"""``h \odot h`` (which SymPy folds into a power) has entries: the tanh Jacobian."""
    report = check(tmp_path, TANH_LAYER)
    assert [r.verdict.status for r in report.results] == ["proved", "refuted"]


DETERMINANTS = r"""+++
name = "determinants"
title = "Determinants and inverses at concrete sizes"

[sizes]
N = "samples"
D = "features"

[indices]
r = "N"
j = "D"
k = "D"

[shapes]
A = "D x D"
B = "D x D"
x = "D"
X = "N x D"
y = "N"
w = "D"

[definitions]
w = '(X^\top X)^{-1} X^\top y'
+++

$$\det(A^\top) = \det A$$

$$A A^{-1} = I_D$$

$$(A^{-1})^\top = (A^\top)^{-1}$$

$$\frac{\partial}{\partial A} \ln\det A = A^{-\top}$$

$$\frac{\partial}{\partial A} \det A = \det(A) A^{-T}$$

$$\frac{\partial}{\partial A} \ln\det A = A^{-1}$$

$$\frac{\partial}{\partial A} \ln\det A = A^\top$$

$$\frac{\partial}{\partial x} x^\top A^{-1} x = (A^{-1} + A^{-\top}) x$$

$$\frac{\partial}{\partial x} x^\top A^{-1} x = 2 A^{-1} x$$

$$X^\top (X w - y) = X^\top X (X^\top X)^{-1} X^\top y - X^\top y$$

$$X^\top (X w - y) = X^\top y$$

$$\det(A B) = \det(A) \det(B)$$

$$\det(A + B) = \det A + \det B$$

$$(A + \lambda I)^{-1} (A + \lambda I) = I_D$$
"""


@pytest.fixture(scope="module")
def determinants(tmp_path_factory: pytest.TempPathFactory) -> Report:
    """The determinants document, checked once."""
    return check(tmp_path_factory.mktemp("determinants"), DETERMINANTS)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (r"\det A", "Det(A)"),
        (r"\det(A)", "Det(A)"),
        (r"\operatorname{det}(A)", "Det(A)"),
        (r"\mathrm{det} A", "Det(A)"),
        (r"A^{-1}", "Inverse(A)"),
        (r"A^{-\top}", "Transpose(Inverse(A))"),
        (r"A^{-T}", "Transpose(Inverse(A))"),
        (r"(A^\top)^{-1}", "Inverse(Transpose(A))"),
    ],
)
def test_det_and_inverse_read(text: str, expected: str) -> None:
    """Each spelling of the determinant and the inverse reads as the same node."""
    assert _shape_free(parse_expression(text, _with_x())) == expected


def _shape_free(expr: sp.Basic) -> str:
    """``Det(A)``: the tree with matrix symbols by name only."""
    if isinstance(expr, sp.MatrixSymbol):
        return str(expr.name)
    return f"{type(expr).__name__}({', '.join(_shape_free(a) for a in expr.args)})"


def test_identities_of_det_and_inverse_are_verified_not_proved(determinants: Report) -> None:
    """det(Aᵀ) = det A, A A⁻¹ = I, (A⁻¹)ᵀ = (Aᵀ)⁻¹, det(AB) hold at concrete sizes only."""
    body = steps(determinants)
    for n in (0, 1, 2, 11, 13):
        verdict = body[n].verdict
        assert body[n].status == "verified", (n, body[n].message)
        assert verdict is not None and "D = 1..4" in verdict.sizes
    assert body[12].status == "refuted"  # det(A + B) = det A + det B


def test_domain_conditions_of_det_and_inverse(determinants: Report) -> None:
    """An inverse needs det A ≠ 0; the log-det gradient needs det A > 0 (said once)."""
    body = steps(determinants)
    assert body[0].verdict is not None and body[0].verdict.side_conditions == ()
    assert body[1].verdict is not None and body[1].verdict.side_conditions == ("det(A) ≠ 0",)
    assert body[3].verdict is not None and body[3].verdict.side_conditions == ("det(A) > 0",)


def test_log_det_gradient_and_its_slips(determinants: Report) -> None:
    """∂ ln det A/∂A = A^{-T} and ∂ det A/∂A = det(A) A^{-T}; A^{-1} and Aᵀ are refuted."""
    body = steps(determinants)
    assert [body[3].status, body[4].status] == ["verified", "verified"]
    assert any("denominator layout" in n for n in notes(body[3]))
    for n in (5, 6):
        verdict = body[n].verdict
        assert body[n].status == "refuted", body[n].message
        assert verdict is not None and verdict.counterexample is not None
    example = body[5].verdict.counterexample if body[5].verdict else None
    assert example is not None
    entries = {ix: value for name, ix, value in example.point if name == "A"}
    assert entries[(1, 2)] != entries[(2, 1)]  # A^{-1} slips only on a non-symmetric A


def test_quadratic_form_in_the_inverse_and_normal_equations(determinants: Report) -> None:
    """∂(xᵀA⁻¹x)/∂x = (A⁻¹ + A⁻ᵀ)x, not 2A⁻¹x; the normal equations' solution holds."""
    body = steps(determinants)
    assert body[7].status == "verified", body[7].message
    assert body[8].status == "refuted"
    assert body[9].status == "verified", body[9].message
    assert body[10].status == "refuted"
