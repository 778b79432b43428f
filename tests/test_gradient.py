"""``derive diff``: a derivative in the document's own names, proved equal to the raw one."""

import io
import json

import pytest
import sympy as sp

from derive import api, differentiate, present
from derive.cli import main
from derive.errors import DeriveError

# (document, expression, variable, assumptions, the form shown, the claim it restates)
CASES = [
    ("softmax", "y_k", "z_j", (), "(δ_jk − y_j)·y_k", "jacobian"),
    ("softmax", "y_k", "z_k", (), "(1 − y_k)·y_k", "diagonal"),
    ("softmax-ce", "E", "z_j", ("targets",), "y_j − t_j", "gradient"),
    ("softmax-ce", "E", "z_j", (), "Σ_i t_i·y_j − t_j", "general-gradient"),
    ("softmax-ce", "E", "y_k", (), "−t_k/y_k", "dE-dy"),
    ("softmax-ce", r"\ln y_j", "z_j", (), "1 − y_j", "log-lemma-diagonal"),
    ("softmax-ce", r"\bar{E}", "z_j", ("targets",), "(y_j − t_j)/N", "mean-over-batch"),
    ("softmax-ce", r"\tilde{E}", "z_j", ("targets",), "(y_j − t_j)/ln(a)", "log-base-a"),
    ("sigmoid", r"\sigma(z)", "z", (), "(1 − σ(z))·σ(z)", "derivative"),
    ("sigmoid", "y^{(1)}_u", "z^{(1)}_v", (), "(1 − y^{(1)}_u)·y^{(1)}_u·δ_uv", "jacobian-entries"),
    ("dense-layer", "C", "b^{(L)}_k", (), "Σ_r ∂C/∂z^{(L)}_rk", "last-bias"),
    ("dense-layer", "C", "w^{(L)}_{jk}", (), "Σ_r ∂C/∂z^{(L)}_rk·a^{(l)}_rj", "last-weights"),
    ("dense-layer", "C", "{}^r a^{(l)}_j", (), "Σ_k ∂C/∂z^{(L)}_rk·w^{(L)}_jk", "last-inputs"),
    ("two-layer-net", "E", "z^{(2)}_k", ("targets",), "y_k − t_k", "output-gradient-entries"),
    ("two-layer-net", "E", "W^{(2)}_{uv}", ("targets",), "(y_u − t_u)·y^{(1)}_v", "second-weights"),
]


@pytest.mark.parametrize(("doc", "expr", "wrt", "assume", "shown", "claim"), CASES)
def test_derivative_in_the_documents_names(doc, expr, wrt, assume, shown, claim):
    """The form shown, proved equal; it is the claim's right side or no longer than it."""
    document = api.load(doc)
    gradient = differentiate(document, expr, wrt, assume)
    assert present.unicode(gradient.result) == shown
    assert gradient.verdict.status == "proved"
    stated = document.claim(claim)
    assert gradient.derivative == stated.lhs
    assert gradient.result == stated.rhs or sp.count_ops(gradient.result) <= sp.count_ops(
        stated.rhs
    )


def test_cli_unicode_latex_and_json():
    """The three outputs of `derive diff`, and what was established."""
    out = io.StringIO()
    assert main(["diff", "softmax-ce", "E", "z_j", "--assume", "targets"], stdout=out) == 0
    assert out.getvalue().splitlines() == [
        "∂E/∂z_j = y_j − t_j",
        "  proved equal to the derivative for all K ≥ 1 under targets "
        "(index calculus (normal form))",
    ]
    out = io.StringIO()
    assert main(["diff", "softmax", "y_k", "z_j", "--latex"], stdout=out) == 0
    assert out.getvalue().strip() == (
        r"\frac{\partial y_{k}}{\partial z_{j}} = \left(\delta_{jk} - y_{j}\right) y_{k}"
    )
    out = io.StringIO()
    assert main(["diff", "softmax-ce", "E", "z_j", "--json"], stdout=out) == 0
    data = json.loads(out.getvalue())
    assert {"expression", "wrt", "assume", "result", "unicode", "status"} <= set(data)
    assert (data["expression"], data["wrt"], data["assume"], data["status"]) == (
        "E",
        "z_j",
        [],
        "proved",
    )
    assert data["unicode"] == "Σ_i t_i·y_j − t_j"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["softmax-ce", "E +", "z_j"], "derive: EXPR:1:4: expected an expression after `+`"),
        (["softmax-ce", "E", "z_q"], "derive: WRT:1:3: undefined index `q` in `z_q`"),
        (["softmax-ce", "E", "z_j", "--assume", "nope"], "`nope` is not an assumption"),
        (["no-such-doc", "E", "z_j"], "no document called `no-such-doc`"),
        (["two-layer-net", "E", "z^{(2)}"], "is a matrix; differentiate by an element"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv, message):
    """A bad expression, variable, assumption or document: one line, a position, exit 2."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["diff", *argv], stdout=out, stderr=err) == 2
    assert out.getvalue() == ""
    assert len(err.getvalue().splitlines()) == 1 and message in err.getvalue()


def test_api_raises_with_position():
    """The Python API raises DeriveError with the argument named in its position."""
    with pytest.raises(DeriveError) as info:
        differentiate(api.load("softmax"), "y_k", r"\frac{z}{")
    assert str(info.value.position).startswith("WRT:1:")
