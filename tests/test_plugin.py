"""The pytest plugin, run in temporary projects (pytester), and the Python API."""

import re

import pytest
import sympy as sp

import derive

DOCUMENT = r"""+++
name = "planted"

[sizes]
K = "classes"

[indices]
i = "K"
j = "K"
k = "K"

[definitions]
"y_k" = '\frac{e^{z_k}}{\sum_{i=1}^{K} e^{z_i}}'
"E" = '-\sum_{k=1}^{K} t_k \ln y_k'

[assumptions]
targets = '\sum_{k=1}^{K} t_k = 1'

[[claims]]
name = "gradient"
statement = '\frac{\partial E}{\partial z_j} = y_j - t_j'
assume = ["targets"]

[[claims]]
name = "planted-sign"
statement = '\frac{\partial E}{\partial z_j} = t_j - y_j'
assume = ["targets"]

[[claims]]
name = "needs-targets"
statement = '\frac{\partial E}{\partial z_j} = y_j - t_j'
expect = "refuted"
+++

$$\frac{\partial E}{\partial y_k} = -\frac{t_k}{y_k}$$

$$= \frac{t_k}{y_k}$$
"""


@pytest.fixture
def project(pytester: pytest.Pytester) -> pytest.Pytester:
    """A project with one document in derivations/ and one elsewhere."""
    pytester.mkdir("derivations")
    (pytester.path / "derivations" / "planted.md").write_text(DOCUMENT, encoding="utf-8")
    (pytester.path / "notes.md").write_text("# Just notes, no front matter\n", encoding="utf-8")
    return pytester


def test_documents_are_items_with_readable_failures(project: pytest.Pytester) -> None:
    """Claims and steps are items; a failure shows statement, counterexample, residual."""
    result = project.runpytest("--derive", "-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2)
    result.stdout.fnmatch_lines(
        [
            "*derivations/planted.md::gradient PASSED*",
            "*derivations/planted.md::planted-sign FAILED*",
            "*derivations/planted.md::needs-targets PASSED*",
            "*derivations/planted.md::line-35 PASSED*",
            "*derivations/planted.md::line-37 FAILED*",
        ]
    )
    text = result.stdout.str()
    assert "claim `planted-sign` (expected proved)" in text
    assert "counterexample:" in text and "left − right = 2·y_j − 2·t_j" in text
    assert "line 37, column 5: a wrong step" in text
    assert "Traceback" not in text and "runtest" not in text


def test_inert_unless_enabled(project: pytest.Pytester) -> None:
    """Without --derive (or the ini option) no document is collected."""
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes()
    assert "planted" not in result.stdout.str()


def test_ini_option_and_named_documents_elsewhere(project: pytest.Pytester) -> None:
    """`derive = true` in the ini file; a named document outside derive_paths too."""
    project.makeini("[pytest]\nderive = true\n")
    (project.path / "extra.md").write_text(DOCUMENT.replace("planted", "extra"), encoding="utf-8")
    result = project.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=6, failed=4)


def test_marker_and_fixture_under_strict_markers(project: pytest.Pytester) -> None:
    """@pytest.mark.derive is registered; derive_identity fails with a readable message."""
    project.makepyfile(
        test_identities="""
        import pytest
        import sympy as sp

        K = sp.Symbol("K", integer=True, positive=True)
        j, k = sp.symbols("j k", integer=True, positive=True)
        z = sp.IndexedBase("z")

        def y(a):
            return sp.exp(z[a]) / sp.Sum(sp.exp(z[k]), (k, 1, K))

        @pytest.mark.derive(sizes=(2, 3), timeout=30)
        def test_jacobian(derive_identity):
            lhs = sp.Derivative(y(j), z[j])
            derive_identity(lhs, y(j) * (1 - y(j)), indices={j: K})

        def test_wrong_jacobian(derive_identity):
            derive_identity(sp.Derivative(y(j), z[j]), y(j), indices={j: K})
        """
    )
    result = project.runpytest("--strict-markers", "-p", "no:cacheprovider", "test_identities.py")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*AssertionError*", "*refuted*", "*counterexample:*"])


def test_works_with_xdist(project: pytest.Pytester) -> None:
    """With pytest-xdist (-n 2) the same items pass and fail."""
    pytest.importorskip("xdist")
    result = project.runpytest("--derive", "-n", "2", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3, failed=2)


def test_api_prove_and_assert_identity() -> None:
    """derive.prove and derive.assert_identity on SymPy expressions built in Python."""
    K = sp.Symbol("K", integer=True, positive=True)
    j, k = sp.symbols("j k", integer=True, positive=True)
    z, t = sp.IndexedBase("z"), sp.IndexedBase("t")
    y = sp.exp(z[j]) / sp.Sum(sp.exp(z[k]), (k, 1, K))
    E = -sp.Sum(t[k] * sp.log(sp.exp(z[k]) / sp.Sum(sp.exp(z[j]), (j, 1, K))), (k, 1, K))
    targets = sp.Eq(sp.Sum(t[k], (k, 1, K)), 1)
    verdict = derive.prove(sp.Derivative(E, z[j]), y - t[j], assume=[targets], indices={j: K})
    assert (verdict.status, verdict.sizes) == ("proved", "all K ≥ 1")
    with pytest.raises(AssertionError) as info:
        derive.assert_identity(sp.Derivative(E, z[j]), y - t[j], indices={j: K})
    message = str(info.value)
    assert "refuted" in message and "counterexample:" in message
    assert re.search(r"left − right = \(Σ_\S+ t_\S+ − 1\)·e\^\{z_j\}", message), message
    with pytest.raises(derive.DeriveError):
        derive.prove("y_j", "y_j")


@pytest.mark.parametrize(
    ("options", "expected"),
    [(("-k", "gradient or test_"), {"passed": 2}), (("-n", "2"), {"passed": 4, "failed": 2})],
)
def test_documents_join_testpaths_whatever_the_option_values(
    project: pytest.Pytester, options: tuple[str, ...], expected: dict[str, int]
) -> None:
    """Option values (`-k NAME`, `-n 2`) are not paths: derive_paths are still added."""
    if "-n" in options:
        pytest.importorskip("xdist")
    project.makeini("[pytest]\nderive = true\ntestpaths = tests\n")
    project.mkdir("tests")
    (project.path / "tests" / "test_plain.py").write_text("def test_one():\n    pass\n")
    result = project.runpytest(*options, "-p", "no:cacheprovider")
    result.assert_outcomes(**expected)


UNSETTLED = r"""+++
name = "unsettled"

[sizes]
N = "length"

[shapes]
x = "N"
+++

$$1 - \tanh^2 = 1 + \tanh^2$$

$$x = x$$

$$N = N$$
"""


@pytest.fixture
def unsettled(pytester: pytest.Pytester) -> pytest.Pytester:
    """A document with a step not understood, an undecided step and one that holds."""
    pytester.mkdir("derivations")
    path = pytester.path / "derivations" / "unsettled.md"
    path.write_text(UNSETTLED, encoding="utf-8")
    return pytester


def test_unsettled_steps_are_skipped_with_their_reason(unsettled: pytest.Pytester) -> None:
    """A step not understood or undecided is skipped, not passed, with its reason."""
    result = unsettled.runpytest("--derive", "-v", "-rs", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, skipped=2)
    result.stdout.fnmatch_lines(
        [
            "*unsettled.md::line-11 SKIPPED*",
            "*unsettled.md::line-13 SKIPPED*",
            "*unsettled.md::line-15 PASSED*",
            "SKIPPED*line 11, column 17: not understood: ambiguous power on `\\tanh`*",
            "SKIPPED*line 13, column 7: undecided:*",
        ]
    )


@pytest.mark.parametrize("how", ["option", "ini"])
def test_strict_fails_unsettled_steps(unsettled: pytest.Pytester, how: str) -> None:
    """--derive-strict (or derive_strict = true) fails those steps, with a report."""
    if how == "ini":
        unsettled.makeini("[pytest]\nderive = true\nderive_strict = true\n")
    args = ["--derive", "--derive-strict"] if how == "option" else []
    result = unsettled.runpytest(*args, "-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=2)
    text = result.stdout.str()
    assert "line 11, column 17: a step not understood" in text
    assert "line 13, column 7: an undecided step" in text
    assert "Traceback" not in text and "runtest" not in text


def test_refused_document_is_one_line_failure(pytester: pytest.Pytester) -> None:
    """A meaning error, or a body over the step limit: one failing item, file:line:col."""
    pytester.mkdir("derivations")
    typed = '+++\nname = "t"\n[sizes]\nK = "c"\n[indices]\nk = "K"\n'
    typed += "[definitions]\n\"E\" = 'z_k + z'\n+++\n"
    (pytester.path / "derivations" / "typed.md").write_text(typed, encoding="utf-8")
    big = '+++\nname = "big"\n+++\n' + "$$ x = x $$\n" * 1001
    (pytester.path / "derivations" / "big.md").write_text(big, encoding="utf-8")
    result = pytester.runpytest("--derive", "-p", "no:cacheprovider")
    result.assert_outcomes(failed=2)
    text = result.stdout.str()
    assert re.search(r"typed\.md:8:\d+: `z_k` has one subscript", text), text
    assert re.search(r"big\.md:1004:8: the body has more than 1000 steps", text), text
    assert "Traceback" not in text and "runtest" not in text
