"""Adversaries' finds in the constructs of issue 18, each kept as a regression."""

from __future__ import annotations

from pathlib import Path

import pytest

from derive import api
from derive.errors import DeriveError
from derive.model import Document

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
