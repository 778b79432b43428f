"""``derive diff``: a derivative in the document's own names, proved equal to the raw one."""

import io
import json
import re
from collections.abc import Iterator
from dataclasses import replace
from functools import cache

import pytest
import sympy as sp
from _pytest.mark import ParameterSet

from derive import api, differentiate
from derive.cli import main
from derive.errors import DeriveError
from derive.printing import notation
from derive.proving.gradient import Gradient
from tests import catalogue
from tests.numeric import holds_numerically


@cache
def gradient_of(
    doc: str, expr: str, wrt: str, assume: tuple[str, ...], stated: bool = True
) -> Gradient:
    """``derive diff`` of a catalogue document, once per test process for each question."""
    return differentiate(catalogue.document(doc), expr, wrt, assume, stated=stated)


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
    (
        "dense-layer",
        "C",
        "b^{(l)}_j",
        (),
        "Σ_{k,r} ∂C/∂z^{(L)}_rk·w^{(L)}_jk·act'(z^{(l)}_rj)",
        "hidden-bias",
    ),
    ("two-layer-net", "E", "z^{(2)}_k", ("targets",), "y_k − t_k", "output-gradient-entries"),
    ("two-layer-net", "E", "W^{(2)}_{uv}", ("targets",), "(y_u − t_u)·y^{(1)}_v", "second-weights"),
]


@pytest.mark.parametrize(("doc", "expr", "wrt", "assume", "shown", "claim"), CASES)
def test_derivative_in_the_documents_names(
    doc: str, expr: str, wrt: str, assume: tuple[str, ...], shown: str, claim: str
) -> None:
    """Found by folding alone (the claims' forms not offered): proved equal, no longer."""
    document = catalogue.document(doc)
    gradient = gradient_of(doc, expr, wrt, assume, stated=False)
    assert gradient.stated_in == ""
    assert notation.unicode(gradient.result) == shown
    assert gradient.verdict.status == "proved"
    stated = document.claim(claim)
    assert gradient.derivative == stated.lhs
    assert gradient.result == stated.rhs or sp.count_ops(gradient.result) <= sp.count_ops(
        stated.rhs
    )
    assert holds_numerically(document, replace(stated, rhs=gradient.result))  # independent


def test_cli_unicode_latex_and_json() -> None:
    """The three outputs of `derive diff`, and what was established."""
    out = io.StringIO()
    assert main(["diff", "softmax-ce", "E", "z_j", "--assume", "targets"], stdout=out) == 0
    assert out.getvalue().splitlines() == [
        "∂E/∂z_j = y_j − t_j",
        "  proved equal to the derivative for all K ≥ 1 under targets "
        "(index calculus (normal form)); the form claim `gradient` states",
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
    assert (data["unicode"], data["stated_in"]) == ("y_j·Σ_k t_k − t_j", "general-gradient")


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["softmax-ce", "E +", "z_j"], "derive: EXPR:1:4: expected an expression after `+`"),
        (["softmax-ce", "E", "z_q"], "derive: WRT:1:3: undefined index `q` in `z_q`"),
        (["softmax-ce", "E", "z_j", "--assume", "nope"], "`nope` is not an assumption"),
        (["no-such-doc", "E", "z_j"], "no document called `no-such-doc`"),
        (["two-layer-net", "E", "x"], "is a matrix, and two-layer-net states no matrix form"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(argv: list[str], message: str) -> None:
    """A bad expression, variable, assumption or document: one line, a position, exit 2."""
    out, err = io.StringIO(), io.StringIO()
    assert main(["diff", *argv], stdout=out, stderr=err) == 2
    assert out.getvalue() == ""
    assert len(err.getvalue().splitlines()) == 1 and message in err.getvalue()


def test_api_raises_with_position() -> None:
    """The Python API raises DeriveError with the argument named in its position."""
    with pytest.raises(DeriveError) as info:
        differentiate(api.load("softmax"), "y_k", r"\frac{z}{")
    assert str(info.value.position).startswith("WRT:1:")


STATED = [
    ("softmax-bce", r"\ln \text{soft}(\mathbf{z}, j)", "z_j", "lemma-own"),
    ("softmax-bce", "c", "z_j", "one-sample"),
    ("softmax-bce", "C", "{}^r z_j^{(L)}", "batch"),
    ("two-layer-net", "E", "z^{(1)}_h", "hidden-gradient-entries"),
    ("two-layer-net", "E", "W^{(1)}_{hi}", "first-weights"),
]


@pytest.mark.parametrize(("doc", "expr", "wrt", "claim"), STATED)
def test_forms_the_document_states(doc: str, expr: str, wrt: str, claim: str) -> None:
    """Where folding falls short, the document's own form wins once it is proved equal."""
    document = catalogue.document(doc)
    stated = document.claim(claim)
    gradient = gradient_of(doc, expr, wrt, stated.assume)
    assert (gradient.result, gradient.stated_in) == (stated.rhs, claim)
    assert gradient.derivative == stated.lhs
    assert gradient.verdict.status == "proved"


def test_matrix_form_by_a_whole_vector() -> None:
    """By a whole vector: the matrix form the document states, proved entry by entry."""
    out = io.StringIO()
    argv = ["diff", "two-layer-net", "E", "z^{(1)}", "--assume", "targets"]
    assert main(argv, stdout=out) == 0
    assert out.getvalue().splitlines()[0] == (
        "∂E/∂z^{(1)} = (y − t)ᵀ·W^{(2)}·diag(y^{(1)} ⊙ (1 − y^{(1)}))"
    )
    assert "entry (1, h) of each side" in out.getvalue()
    out = io.StringIO()
    assert main(["diff", "two-layer-net", "E", "z^{(2)}"], stdout=out, stderr=out) == 2
    assert "states no matrix form" in out.getvalue()  # (y − t)^T needs `targets`


DIFFERENTIATED = [
    "softmax",
    "softmax-ce",
    "softmax-bce",
    "sigmoid",
    "dense-layer",
    "two-layer-net",
    "mse-linear-regression",
    "logistic-regression",
    "log-softmax",
    "batch-norm",
    "layer-norm",
    "attention",
    "losses",
    "convolution",
    "activations",
    "margin-losses",
    "recurrent",
]
# `derive diff` writes these in the document's names in 12 s to minutes, past its 10 s limit
# (`derive diff recurrent h_k p_j` for minutes): `derive check` proves each claim itself
SLOW = {
    ("recurrent", "lstm-state-jacobian"),
    ("recurrent", "lstm-cell-path"),
    ("batch-norm", "input-gradient"),
    ("layer-norm", "input-gradient"),
}


def derivative_claims() -> Iterator[ParameterSet]:
    """Every catalogue claim expected to hold whose left side is ∂EXPR/∂WRT, as LaTeX."""
    pattern = re.compile(
        r"^\\frac\{(?:\\partial|d)\s*(?P<top>.+)\}\{(?:\\partial|d)\s*(?P<var>[^{}]*(\{[^{}]*\}[^{}]*)*)\}$"
        r"|^\\frac\{(\\partial|d)\}\{(\\partial\s*|d)(?P<var2>[^{}]*(\{[^{}]*\}[^{}]*)*)\}"
        r"\s*(?P<top2>.+)$"
    )
    seen = set()
    for name in DIFFERENTIATED:
        doc = catalogue.document(name)
        for claim in doc.claims:
            if claim.expect != "proved" or claim.where or not isinstance(claim.lhs, sp.Derivative):
                continue
            if (name, claim.name) in SLOW:
                continue
            if len(claim.lhs.variables) > 1:  # a second derivative: `derive diff` takes one
                continue
            left = left_side(claim.text)
            match = pattern.match(left)
            assert match, left
            top, var = match["top"] or match["top2"], match["var"] or match["var2"]
            if (name, claim.lhs, claim.assume) not in seen:
                seen.add((name, claim.lhs, claim.assume))
                yield pytest.param(name, top, var, claim.name, id=f"{name}-{claim.name}")


def left_side(statement: str) -> str:
    """The text before the top-level `=` of a statement."""
    depth = 0
    for n, char in enumerate(statement):
        depth += {"{": 1, "(": 1, "[": 1, "}": -1, ")": -1, "]": -1}.get(char, 0)
        if char == "=" and depth == 0:
            return statement[:n].strip()
    raise AssertionError(statement)


@pytest.mark.parametrize(("doc", "top", "var", "claim"), list(derivative_claims()))
def test_every_catalogue_derivative(doc: str, top: str, var: str, claim: str) -> None:
    """`derive diff` on a claim's left side: its right side, or a form no longer, proved."""
    document = catalogue.document(doc)
    stated = document.claim(claim)
    gradient = gradient_of(doc, top, var, stated.assume)
    assert gradient.derivative == stated.lhs
    assert gradient.verdict.status == "proved"
    assert gradient.result == stated.rhs or sp.count_ops(gradient.result) <= sp.count_ops(
        stated.rhs
    )
    assert holds_numerically(document, replace(stated, rhs=gradient.result))  # independent


def test_writing_a_derivative_in_the_documents_names_has_a_time_limit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """`derive diff` of the LSTM state (minutes of folding) stops at its limit, exit 2."""
    out = io.StringIO()
    code = main(["diff", "recurrent", "h_k", "p_j", "--timeout", "1"], stdout=out)
    assert code == 2
    assert "within 1 s" in capsys.readouterr().err
