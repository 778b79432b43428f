"""The command line: exit codes, tables, JSON, list and show."""

import io
import json
import shutil
from pathlib import Path

import pytest

from derive.cli import main

CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"
CLAIM_KEYS = {
    "name",
    "statement",
    "expect",
    "status",
    "sizes",
    "method",
    "ms",
    "residual",
    "counterexample",
    "holds_under",
    "side_conditions",
    "notes",
    "message",
    "as_expected",
    "timed_out",
}


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_check_softmax_ce() -> None:
    """Every claim as expected: exit 0, a table with each claim and its verdict."""
    code, out, err = run("check", "softmax-ce")
    assert code == 0, out + err
    assert "gradient-needs-targets" in out and "refuted (expected)" in out
    assert "proved" in out and "all K ≥ 1" in out
    assert "holds under `targets`" in out
    assert "left − right = (Σ_i t_i − 1)·y_j" in out


def test_json_schema() -> None:
    """--json prints exactly one object of the documented shape, nothing else."""
    code, out, _ = run("check", "softmax-ce", "softmax", "--json")
    data = json.loads(out)
    assert code == 0
    assert data["ok"] is True and isinstance(data["seed"], int)
    assert [d["name"] for d in data["documents"]] == ["softmax-ce", "softmax"]
    for doc in data["documents"]:
        assert set(doc) == {
            "name",
            "title",
            "path",
            "ok",
            "cached",
            "seed",
            "claims",
            "steps",
            "steps_summary",
            "first_wrong_step",
            "unread",
            "no_verdict",
            "inferred",
        }
        assert doc["ok"] is True and doc["cached"] is False
        assert doc["first_wrong_step"] is None
        assert isinstance(doc["unread"], list) and doc["no_verdict"] is False
        for claim in doc["claims"]:
            assert set(claim) == CLAIM_KEYS
            assert claim["status"] in {"proved", "verified", "refuted", "vacuous", "undecided"}
    refuted = next(
        c for c in data["documents"][0]["claims"] if c["name"] == "gradient-needs-targets"
    )
    assert refuted["status"] == "refuted"
    assert refuted["holds_under"] == ["targets"]
    assert refuted["counterexample"]["sizes"] == {"K": 2}
    assert refuted["residual"].replace(" ", "") in {
        r"y_{j}\left(\sum_{i=1}^{K}t_{i}-1\right)",
        r"\left(\sum_{i=1}^{K}t_{i}-1\right)y_{j}",
    }


def planted(tmp_path: Path, statement: str, expect: str = "proved", assume: str = "") -> Path:
    """A copy of softmax-ce with one extra claim."""
    text = (CATALOGUE / "softmax-ce.md").read_text(encoding="utf-8")
    extra = f'[[claims]]\nname = "planted"\nstatement = \'{statement}\'\nexpect = "{expect}"\n'
    if assume:
        extra += f'assume = ["{assume}"]\n'
    head, rest = text.split("+++\n", 2)[1:]
    path = tmp_path / "planted.md"
    path.write_text(f"+++\n{head}\n{extra}+++\n{rest}", encoding="utf-8")
    return path


def test_refuted_claim_exit_1(tmp_path: Path) -> None:
    """A false claim: exit 1 and the evidence, with numbers."""
    path = planted(tmp_path, r"\frac{\partial E}{\partial z_j} = t_j - y_j", assume="targets")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert "planted: refuted: ∂E/∂z_j = t_j − y_j  at K=2" in out
    assert "left " in out and "right " in out


def test_proved_where_refuted_expected_exit_1(tmp_path: Path) -> None:
    """A true claim marked expect = refuted fails too."""
    path = planted(tmp_path, r"\frac{\partial E}{\partial z_j} = y_j - t_j", "refuted", "targets")
    code, out, _ = run("check", str(path))
    assert code == 1
    assert "expected refuted" in out


def test_undecided_exit_3(tmp_path: Path) -> None:
    """A claim derive cannot decide (a derivative inside another's body) is undecided: exit 3."""
    path = planted(
        tmp_path,
        r"\frac{\partial}{\partial z_j} \left(z_j \frac{\partial E}{\partial z_j}\right) = "
        r"\frac{\partial E}{\partial z_j}",
    )
    code, out, _ = run("check", str(path), "--json")
    planted_claim = json.loads(out)["documents"][0]["claims"][-1]
    assert planted_claim["status"] == "undecided"
    assert code == 3


def test_list_and_show() -> None:
    """List names every document; show prints claims in Unicode."""
    code, out, _ = run("list")
    assert code == 0
    assert "softmax-ce" in out and "softmax " in out
    code, out, _ = run("show", "softmax-ce")
    assert code == 0
    assert "claim   gradient: ∂E/∂z_j = y_j − t_j" in out
    assert "assume  targets: Σ_k t_k = 1" in out


def test_help_lists_exit_codes() -> None:
    """--help documents the exit codes."""
    code, out, _ = run("check", "--help")
    assert code == 0
    assert "exit codes:" in out and "3  a claim is undecided" in out


def test_works_from_another_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Catalogue names resolve from any directory; ./derivations is searched first."""
    monkeypatch.chdir(tmp_path)
    assert run("check", "softmax")[0] == 0
    local = tmp_path / "derivations"
    local.mkdir()
    shutil.copy(CATALOGUE / "softmax.md", local / "softmax.md")
    code, out, _ = run("check", "softmax", "--json")
    assert code == 0
    assert json.loads(out)["documents"][0]["path"] == "derivations/softmax.md"  # as typed


@pytest.mark.parametrize(
    "argv", [["check"], ["frobnicate"], ["check", "softmax", "--timeout", "0"]]
)
def test_usage_errors(argv: list[str]) -> None:
    """Usage errors exit 2."""
    assert run(*argv)[0] == 2


def test_show_functions_shapes_and_nested_sums() -> None:
    """`derive show` lists declared functions and shapes, and sums over two indices."""
    code, out, _ = run("show", "dense-layer")
    assert code == 0 and "function act(u): the hidden layer's activation" in out
    code, out, _ = run("show", "two-layer-net")
    assert code == 0 and "shape W^{(1)}: H x N" in out
    code, out, _ = run("show", "softmax-bce")
    assert "define  C = −Σ_{t,r} (" in out
