r"""Index arithmetic in subscripts (``x_{i+k-1}``, ``h_{t-1}``) and products over an index.

Convolution backward is the running example: ``y_i = Σ_k w_k x_{i+k-1}``; the gradient
by ``w`` is proved for all sizes, the one by ``x`` (the flipped kernel) is verified at
concrete sizes with both inputs zero-padded, and the kernel without its flip is refuted.
"""

from pathlib import Path

import pytest
import sympy as sp

from derive import api, symbols
from derive.errors import DeriveError, LatexError
from derive.model import Document, Scope
from derive.reading.latex import parse_expression

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
    found = statuses(tmp_path, CONV)
    assert found == {"by-w": "proved", "by-x": "verified", "no-flip": "refuted"}


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
