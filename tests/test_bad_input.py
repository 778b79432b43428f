"""Bad input on the command line: one line, exit 2, and the rest of the work still done."""

import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive import api
from derive.checking.steps import StepResult
from derive.cli import main
from derive.commands import options
from tests import catalogue

CATALOGUE = Path(__file__).resolve().parent.parent / "derivations"
BROKEN = '+++\ntitle = "No name"\n+++\n$$ x = x $$\n'


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def one_line(err: str) -> None:
    """The error output is one line that starts with the command's name."""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("derive"), err
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("flag", "value"),
    [
        ("--sizes", "1..99999999999999999999"),
        ("--sizes", "1..100000000"),
        ("--sizes", "5..2"),
        ("--sizes", "0,3"),
        ("--sizes", "two"),
        ("--timeout", "inf"),
        ("--timeout", "nan"),
        ("--timeout", "-1"),
        ("--timeout", "1e400"),
        ("--jobs", "0"),
        ("--jobs", "100000"),
        ("--seed", "-1"),
        ("--seed", "1.5"),
        ("--seed", "1_000"),
        ("--jobs", "\u0661"),
        ("--sizes", "1,,2"),
    ],
)
def test_bad_flag_values(flag: str, value: str, tmp_path: Path) -> None:
    """Each bad value is refused as the flags are read: one line naming the flag, exit 2."""
    code, out, err = run("check", "softmax", f"{flag}={value}")
    assert code == 2 and out == ""
    one_line(err)
    assert flag in err


def test_sizes_within_the_documented_maximum() -> None:
    """--sizes takes 1 to MAX_SIZE, as a range or a list, and builds no list past it."""
    assert options.sizes("1..3") == [1, 2, 3]
    assert options.sizes("5,2,5") == [2, 5]
    assert options.sizes(f"1..{options.MAX_SIZE}")[-1] == options.MAX_SIZE
    with pytest.raises(Exception, match="between 1 and"):
        options.sizes(f"1..{options.MAX_SIZE + 1}")


@pytest.mark.parametrize("wrt", [r"\frac{a}{b}", "K", "y_k + 1", "2"])
def test_diff_by_an_expression_or_a_size(wrt: str) -> None:
    """The variable of `derive diff` is a name or an entry, never an expression or a size."""
    code, out, err = run("diff", "softmax", "y_k", wrt)
    assert code == 2 and out == ""
    one_line(err)


def test_diff_timeout_is_checked() -> None:
    """The --timeout of `derive diff` is checked like that of `derive check`."""
    code, _, err = run("diff", "softmax", "y_k", "z_j", "--timeout", "nan")
    assert code == 2
    one_line(err)


def test_closed_pipe_ends_quietly() -> None:
    """A reader that closes the pipe (`| head`) ends derive without a traceback."""
    read, write = os.pipe()
    os.close(read)  # every write fails at once: the reader is gone
    try:
        done = subprocess.run(
            [sys.executable, "-m", "derive", "list"],
            stdout=write,
            stderr=subprocess.PIPE,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        os.close(write)
    assert "Traceback" not in done.stderr and "Exception" not in done.stderr, done.stderr
    assert done.returncode == 0


def test_one_broken_document_does_not_stop_the_others(tmp_path: Path) -> None:
    """bad.md is reported at its place; softmax is still checked; exit 2."""
    bad = tmp_path / "bad.md"
    bad.write_text(BROKEN, encoding="utf-8")
    code, out, err = run("check", str(bad), "softmax", str(tmp_path / "missing.md"), "--no-cache")
    assert code == 2
    assert "Softmax and its Jacobian" in out and "jacobian" in out
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "Traceback" not in err
    assert lines[0].startswith(f"derive: {bad}:1:1: ") or lines[0].startswith(f"derive: {bad}:2:")
    assert "missing.md" in lines[1]


def test_json_lists_the_errors_beside_the_documents(tmp_path: Path) -> None:
    """--json still prints its one object: the checked documents and an `errors` list."""
    bad = tmp_path / "bad.md"
    bad.write_text(BROKEN, encoding="utf-8")
    code, out, err = run("check", str(bad), "softmax", "--json", "--no-cache")
    data = json.loads(out)
    assert code == 2 and err == ""
    assert data["ok"] is False
    assert [d["name"] for d in data["documents"]] == ["softmax"]
    assert data["documents"][0]["ok"] is True
    assert len(data["errors"]) == 1
    assert data["errors"][0]["path"] == str(bad)
    assert data["errors"][0]["message"].startswith(f"{bad}:")


def test_all_and_list_with_a_malformed_document(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A malformed document in ./derivations breaks neither `check --all` nor `list`.

    The packaged catalogue stands in as two of its small documents, so that the whole
    catalogue is not checked once more for this.
    """
    from derive.reading import catalog

    monkeypatch.chdir(tmp_path)
    (tmp_path / "derivations").mkdir()
    (tmp_path / "derivations" / "broken.md").write_text(BROKEN, encoding="utf-8")
    packaged = tmp_path / "packaged"
    packaged.mkdir()
    for name in ("softmax.md", "sigmoid.md"):
        (packaged / name).write_bytes((CATALOGUE / name).read_bytes())
    monkeypatch.setattr(
        catalog, "catalogue_dirs", lambda: [tmp_path / "derivations", packaged.resolve()]
    )
    code, out, err = run("list")
    assert code == 2
    assert "broken" in out and "cannot be read" in out and "softmax" in out and "sigmoid" in out
    one_line(err)
    assert "broken.md:" in err
    code, out, err = run("check", "--all", "--json")
    data = json.loads(out)
    assert code == 2 and data["ok"] is False
    assert [d["name"] for d in data["documents"]] == ["sigmoid", "softmax"]
    assert [Path(e["path"]).name for e in data["errors"]] == ["broken.md"]


def test_ok_agrees_with_the_exit_code() -> None:
    """A document whose listed slips are refuted is ok: JSON, the API and exit code 0 agree."""
    code, out, _ = run("check", "seed-004", "--json", "--no-cache")
    data = json.loads(out)
    steps = data["documents"][0]["steps"]
    assert any(s["expect"] == "refuted" and s["status"] == "refuted" for s in steps)
    assert code == 0
    assert data["ok"] is True and data["documents"][0]["ok"] is True
    assert catalogue.report("seed-004").ok is True


FLAGS = ["--sizes", "--timeout", "--jobs", "--seed"]
VALUES = st.one_of(
    st.text(max_size=12),
    st.integers(-(10**25), 10**25).map(str),
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.tuples(st.integers(-(10**20), 10**20), st.integers(-(10**20), 10**20)).map(
        lambda r: f"{r[0]}..{r[1]}"
    ),
    st.sampled_from(["inf", "-inf", "nan", "1e999", "0", "-0", "1..", "..3", ",", "3,,4"]),
)


def valid(flag: str, value: str) -> bool:
    """Whether ``value`` is a good value for ``flag``: an oracle apart from derive's parser."""
    text = value.strip()

    def whole(part: str) -> int:
        if not re.fullmatch(r"\s*[0-9]+\s*", part):
            raise ValueError(part)
        return int(part)

    try:
        if flag == "--timeout":
            if not text.isascii() or "_" in text:
                return False
            number = float(text)
            return 0 < number <= options.MAX_TIMEOUT
        if flag in ("--jobs", "--seed"):
            number = whole(text)
            lo, hi = (1, options.MAX_JOBS) if flag == "--jobs" else (0, options.MAX_SEED)
            return lo <= number <= hi
        if ".." in text:
            lo, hi = (whole(part) for part in text.split("..", 1))
            return 1 <= lo <= hi <= options.MAX_SIZE
        parts = [whole(part) for part in text.split(",")]
        return all(1 <= p <= options.MAX_SIZE for p in parts)
    except ValueError:
        return False


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.sampled_from(FLAGS), VALUES), min_size=1, max_size=3),
    st.lists(st.sampled_from(["--all", "--json", "--bogus", "-x", "--"]), max_size=2),
)
def test_fuzz_flags(flags: list[tuple[str, str]], extra: list[str]) -> None:
    """Any flag values on a missing document: no traceback, exit 2, one line that says why.

    A bad value is named by its flag; with good values the message is about the missing
    document. The document is missing so that nothing is checked.
    """
    argv = ["check"]
    for flag, value in flags:
        argv.append(f"{flag}={value}")
    argv += [a for a in extra if a != "--all"]  # --all would check the catalogue
    argv.append("/nonexistent/missing.md")
    code, out, err = run(*argv)
    assert code == 2, (argv, out, err)
    assert "Traceback" not in err
    # after `--` every word is a document's name, so each is one more missing document
    cut = extra.index("--") if "--" in extra else len(extra)
    options, names = extra[:cut], [a for a in extra[cut + 1 :] if a != "--all"]
    bad = [flag for flag, value in flags if not valid(flag, value)]
    unknown = "--bogus" in options or "-x" in options
    if not bad and not unknown and "--json" in options:
        assert err == "", err  # the missing documents are in the JSON's errors
        errors = json.loads(out)["errors"]
        assert len(errors) == 1 + len(names) and "missing.md" in errors[-1]["message"]
        return
    if bad or unknown:
        assert len(err.strip().splitlines()) == 1, err
        assert any(flag in err for flag in bad) or unknown, (argv, err)
    else:  # one line per missing document
        assert len(err.strip().splitlines()) == 1 + len(names), err
        assert "missing.md" in err, (argv, err)


HEAD = """+++
name = "notes"

[sizes]
K = "classes"

[indices]
i = "K"
j = "K"
k = "K"
+++

"""


def step_results(tmp_path: Path, *steps: str) -> tuple[StepResult, ...]:
    """Check a document whose body is ``steps``, one display block each."""
    path = tmp_path / "notes.md"
    path.write_text(HEAD + "".join(f"$${s}$$\n\n" for s in steps), encoding="utf-8")
    return api.check(api.load(str(path))).steps


@pytest.mark.parametrize(
    "step",
    [
        r"\ln 2x = \ln 2 + \ln x",
        r"\sin 2x = 2 \sin x \cos x",
        r"\log_2 8x = 3 + \log_2 x",
        r"\frac{d}{dz_j} \ln 2 z_j = \frac{1}{z_j}",
        r"sinx = \sin x",
        r"kin = k i n",
        r"\frac{d}{dx} f(x) = f'(x)",
        r"\frac{d}{dx} g(x^2) = 2 x g'(x^2)",
    ],
)
def test_no_verdict_on_an_unsure_reading(tmp_path: Path, step: str) -> None:
    """An unsure argument, a word of letters, an undeclared f(x): not understood, never wrong."""
    (result,) = step_results(tmp_path, step)
    assert result.status == "unparsed", result.message
    assert result.message.startswith("not understood: ")


def test_readings_that_are_sure_still_hold(tmp_path: Path) -> None:
    """A function's value starts a new factor; a letter before parentheses is a product."""
    found = step_results(
        tmp_path,
        r"\sin x \cos x = \cos x \sin x",
        r"y_k(1 - y_k) = y_k - y_k^2",
        r"\ln(2x) = \ln 2 + \ln x",
    )
    assert [r.status for r in found] == ["proved", "proved", "proved"], [r.message for r in found]


def test_deeply_nested_front_matter(tmp_path: Path) -> None:
    """TOML nested 5,000 deep: one line at the front matter, the other documents checked."""
    deep = tmp_path / "deep.md"
    deep.write_text("+++\nname = 'x'\nfoo = " + "[" * 5000 + "]" * 5000 + "\n+++\n")
    code, out, _ = run("check", str(deep), "softmax", "--json", "--no-cache")
    data = json.loads(out)
    assert code == 2 and [d["name"] for d in data["documents"]] == ["softmax"]
    assert data["errors"][0]["message"].startswith(f"{deep}:2:1: the front matter is nested")


def test_all_and_documents_together_is_a_usage_error(tmp_path: Path) -> None:
    """--all with a named document would silently drop it: refused."""
    code, out, err = run("check", "--all", "softmax")
    assert code == 2 and out == ""
    one_line(err)
    assert "--all" in err


def test_byte_order_mark(tmp_path: Path) -> None:
    """A document saved with a byte-order mark reads as without it."""
    path = tmp_path / "bom.md"
    text = (CATALOGUE / "softmax.md").read_text(encoding="utf-8")
    path.write_bytes(b"\xef\xbb\xbf" + text.encode("utf-8"))
    assert api.load(str(path)).name == "softmax"


@pytest.mark.parametrize("wrt", ["K", "z", "z_{jk}", "z_0", r"\ln z_j"])
def test_diff_errors_say_where(wrt: str) -> None:
    """Every refusal of derive diff's variable is placed at WRT:line:col."""
    code, _, err = run("diff", "softmax-ce", "E", wrt)
    assert code == 2
    assert err.startswith("derive: WRT:1:"), err


def test_a_listed_slip_that_matches_no_step(tmp_path: Path) -> None:
    """A [[steps]] table whose `to` starts no right side is refused at that table."""
    path = tmp_path / "stale.md"
    path.write_text(
        HEAD.replace("+++\n\n", "[[steps]]\nto = 'nothing - here'\nexpect = \"refuted\"\n+++\n\n")
        + "$$x = 2 x$$\n",
        encoding="utf-8",
    )
    code, _, err = run("check", str(path))
    assert code == 2
    one_line(err)
    assert err.startswith(f"derive: {path}:11:1: no step of the body") and "nothing - here" in err


def test_report_files_are_ordinary_files(tmp_path: Path) -> None:
    """The report is written with the umask's permissions, not a temporary file's 0600."""
    from derive.presenting.report.compile import atomic_write

    mask = os.umask(0o022)
    try:
        atomic_write(tmp_path / "r.tex", b"x")
    finally:
        os.umask(mask)
    assert (tmp_path / "r.tex").stat().st_mode & 0o777 == 0o644


@pytest.mark.parametrize(
    ("front", "where"),
    [
        ("name = 'x'\ntitle = 't'\n\n\nfoo = 1\n", "6:1: unknown front-matter key `foo`"),
        (
            "name = 'x'\n\n[[claims]]\nname = 'a'\nstatement = 'x = x'\n\nbogus = 1\n",
            "8:1: unknown claim key `bogus`",
        ),
        (
            "name = 'x'\n[sizes]\nK = 'n'\n[indices]\nj = 'K'\n[[claims]]\nname = 'a'\n"
            "statement = '''\nx_j +\n  z_q = 1'''\n",
            "11:5: undefined index `q`",
        ),
    ],
)
def test_front_matter_errors_at_their_line(tmp_path: Path, front: str, where: str) -> None:
    """An unknown key, and an error inside a multi-line string, at the line written."""
    path = tmp_path / "placed.md"
    path.write_text(f"+++\n{front}+++\n", encoding="utf-8")
    code, _, err = run("check", str(path))
    assert code == 2
    assert err.startswith(f"derive: {path}:{where}"), err
