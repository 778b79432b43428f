r"""Index arithmetic in subscripts (``x_{i+k-1}``, ``h_{t-1}``) and products over an index.

Convolution backward is the running example: ``y_i = Σ_k w_k x_{i+k-1}``; the gradient
by ``w`` is proved for all sizes, the one by ``x`` (the flipped kernel) is verified at
concrete sizes with both inputs zero-padded, and the kernel without its flip is refuted.
"""

import random
from dataclasses import replace
from pathlib import Path

import pytest
import sympy as sp

from derive import api, symbols
from derive.errors import DeriveError, LatexError
from derive.model import Document, Scope
from derive.presenting import words
from derive.reading.latex import parse_expression
from tests.soundness_ast import Claim, Deriv, Entry, Mul, Prod, Shift, Sum, search

SCOPE = Scope(indices={"i": "N", "j": "N", "k": "K", "t": "T"}, sizes=frozenset({"N", "K", "T"}))
i, j, k, t = (symbols.index(n) for n in "ijkt")
N, K = symbols.size("N"), symbols.size("K")


def entry(name: str, at: sp.Expr) -> sp.Expr:
    """The entry of ``name`` at ``at``."""
    return symbols.tensor(name)[at]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("x_{i+k-1}", entry("x", i + k - 1)),
        ("h_{t-1}", entry("h", t - 1)),
        ("x_{2i-1}", entry("x", 2 * i - 1)),
        (r"x_{2 \cdot i}", entry("x", 2 * i)),
        ("w_{j-i+1}", entry("w", j - i + 1)),
        ("x_{N-k+1}", entry("x", N - k + 1)),
    ],
)
def test_subscripts_with_arithmetic_are_read(text: str, expected: sp.Expr) -> None:
    """A subscript position may be an integer affine expression of indices and sizes."""
    assert parse_expression(text, SCOPE) == expected


def test_juxtaposed_number_and_index_stay_two_subscripts() -> None:
    """``w_{2j}`` is still the entry at row 2, column j (as in a written-out sum)."""
    assert parse_expression("w_{2j}", SCOPE) == symbols.tensor("w")[2, j]


def test_a_product_of_two_indices_is_refused() -> None:
    """``x_{ij-1}`` is not affine: refused with what a subscript may hold."""
    with pytest.raises(LatexError, match="multiplies two indices"):
        parse_expression("x_{ij-1}", SCOPE)


def document(tmp_path: Path, text: str) -> Document:
    """Load ``text`` as a document."""
    path = tmp_path / "doc.md"
    path.write_text(text, encoding="utf-8")
    return api.load(str(path))


def statuses(tmp_path: Path, text: str) -> dict[str, str]:
    """Each claim's status."""
    report = api.check(document(tmp_path, text))
    return {r.claim.name: r.verdict.status for r in report.results}


HEAD = """+++
name = "conv"

[sizes]
N = "inputs"
K = "kernel"

[indices]
i = "N"
j = "N"
k = "K"
"""

OUT_OF_RANGE = (
    HEAD
    + r"""
[definitions]
"y_i" = '\sum_{k=1}^{K} w_k x_{i+k-1}'

[[claims]]
name = "by-x"
statement = '\frac{\partial y_i}{\partial x_j} = w_{j-i+1}'
+++
"""
)


def test_a_subscript_that_leaves_its_range_is_refused(tmp_path: Path) -> None:
    """``x_{i+k-1}`` with i over N reaches N + K − 1, past x's N entries."""
    with pytest.raises(DeriveError, match=r"reaches index K \+ N - 1, past x's N entries"):
        document(tmp_path, OUT_OF_RANGE)


def test_a_sum_that_stays_in_range_is_read(tmp_path: Path) -> None:
    """``Σ_{i=1}^{N-K+1} x_{i+k-1}`` stays within x's N entries: no error."""
    text = (
        HEAD
        + r"""
[definitions]
s = '\sum_{i=1}^{N-K+1} \sum_{k=1}^{K} w_k x_{i+k-1}'

[[claims]]
name = "by-w"
statement = '\frac{\partial s}{\partial w_k} = \sum_{i=1}^{N-K+1} x_{i+k-1}'
+++
"""
    )
    assert statuses(tmp_path, text)["by-w"] in ("proved", "verified")


def test_an_index_below_one_is_refused(tmp_path: Path) -> None:
    """``w_{j-i+1}`` reaches 2 − N when w has entries and no padding."""
    text = OUT_OF_RANGE.replace("x_{i+k-1}", "x_{i}").replace("= w_{j-i+1}", "= w_{j-i+1} + x_j")
    with pytest.raises(DeriveError, match=r"reaches index 2 - N, below 1"):
        document(tmp_path, text)


CONV = (
    HEAD
    + r"""
[padding]
x = "zero"
w = "zero"

[functions]
'C(\mathbf{y})' = "the loss"

[definitions]
"y_i" = '\sum_{k=1}^{K} w_k x_{i+k-1}'

[[claims]]
name = "by-w"
statement = '\frac{\partial C}{\partial w_k} = \sum_i \frac{\partial C}{\partial y_i} x_{i+k-1}'

[[claims]]
name = "by-x"
statement = '\frac{\partial C}{\partial x_j} = \sum_i \frac{\partial C}{\partial y_i} w_{j-i+1}'

[[claims]]
name = "no-flip"
statement = '\frac{\partial C}{\partial x_j} = \sum_i \frac{\partial C}{\partial y_i} w_{i-j+1}'
expect = "refuted"
+++
"""
)


def test_convolution_backward(tmp_path: Path) -> None:
    """By w: proved for all sizes; by x: verified (flipped kernel); no flip: refuted."""
    report = api.check(document(tmp_path, CONV), timeout=60)  # by x: about 5 s alone
    found = {r.claim.name: r.verdict.status for r in report.results}
    said = [r.verdict.message for r in report.results]
    assert found == {"by-w": "proved", "by-x": "verified", "no-flip": "refuted"}, said


def test_padding_other_than_zero_is_refused(tmp_path: Path) -> None:
    """Only zero padding is read."""
    with pytest.raises(DeriveError, match='derive reads only "zero"'):
        document(tmp_path, CONV.replace('w = "zero"', 'w = "reflect"'))


RNN = r"""+++
name = "rnn"

[sizes]
T = "steps"

[indices]
t = "T"

[definitions]
"a_t" = 'w s_{t-1} + u x_t'

[[claims]]
name = "one-step"
statement = '\frac{\partial \tanh(a_t)}{\partial s_{t-1}} = w (1 - (\tanh a_t)^{2})'

[[claims]]
name = "without-w"
statement = '\frac{\partial \tanh(a_t)}{\partial s_{t-1}} = 1 - (\tanh a_t)^{2}'
expect = "refuted"
+++
"""


def test_recurrence_jacobian(tmp_path: Path) -> None:
    """The one-step Jacobian of ``tanh(w s_{t-1} + u x_t)``; forgetting ``w`` is refuted."""
    found = statuses(tmp_path, RNN)
    assert found["without-w"] == "refuted"
    assert found["one-step"] in ("proved", "verified")


PRODUCT = r"""+++
name = "product"

[sizes]
K = "factors"

[indices]
k = "K"
j = "K"

[definitions]
P = '\prod_{k=1}^{K} a_k'

[[claims]]
name = "rule"
statement = '\frac{\partial P}{\partial a_j} = \prod_{k \neq j} a_k'

[[claims]]
name = "slip"
statement = '\frac{\partial P}{\partial a_j} = \prod_k a_k'
expect = "refuted"

[[claims]]
name = "strided"
statement = '\sum_{k=1}^{K} b_{2k-1} b_{2 \cdot k} = \sum_{k=1}^{K} b_{2 \cdot k} b_{2k-1}'
+++
"""


def test_product_rule_and_its_slip(tmp_path: Path) -> None:
    """``∂/∂a_j ∏_k a_k = ∏_{k≠j} a_k`` holds (second opinion agrees); the slip is refuted."""
    report = api.check(document(tmp_path, PRODUCT))
    found = {r.claim.name: r.verdict.status for r in report.results}
    assert found["rule"] in ("proved", "verified"), report.results[0].verdict.message
    assert found["slip"] == "refuted"
    assert found["strided"] == "proved"


FIXED = r"""+++
name = "fixed"

[sizes]
K = "factors"

[indices]
k = "K"
j = "K"

[[claims]]
name = "three"
statement = '\prod_{k=1}^{3} a_k = a_1 a_2 a_3'

[[claims]]
name = "missing"
statement = '\prod_{k=1}^{3} a_k = a_1 a_3'
expect = "refuted"

[[claims]]
name = "exp-of-sum"
statement = '\prod_{k=1}^{K} e^{a_k} = e^{\sum_{k=1}^{K} a_k}'

[[claims]]
name = "divided"
statement = '\frac{\partial}{\partial a_j} \prod_k a_k = \frac{\prod_k a_k}{a_j}'
+++
"""


def test_a_product_over_numbers_is_proved(tmp_path: Path) -> None:
    """``∏_{k=1}^{3} a_k`` is written out: proved (from K = 3 on); a dropped factor refuted."""
    report = api.check(document(tmp_path, FIXED))
    found = {r.claim.name: r.verdict for r in report.results}
    assert found["three"].status == "proved", found["three"].message
    assert "3" in found["three"].sizes
    assert found["missing"].status == "refuted"


def test_a_product_of_exponentials_is_the_exponential_of_the_sum(tmp_path: Path) -> None:
    """``∏_k e^{a_k} = e^{Σ_k a_k}`` holds at concrete sizes (it was "the sides differ")."""
    report = api.check(document(tmp_path, FIXED))
    verdict = next(r.verdict for r in report.results if r.claim.name == "exp-of-sum")
    assert verdict.status in ("proved", "verified"), verdict.message


def test_dividing_by_an_entry_says_it_must_not_be_zero(tmp_path: Path) -> None:
    """``∏_k a_k / a_j`` is verified where ``a_j ≠ 0``, and the verdict says so."""
    report = api.check(document(tmp_path, FIXED))
    verdict = next(r.verdict for r in report.results if r.claim.name == "divided")
    assert verdict.status in ("proved", "verified"), verdict.message
    assert "a_j ≠ 0" in verdict.side_conditions
    line = words.verdict_line(report.results[-1].claim, verdict)
    assert "a_j ≠ 0" in line


def test_the_product_rule_needs_no_condition(tmp_path: Path) -> None:
    """``∏_{k ≠ j} a_k`` (a power ``1 − δ``) divides by nothing: no ``a_k ≠ 0``."""
    report = api.check(document(tmp_path, PRODUCT))
    verdict = next(r.verdict for r in report.results if r.claim.name == "rule")
    assert not any("≠ 0" in c for c in verdict.side_conditions), verdict.side_conditions


RECURRENCE = r"""+++
name = "recurrence"

[sizes]
T = "steps"

[indices]
t = "T"

[definitions]
"h_t" = '\tanh(w h_{t-1} + u x_t)'

[[claims]]
name = "one-step"
statement = '\frac{\partial h_t}{\partial h_{t-1}} = w (1 - h_t^2)'
+++
"""


def test_a_recurrence_is_refused_with_what_to_write(tmp_path: Path) -> None:
    """``h_t`` defined from ``h_{t-1}``: refused, saying to name the earlier state."""
    with pytest.raises(DeriveError, match=r"defined by a recurrence \(`h_\{t - 1\}`.*name the"):
        document(tmp_path, RECURRENCE)


UNROLLED = r"""+++
name = "unrolled"

[definitions]
p = '\tanh(w r + u x_1)'
q = '\tanh(w p + u x_2)'

[[claims]]
name = "two-step"
statement = '\frac{\partial q}{\partial r} = w^2 (1 - q^2)(1 - p^2)'

[[claims]]
name = "one-w"
statement = '\frac{\partial q}{\partial r} = w (1 - q^2)(1 - p^2)'
expect = "refuted"
+++
"""


def test_a_two_step_chain_with_named_states(tmp_path: Path) -> None:
    """``h_1 = p``, ``h_2 = q`` from ``h_0 = r``: ``w²(1−h_2²)(1−h_1²)``; one ``w`` refuted."""
    found = statuses(tmp_path, UNROLLED)
    assert found == {"two-step": "proved", "one-w": "refuted"}


def test_a_range_error_points_at_the_subscript(tmp_path: Path) -> None:
    """``x_{i+k-1}`` in the first claim, refused once ``x_i`` in a later one sizes ``x``."""
    text = (
        HEAD
        + r"""
[[claims]]
name = "shifted"
statement = '\sum_{k=1}^{K} x_{i+k-1} = \sum_{k=1}^{K} x_{k+i-1}'

[[claims]]
name = "plain"
statement = 'x_i = x_i'
+++
"""
    )
    with pytest.raises(DeriveError, match="past x's N entries") as caught:
        document(tmp_path, text)
    position = caught.value.position
    assert position is not None
    lines = text.splitlines()
    assert "x_{i+k-1}" in lines[position.line - 1]
    assert lines[position.line - 1][position.col - 1 :].startswith("x_{i+k-1}")


def test_a_padded_name_of_unknown_size_is_refused(tmp_path: Path) -> None:
    """Which entries of a padded ``x`` are 0 depends on its size: no use gives it."""
    text = (
        HEAD
        + r"""
[padding]
x = "zero"

[[claims]]
name = "shifted"
statement = '\sum_{k=1}^{K} x_{i+k-1} = \sum_{k=1}^{K} x_{k+i-1}'
+++
"""
    )
    with pytest.raises(DeriveError, match=r"no use says how many entries.*\[shapes\] x"):
        document(tmp_path, text)
    sized = text.replace("[padding]", '[shapes]\nx = "N"\n\n[padding]')
    assert statuses(tmp_path, sized) == {"shifted": "proved"}


def test_a_limit_bounded_by_another_index_stays_in_range(tmp_path: Path) -> None:
    """``Σ_{k=1}^{j-1} z_{k+1}`` reaches j ≤ K; ``Σ_{k=1}^{j} z_{k+1}`` reaches K + 1."""
    text = (
        HEAD
        + r"""
[[claims]]
name = "inside"
statement = '\sum_{k=1}^{j-1} z_{k+1} = \sum_{k=2}^{j} z_k'
+++
"""
    ).replace('j = "N"', 'j = "K"')
    assert statuses(tmp_path, text)["inside"] in ("proved", "verified")
    past = text.replace(
        r"\sum_{k=1}^{j-1} z_{k+1} = \sum_{k=2}^{j} z_k", r"\sum_{k=1}^{j} z_{k+1} = z_j"
    )
    with pytest.raises(DeriveError, match=r"reaches index K \+ 1, past z's K entries"):
        document(tmp_path, past)


def test_the_oracle_reads_shifts_padding_and_products() -> None:
    """The soundness oracle: the flipped kernel holds, the kernel without its flip fails."""
    body = Sum("k", Mul((Entry("g", ("k",)), Entry("b", (Shift(((1, "n"), (1, "k")), -1),)))))
    derivative = Deriv(body, Entry("b", ("j",)))
    flipped = Entry("g", (Shift(((1, "j"), (-1, "n")), 1),))
    unflipped = Entry("g", (Shift(((1, "n"), (-1, "j")), 1),))
    assert search(Claim(derivative, flipped), random.Random(1)).status == "holds"
    assert search(Claim(derivative, unflipped), random.Random(1)).status == "counterexample"
    rule = Claim(
        Deriv(Prod("k", Entry("z", ("k",))), Entry("z", ("j",))),
        Prod("k", Entry("z", ("k",)), neq="j"),
    )
    assert search(rule, random.Random(1)).status == "holds"
    assert (
        search(replace(rule, rhs=Prod("k", Entry("z", ("k",)))), random.Random(1)).status
        == "counterexample"
    )


def test_an_ellipsis_to_a_number_is_not_a_shift(tmp_path: Path) -> None:
    r"""``z_1 + \dots + z_3`` binds a letter of its own: read as a sum, not refused."""
    text = (
        HEAD
        + r"""
[[claims]]
name = "dots"
statement = 'z_1 + \dots + z_3 = \sum_{k=1}^{3} z_k'
+++
"""
    )
    assert statuses(tmp_path, text) == {"dots": "proved"}
