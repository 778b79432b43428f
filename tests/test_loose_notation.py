r"""Notation written loosely: undeclared sum indices, ∇, documented arguments, layer tags."""

import io
from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.checking.results import Report
from derive.cli import main
from derive.errors import DeriveError
from derive.model import Scope
from derive.reading.latex import parse_expression

SOFTMAX = r"""[sizes]
K = "classes"
[indices]
j = "K"
[definitions]
'\hat{y}_j' = '\frac{e^{z_j}}{\sum_{c=1}^{K} e^{z_c}}'
'L(t, \hat{y})' = '-\sum_{c=1}^{K} t_c \ln \hat{y}_c'
[assumptions]
targets = '\sum_{m=1}^{K} t_m = 1'
"""


def check(tmp_path: Path, front: str, body: str) -> Report:
    """Check a document made of a front matter and a body."""
    path = tmp_path / "doc.md"
    path.write_text(f'+++\nname = "loose"\n{front}+++\n\n{body}\n', encoding="utf-8")
    return api.check(api.load(str(path)))


def lines(report: Report) -> list[tuple[str, str]]:
    """Each step's status and message."""
    return [(s.status, s.message) for s in report.steps]


def test_a_sum_index_the_front_matter_never_declared(tmp_path: Path) -> None:
    r"""`\\sum_{c=1}^{K}` ranges over K; `\\sum_m` over the document's only size, noted."""
    report = check(
        tmp_path,
        SOFTMAX,
        r"$$\frac{\partial L}{\partial z_j} = \hat{y}_j \sum_m t_m - t_j = \hat{y}_j - t_j$$"
        "\n\n"
        r"$$\sum_{q=1}^{K} t_q \hat{y}_j = \hat{y}_j \sum_{p}^{K} t_p + 1$$",
    )
    statuses = [s.status for s in report.steps]
    assert statuses == ["proved", "proved", "refuted"]
    assert "read `m` as an index over 1..K" in report.steps[0].message
    assert report.steps[1].verdict is not None
    assert report.steps[1].verdict.holds_under == ("targets",)


def test_an_undeclared_index_with_no_range_is_refused() -> None:
    r"""With two sizes and no upper limit, the range of `\\sum_m` cannot be told."""
    scope = Scope({"j": "K"}, frozenset({"K", "N"}))
    with pytest.raises(DeriveError, match="undefined index `m`"):
        parse_expression(r"\sum_m t_m", scope)
    assert parse_expression(r"\sum_{m=1}^{N} t_m", scope).has(sp.Sum)


def test_an_inner_sum_runs_to_an_undeclared_outer_index(tmp_path: Path) -> None:
    r"""`\sum_{c=1}^{K} \sum_{i=1}^{c}`: c ranges over K, so i runs within its range.

    Past c it does not (SymPy joins the two sums into one with both limits).
    """
    front = '[sizes]\nK = "classes"\nN = "samples"\n[indices]\ni = "K"\n'
    report = check(
        tmp_path,
        front,
        r"$$\sum_{c=1}^{K} \sum_{i=1}^{c} 1 = \frac{K (K + 1)}{2}$$"
        "\n\n"
        r"$$\sum_{c=1}^{K} \sum_{i=1}^{c-1} 1 = \frac{K (K + 1)}{2}$$"
        "\n\n"
        r"$$\sum_{c=1}^{K} \sum_{i=1}^{c+1} 1 = 0$$",
    )
    first, second, third = report.steps
    assert first.status in ("proved", "verified")
    assert second.status == "refuted"
    assert third.status == "unparsed"
    assert "the sum over `i` runs to `c + 1`, but `i` ranges over K" in third.message
    scope = Scope({"i": "K"}, frozenset({"K", "N"}))
    assert parse_expression(r"\sum_{c=1}^{N} \sum_{i=1}^{c} 1", scope).has(sp.Sum)


def test_arguments_that_document_a_definition(tmp_path: Path) -> None:
    r"""`L(t, \\hat{y})`, `L(z)` and `L` are the same defined loss, the reading noted."""
    report = check(
        tmp_path,
        SOFTMAX,
        r"$$\frac{\partial L(t, \hat{y})}{\partial z_j} = \hat{y}_j \sum_{m=1}^{K} t_m - t_j$$"
        "\n\n"
        r"$$\frac{\partial L(z)}{\partial z_j} = \frac{\partial L}{\partial z_j}$$"
        "\n\n"
        r"$$\frac{\partial L(z)}{\partial z_j} = t_j - \hat{y}_j$$",
    )
    assert [s.status for s in report.steps] == ["proved", "proved", "refuted"]
    assert "read `L(t, \\hat{y})` as `L`" in report.steps[0].message
    assert "read `L(z)` as `L`" in report.steps[1].message


def test_a_function_of_free_inputs_still_takes_its_arguments(tmp_path: Path) -> None:
    """`J(w, b)` of free inputs is a function: `J(2, b)` substitutes, `J(z)` is refused."""
    front = "[definitions]\n'J(w, b)' = 'w^2 + b'\n"
    report = check(tmp_path, front, "$$J(2, b) = 4 + b$$\n\n$$J(z) = z$$")
    assert [s.status for s in report.steps] == ["proved", "unparsed"]
    assert "takes 2 arguments" in report.steps[1].message


GRADIENT = r"""[sizes]
N = "features"
[indices]
n = "N"
[shapes]
w = "N"
x = "N"
[definitions]
"L" = '\frac{1}{2} (w^T x - y) (w^T x - y)'
"""


def test_nabla_is_the_column_gradient(tmp_path: Path) -> None:
    r"""`\\nabla_w L` is the transpose of `\\frac{\\partial L}{\\partial w}`; a wrong one fails."""
    report = check(
        tmp_path,
        GRADIENT,
        r"$$\nabla_w L = (\frac{\partial L}{\partial w})^T$$"
        "\n\n"
        r"$$\nabla_{\mathbf{w}} L = x (w^T x - y) + x$$",
    )
    assert [s.status for s in report.steps] == ["proved", "refuted"]
    assert "read `\\nabla_{w}` as the column gradient" in report.steps[0].message


def test_nabla_of_a_vector_against_a_scalar(tmp_path: Path) -> None:
    r"""In index notation `\\nabla_z L` is a vector: a scalar right side is refused."""
    report = check(tmp_path, SOFTMAX, r"$$\nabla_z L = \hat{y} - t$$")
    (step,) = report.steps
    assert step.status == "unparsed"
    assert "one side is a vector and the other a scalar" in step.message


def test_layer_tags_in_brackets_and_declared_names(tmp_path: Path) -> None:
    r"""`a^{[l]}` is a tag; `a_j^L` and `\\sigma^2` are names when the front matter says so."""
    front = r"""names = ['\sigma^2']
[sizes]
K = "units"
[indices]
j = "K"
k = "K"
[definitions]
"a_j^L" = '\sigma(z_j^L)'
'z_j^L' = '\sum_k w_{jk} a_k^{[l]}'
"""
    report = check(
        tmp_path,
        front,
        r"$$\frac{\partial a_j^L}{\partial z_j^L} = a_j^L (1 - a_j^L)$$"
        "\n\n"
        r"$$\frac{\partial z_j^L}{\partial a^{[l]}_k} = w_{jk}$$"
        "\n\n"
        r"$$\frac{\partial}{\partial \sigma^2} \frac{x^2}{\sigma^2} = -\frac{x^2}{(\sigma^2)^2}$$"
        "\n\n"
        r"$$b_j^L + 0 = b_j^L$$",
    )
    assert [s.status for s in report.steps] == ["proved"] * 4
    assert "read `b_j^L` as a power" in report.steps[3].message


def test_a_bracket_superscript_is_never_a_power() -> None:
    """`a^{[2]}_j` is the layer-2 name, not the square of `a_j`."""
    scope = Scope({"j": "K"}, frozenset({"K"}))
    value = parse_expression(r"a^{[2]}_j", scope)
    assert not value.has(sp.Pow)
    assert "[2]" in str(value)


def test_names_defined_one_by_one(tmp_path: Path) -> None:
    """`h_1`, `h_2`, `h_3` defined one by one are names of their own, chained."""
    front = r"""[definitions]
"h_1" = 'x w_1'
"h_2" = '\sigma(h_1)'
"h_3" = 'h_2^2'
"""
    report = check(
        tmp_path,
        front,
        r"$$\frac{\partial h_3}{\partial w_1} = 2 h_2 \cdot h_2 (1 - h_2) x$$"
        "\n\n"
        r"$$\frac{\partial h_3}{\partial h_1} = 2 h_2 (1 - h_2)$$",
    )
    assert [s.status for s in report.steps] == ["proved", "refuted"]


def test_a_bare_sum_the_front_matter_spells_out(tmp_path: Path) -> None:
    r"""Notes that write `\\sum` for the softmax denominator say so with a macro."""
    front = SOFTMAX + "[macros]\n'{\\sum}' = '{\\sum_{c=1}^{K} e^{z_c}}'\n"
    report = check(tmp_path, front, r"$$\hat{y}_j = \frac{e^{z_j}}{\sum}$$")
    assert [s.status for s in report.steps] == ["proved"]


def test_show_says_what_was_inferred(tmp_path: Path) -> None:
    """`derive show` lists each input with the role derive inferred for it."""
    path = tmp_path / "doc.md"
    path.write_text(f'+++\nname = "loose"\n{SOFTMAX}+++\n', encoding="utf-8")
    out = io.StringIO()
    assert main(["show", str(path)], stdout=out) == 0
    lines = out.getvalue().splitlines()
    assert "  input   z: a vector over K (inferred from its subscripts)" in lines
    assert "  input   t: a vector over K (inferred from its subscripts)" in lines


VECTORS = r"""[sizes]
K = "classes"
[indices]
j = "K"
k = "K"
[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}'
"E" = '-\sum_{k=1}^{K} t_k \ln y_k'
[assumptions]
targets = '\sum_{k=1}^{K} t_k = 1'
"""


def test_whole_vectors_in_index_notation(tmp_path: Path) -> None:
    r"""`\\nabla_z E`, `\\mathbf{y} - \\mathbf{t}`, `(y_1 - t_1, \\dots, y_K - t_K)`: vectors."""
    report = check(
        tmp_path,
        VECTORS,
        r"$$\nabla_z E = \mathbf{y} \sum_k t_k - \mathbf{t}$$"
        "\n\n"
        r"$$\frac{\partial E}{\partial \mathbf{z}} = (y_1 - t_1, \dots, y_K - t_K)$$"
        "\n\n"
        r"$$\nabla_{\mathbf{z}} E = \mathbf{t} - \mathbf{y}$$"
        "\n\n"
        r"$$\nabla_{\mathbf{z}} E = t_j - y_j$$"
        "\n\n"
        r"$$\mathbf{y} = \mathbf{w}$$",
    )
    statuses = [s.status for s in report.steps]
    assert statuses == ["proved", "proved", "refuted", "unparsed", "unparsed"]
    assert report.steps[1].verdict is not None
    assert report.steps[1].verdict.holds_under == ("targets",)
    assert "compared the vectors at entry j" in report.steps[0].message
    assert "as the vector of `y_n - t_n` for n = 1..K" in report.steps[1].message
    assert "one side is a vector and the other a scalar" in report.steps[3].message
    assert "`w` is not a vector" in report.steps[4].message


def test_rows_that_are_the_cases_of_one_side(tmp_path: Path) -> None:
    """Rows `&= a` if i = j, then `&= b` if i ≠ j, are the two cases of one side."""
    front = r"""[sizes]
K = "classes"
[indices]
i = "K"
j = "K"
[definitions]
"y_i" = '\frac{e^{z_i}}{\sum_{k=1}^{K} e^{z_k}}'
"""
    rows = (
        r"\frac{\partial y_i}{\partial z_j} &= y_i (1 - y_i) && \text{if } i = j \\"
        "\n" + r"&= {} && \text{{if }} i \neq j"
    )
    body = "\n\n".join(
        "$$\\begin{aligned}\n" + rows.replace("{}", right) + "\n\\end{aligned}$$"
        for right in (r"-y_i y_j", r"y_i y_j")
    )
    report = check(tmp_path, front, body.replace("{{if }}", "{if }"))
    assert [s.status for s in report.steps] == ["proved", "proved", "proved", "refuted"]
    second = report.steps[3].step
    assert second.left.text == r"\frac{\partial y_i}{\partial z_j}"
    assert "under the condition `i \\neq j`" in report.steps[3].message


def test_a_vector_entry_is_not_captured_by_a_sum(tmp_path: Path) -> None:
    """The entry index is none of the claim's letters, bound ones included."""
    front = '[sizes]\nK = "classes"\n[indices]\ni = "K"\nj = "K"\nk = "K"\n'
    body = (
        r"$$\left(-\delta_{1,1} + \sum_{i=2}^{K} \left(-\delta_{i1}\right), \ldots, "
        r"-\delta_{1,1} + \sum_{i=2}^{K} \left(-\delta_{iK}\right)\right) = "
        r"\left(\sum_{i=1}^{K} \left(-\delta_{i1}\right), \ldots, "
        r"\sum_{i=1}^{K} \left(-\delta_{iK}\right)\right)$$"
    )
    (step,) = check(tmp_path, front, body).steps
    assert step.status == "refuted"
    assert "compared the vectors at entry j" in step.message
