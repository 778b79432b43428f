"""Readable evidence: residuals in the document's names, counterexamples that respect it."""

import io
import json
import random
import textwrap
from pathlib import Path

import mpmath
import pytest
import sympy as sp

from derive import api, symbols
from derive.cli import main
from derive.model import Document
from derive.printing.notation import unicode
from derive.proving import prove_claim, readable, residuals
from derive.proving.expand import meaning
from derive.proving.residuals import in_names
from derive.verdict import Counterexample, Verdict
from tests.numeric import concrete, evaluate

LOGISTIC = r"""
[sizes]
D = "features"
[indices]
i = "D"
[definitions]
"y" = '\sigma(b + \sum_{i=1}^{D} w_i x_i)'
"E" = '-\left(t \ln y + (1 - t) \ln (1 - y)\right)'
[[claims]]
name = "slope-forgotten"
statement = '\frac{\partial y}{\partial b} = y'
expect = "refuted"
[[claims]]
name = "only-for-positives"
statement = '\frac{\partial E}{\partial b} = y - 1'
expect = "refuted"
"""


def write(tmp_path: Path, front: str, name: str = "doc") -> str:
    """A document with the front matter ``front`` and no body."""
    path = tmp_path / f"{name}.md"
    path.write_text(f'+++\nname = "{name}"\n{textwrap.dedent(front)}+++\n', "utf-8")
    return str(path)


def verdicts(path: str) -> dict[str, Verdict]:
    """Each claim's verdict, by name, as ``derive check`` gives it."""
    return {r.claim.name: r.verdict for r in api.check(api.load(path)).results}


def example_of(verdict: Verdict) -> Counterexample:
    """The verdict's counterexample (there must be one)."""
    assert verdict.status == "refuted" and verdict.counterexample is not None
    return verdict.counterexample


def run(*argv: str) -> tuple[int, str, str]:
    """``derive`` with these arguments: exit code, output, errors."""
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_a_claim_residual_is_in_the_documents_names(tmp_path: Path) -> None:
    """``y = σ(b + Σ w x)``: the residual reads ``(y − 1)·y``, not in exponentials."""
    found = verdicts(write(tmp_path, LOGISTIC))["slope-forgotten"]
    assert found.residual is not None
    shown = unicode(found.residual)
    assert "e^" not in shown and "y" in shown, shown
    assert sp.expand(found.residual - (-(symbols.scalar("y") ** 2))) == 0


def test_catalogue_residuals_are_folded(monkeypatch: pytest.MonkeyPatch) -> None:
    """The logistic regression's slip reads in ``p_n``; the two-layer net's in ``y_k``.

    Folding has a few seconds of wall time; on a loaded machine it can run out and show
    the plain residual (bounded, as it should be). This test is about what folding
    finds, so it gets the time it needs.
    """
    monkeypatch.setattr(residuals, "BUDGET", 60.0)
    expected = {
        ("logistic-regression", "flipped-residual"): "p_n",
        ("two-layer-net", "output-gradient-needs-targets"): "y_k",
        ("sigmoid", "plus-sign"): "σ(z)",
        ("dense-layer", "weights-without-sum-over-samples"): "a^{(l)}",
    }
    for (name, claim), part in expected.items():
        found = verdicts(api.load(name).path)[claim]
        assert found.residual is not None
        shown = unicode(found.residual)
        assert part in shown and "e^{−Σ" not in shown, (claim, shown)


def numeric(doc: Document, expr: sp.Expr, rng: random.Random) -> float:
    """``expr``, every name expanded, at sizes 2 and free indices 1, at a random point."""
    flat = meaning(expr, doc).replace(
        lambda n: isinstance(n, symbols.sigmoid), lambda n: 1 / (1 + sp.exp(-n.args[0]))
    )
    env = {symbols.size(s): 2 for s in doc.sizes}
    env |= {s: 1 for s in flat.free_symbols if isinstance(s, sp.Symbol) and s.is_integer}
    inputs = concrete(flat, env)
    leaves = inputs.atoms(sp.Indexed) | {
        s for s in inputs.free_symbols if isinstance(s, sp.Symbol) and not s.is_integer
    }
    point: dict[sp.Basic, float] = {
        leaf: rng.uniform(-1.5, 1.5) for leaf in sorted(leaves, key=str)
    }
    return evaluate(flat, env, point)


def test_a_folded_residual_equals_the_plain_one() -> None:
    """Folding only puts names back: the two forms agree at random points."""
    cases = [
        ("logistic-regression", "flipped-residual"),
        ("logistic-regression", "extra-slope"),
        ("sigmoid", "dense-jacobian"),
        ("two-layer-net", "output-gradient-needs-targets"),
        ("dense-layer", "activation-for-its-slope"),
        ("attention", "diagonal-softmax"),
    ]
    for name, claim_name in cases:
        doc = api.load(name)
        claim = doc.claim(claim_name)
        raw = prove_claim(doc, claim).residual
        assert raw is not None
        plain, folded = readable(raw, doc), in_names(raw, doc, claim.assume)
        assert folded != plain, claim_name  # the fold did something
        for seed in range(3):
            left = numeric(doc, folded, random.Random(seed))
            right = numeric(doc, plain, random.Random(seed))
            assert abs(left - right) <= 1e-9 * (1 + abs(right)), (claim_name, left, right)


def test_a_binary_label_stays_0_or_1(tmp_path: Path) -> None:
    """``[values] t = "0 or 1"``: the counterexample's t is 0 (at t = 1 the claim holds)."""
    declared = verdicts(write(tmp_path, LOGISTIC + '[values]\nt = "0 or 1"\n', "labelled"))
    example = example_of(declared["only-for-positives"])
    assert example.values["t"] == "0" and not example.unmet
    assert float(example.left) != float(example.right)
    plain = example_of(verdicts(write(tmp_path, LOGISTIC, "plain"))["only-for-positives"])
    assert plain.values["t"] not in ("0", "1")  # the preference, not chance, made it 0


def test_a_target_that_sums_to_1_is_one_hot() -> None:
    """Under ``Σ_k t_k = 1`` declared, the dropped minus is shown at ``t = (1, 0)``."""
    found = verdicts(api.load("softmax-ce").path)["dropped-minus"]
    example = example_of(found)
    assert example.values["t"] == "(1, 0)" and not example.unmet
    assert example.left != example.right


def test_where_no_respecting_point_refutes_the_line_says_why() -> None:
    """The missing assumption holds at every t summing to 1: still refuted, and said so."""
    found = verdicts(api.load("softmax-ce").path)["gradient-needs-targets"]
    example = example_of(found)
    assert example.unmet == ("Σ_k t_k = 1",)
    assert example.values["t"] == "(1, 1)" and example.tried[0] > 0
    code, out, _ = run("check", "softmax-ce", "--json", "--no-cache")
    assert code == 0
    claim = next(
        c
        for c in json.loads(out)["documents"][0]["claims"]
        if c["name"] == "gradient-needs-targets"
    )
    why = (
        "no counterexample with Σ_k t_k = 1 among the values tried: "
        "the two sides are equal at each of them"
    )
    assert claim["status"] == "refuted" and why in claim["notes"]
    assert f"left -0.462117, right -0.731059 ({why}); left − right" in claim["message"]


def place(path: str, written: str) -> tuple[int, int]:
    """The line and column (1-based) where ``written`` first stands in the file."""
    lines = Path(path).read_text("utf-8").split("\n")
    line = next(n for n, text in enumerate(lines) if written in text)
    return line + 1, lines[line].index(written) + 1


def test_an_unknown_kind_of_value_is_refused(tmp_path: Path) -> None:
    """A ``[values]`` entry derive does not know stops the check at its place, exit 2."""
    path = write(tmp_path, LOGISTIC + '[values]\nt = "zero or one"\n')
    code, out, err = run("check", path)
    line, col = place(path, '"zero or one"')
    assert code == 2 and out == ""
    assert err.startswith(
        f"derive: {path}:{line}:{col + 1}: [values] `t` = 'zero or one' is not a kind"
    ), err
    assert '"0 or 1"' in err and '"one-hot"' in err and len(err.strip().split("\n")) == 1


def test_a_defined_name_has_no_values(tmp_path: Path) -> None:
    """``[values]`` describes inputs: a defined name is refused at its key."""
    path = write(tmp_path, LOGISTIC + '[values]\ny = "0 or 1"\n')
    code, _, err = run("check", path)
    line, col = place(path, 'y = "0 or 1"')
    assert code == 2 and err.startswith(
        f"derive: {path}:{line}:{col}: [values] describes inputs"
    ), err


def test_the_values_shown_do_not_depend_on_mpmaths_global_precision(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A side of 4/3 prints as 4/3 whatever precision another library left mpmath at.

    The sides are computed at 50 digits; deciding that one is a simple fraction used
    mpmath's global precision, so a process that had set it (as a test module does)
    printed ``4/3`` where a fresh one printed ``1.33333``.
    """
    path = write(
        tmp_path,
        """
        [[claims]]
        name = "a-third"
        statement = '\\frac{d}{dx} \\frac{x^2}{3} = x'
        expect = "refuted"
        """,
    )
    shown = []
    for digits in (15, 50):
        monkeypatch.setattr(mpmath.mp, "dps", digits)
        shown.append(str(example_of(verdicts(path)["a-third"])))
    assert shown[0] == shown[1]
    assert "4/3" in shown[0]
