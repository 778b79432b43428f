r"""Case splits, ellipses, written-out vectors and matrices: read as their authors mean them."""

from pathlib import Path

import pytest
import sympy as sp

from derive import api
from derive.checking.results import Report
from derive.errors import DeriveError, LatexError
from derive.model import Scope
from derive.reading.latex import parse_expression

FRONT = r"""+++
name = "patterns"
[sizes]
K = "classes"
[indices]
i = "K"
j = "K"
k = "K"
[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}'
"E" = '-\sum_{k=1}^{K} t_k \ln y_k'
"""
SCOPE = Scope({"i": "K", "j": "K", "k": "K"}, frozenset({"K"}))


def check(tmp_path: Path, *claims: tuple[str, str]) -> Report:
    """Check claims ``(statement, expect)`` under the softmax front matter."""
    tables = "".join(
        f"[[claims]]\nname = \"c{n}\"\nstatement = '''{text}'''\nexpect = \"{expect}\"\n"
        for n, (text, expect) in enumerate(claims)
    )
    path = tmp_path / "doc.md"
    path.write_text(f"{FRONT}{tables}+++\n", encoding="utf-8")
    return api.check(api.load(str(path)))


def statuses(report: Report) -> list[str]:
    """The status of each claim, in order."""
    return [r.verdict.status for r in report.results]


def load_error(tmp_path: Path, statement: str) -> str:
    """The message of the error that loading one claim raises."""
    with pytest.raises(DeriveError) as caught:
        check(tmp_path, (statement, "proved"))
    return caught.value.message


JACOBIAN = r"\frac{\partial y_i}{\partial z_j} = \begin{cases} "


def test_the_softmax_jacobian_as_cases_is_proved(tmp_path: Path) -> None:
    """The two-case Jacobian, written four ways, is proved for all K."""
    report = check(
        tmp_path,
        (JACOBIAN + r"y_i(1-y_i) & i = j \\ -y_i y_j & i \neq j \end{cases}", "proved"),
        (
            JACOBIAN + r"y_i(1-y_i), & \text{if } i = j, \\ -y_i y_j & \text{otherwise.}"
            r" \end{cases}",
            "proved",
        ),
        (JACOBIAN + r"-y_i y_j & \text{for } i \neq j \\ y_j(1-y_j) & i = j \end{cases}", "proved"),
        (JACOBIAN + r"y_i(1-y_i) & i = j \\ y_i y_j & i \neq j \end{cases}", "refuted"),
    )
    assert statuses(report) == ["proved", "proved", "proved", "refuted"]
    wrong = report.results[3].verdict
    assert wrong.counterexample is not None
    point = dict(wrong.counterexample.indices)
    assert point["i"] != point["j"]  # the wrong branch is the off-diagonal one


def test_cases_value_is_the_delta_form() -> None:
    """`cases` reads to δ·(first) + (1 − δ)·(second), exactly."""
    written = parse_expression(r"\begin{cases} a & k = j \\ b & k \neq j \end{cases}", SCOPE)
    names = {s.name: s for s in written.free_symbols}
    k, j, a, b = (names[n] for n in "kjab")
    assert written.xreplace({k: 2, j: 2}) == a
    assert written.xreplace({k: 1, j: 2}) == b
    assert written.has(sp.KroneckerDelta(k, j))


@pytest.mark.parametrize(
    ("rows", "says"),
    [
        (r"a & i = j \\ b & i = k", "two conditions hold"),
        (r"a & i = j", "none of its conditions holds"),
        (r"a & \text{otherwise} \\ b & i = j", "needs a condition"),
        (r"a & i > j \\ b & i \le j", "compares indices"),  # orders: real scalars only
    ],
)
def test_cases_whose_conditions_do_not_split_are_refused(
    tmp_path: Path, rows: str, says: str
) -> None:
    """Conditions that overlap, leave a gap, or order indices are refused with why."""
    message = load_error(tmp_path, rf"E = \begin{{cases}} {rows} \end{{cases}}")
    assert says in message


def test_ellipsis_in_a_sum_is_the_sum_it_abbreviates(tmp_path: Path) -> None:
    r"""`e^{z_1} + \\dots + e^{z_K}` is Σ_n e^{z_n}; an extra term and a wrong pattern are not."""
    report = check(
        tmp_path,
        (r"y_j = \frac{e^{z_j}}{e^{z_1} + e^{z_2} + \cdots + e^{z_K}}", "proved"),
        (r"\sum_{k=1}^{K} t_k = t_1 + \ldots + t_K", "proved"),
        (r"\sum_{k=1}^{K} t_k = t_1 + t_2 + \dots + t_K + t_1", "refuted"),
    )
    assert statuses(report) == ["proved", "proved", "refuted"]
    notes = report.results[0].claim.notes
    assert any(n.startswith("read `e^{z_1} + e^{z_2} + \\cdots + e^{z_K}` as") for n in notes)


def test_ellipsis_over_terms_with_a_labelled_brace(tmp_path: Path) -> None:
    r"""`\underbrace{2}_{\text{…}} t_1 + \dots`: the label is prose, in every term alike."""
    brace = r"\underbrace{2}_{\text{twice}}"
    report = check(
        tmp_path,
        (rf"{brace} t_1 + \dots + {brace} t_K = 2 \sum_k t_k", "proved"),
        (rf"{brace} t_1 + {brace} t_2 + \cdots + {brace} t_K = \sum_k t_k", "refuted"),
    )
    assert statuses(report) == ["proved", "refuted"]
    assert any(r"as `\sum_{n=1}^{K} {2} t_n`" in n for n in report.results[0].claim.notes)


@pytest.mark.parametrize(
    "text",
    [
        r"x_1 + y_2 + \dots + x_K",  # the second term is not the pattern at 2
        r"x_1 + x_3 + \dots + x_K",  # odd terms, or every term?
        r"a x_1 + \dots + b x_K",  # differs outside a subscript
        r"x_2 + \dots + x_1",  # counts down
        r"x_1 + \dots",  # no last term
        r"(x_2, \dots, x_K)",  # a vector of symbolic length that starts at 2
    ],
)
def test_unclear_ellipses_are_refused(text: str) -> None:
    """An ellipsis whose pattern is not clear is not read."""
    with pytest.raises(LatexError):
        parse_expression(text, SCOPE)


def test_written_out_vectors_are_checked_entry_by_entry(tmp_path: Path) -> None:
    """A fixed-size row is checked at each entry; the first wrong entry is the evidence."""
    report = check(
        tmp_path,
        (r"(w_1, w_2, \dots, w_4) = \begin{pmatrix} w_1 & w_2 & w_3 & w_4 \end{pmatrix}", "proved"),
        (r"(x_1 + w_1, \dots, x_3 + w_3) = (x_1, x_2, x_3) + (w_1, w_2, w_2)", "refuted"),
    )
    assert statuses(report) == ["proved", "refuted"]
    assert report.results[1].verdict.form == "entry (1, 3) of each side"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (r"\begin{vmatrix} a & b \\ c & d \end{vmatrix}", "determinant"),
        (r"\begin{bmatrix} a & b \\ \vdots & \ddots \end{bmatrix}", "`\\vdots`"),
        (r"\begin{bmatrix} a & b \\ c \end{bmatrix}", "different numbers of entries"),
        (r"x(a, b)", "neither a product nor a call"),
    ],
)
def test_matrices_not_read_say_why(text: str, says: str) -> None:
    """Determinants, patterns down a matrix, ragged rows and undeclared calls are refused."""
    with pytest.raises(LatexError) as caught:
        parse_expression(text, SCOPE)
    assert says in caught.value.message
