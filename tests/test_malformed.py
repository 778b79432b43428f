"""Malformed documents: one line with file:line:col, exit code 2, no traceback."""

import io
import re
from pathlib import Path

import pytest

from derive.cli import main

HEADER = """+++
name = "bad"

[sizes]
K = "classes"

[indices]
j = "K"
k = "K"

[definitions]
"y_k" = '\\frac{e^{z_k}}{\\sum_{j=1}^{K} e^{z_j}}'
"""

CASES = {
    "bad-toml": ('+++\nname = "bad"\ntitle = \n+++\n', r":3:\d+: invalid TOML"),
    "missing-fence": ('name = "bad"\n', r":1:1: nothing to check: no front matter"),
    "unclosed": ('+++\nname = "bad"\n', r":3:1: the front matter opened at line 1"),
    "bad-latex": (
        HEADER + '[[claims]]\nname = "c"\nstatement = \'\\frac{\\partial y_k}'
        "{\\partial z_j = 1'\n+++\n",
        r":15:\d+: ",
    ),
    "unknown-macro": (
        HEADER + "[[claims]]\nname = \"c\"\nstatement = 'y_k = \\foo z_k'\n+++\n",
        r":15:20: .*\\foo",
    ),
    "undefined-index": (
        HEADER + "[[claims]]\nname = \"c\"\nstatement = 'y_q = z_q'\n+++\n",
        r":15:\d+: .*index `q`",
    ),
    "unknown-name": (
        HEADER + "[[claims]]\nname = \"c\"\nstatement = '\\text{soft} = 1'\n+++\n",
        r":15:\d+: .*\\text\{soft\}",
    ),
    "unknown-assumption": (
        HEADER + '[[claims]]\nname = "c"\nstatement = \'y_k = y_k\'\nassume = ["targets"]\n+++\n',
        r":16:\d+: .*`targets`",
    ),
    "bad-size": (
        '+++\nname = "bad"\n[indices]\nk = "M"\n+++\n',
        r":4:\d+: index `k` ranges over `M`",
    ),
    "missing-name": ('+++\ntitle = "t"\n+++\n', r":2:1: `name` is missing"),
    "shape-mismatch": (
        '+++\nname = "bad"\n[sizes]\nK = "c"\nH = "h"\n[shapes]\ny = "K"\n'
        '"W" = "K x H"\n[[claims]]\nname = "c"\nstatement = \'W y = y\'\n+++\n',
        r":11:\d+: shape mismatch: `W` is K x H",
    ),
    "unknown-function": (
        HEADER + "[[claims]]\nname = \"c\"\nstatement = '\\text{act}(z_k) = z_k'\n+++\n",
        r":15:\d+: unknown name `\\text\{act\}`",
    ),
    "excluded-index-out-of-range": (
        '+++\nname = "bad"\n[sizes]\nK = "c"\nR = "r"\n[indices]\nk = "K"\n'
        'r = "R"\n[[claims]]\nname = "c"\nstatement = \'z_k = \\sum_{k \\neq r} z_k\'\n+++\n',
        r":11:33: excluded index `r` ranges over R, not over K",
    ),
    "bad-shape-size": (
        '+++\nname = "bad"\n[sizes]\nK = "c"\n[shapes]\nW = "K x Q"\n+++\n',
        r":6:\d+: shape of `W` must be",
    ),
    "bad-expect": (
        HEADER + '[[claims]]\nname = "c"\nstatement = \'y_k = y_k\'\nexpect = "maybe"\n+++\n',
        r":16:\d+: `expect` is",
    ),
    "part-start-not-in-body": (
        HEADER + "[[parts]]\nfrom = 'Section 9'\n+++\nSection 1.\n",
        r":14:9: \[\[parts\]\] starts at `Section 9`, which is not in the body after line 16",
    ),
    "part-unknown-key": (
        HEADER + "[[parts]]\nfrom = 'Section 1'\nclaims = []\n+++\nSection 1.\n",
        r":15:1: unknown key `claims` in \[\[parts\]\]",
    ),
    "part-bad-definition": (
        HEADER + "[[parts]]\nfrom = 'Section 1'\n[parts.definitions]\n"
        "\"E\" = '\\foo z_k'\n+++\nSection 1.\n",
        r":16:8: .*\\foo",
    ),
    "bad-where": (
        '+++\nname = "bad"\nwhere = [\'z_k = 1\']\n[sizes]\nK = "c"\n[indices]\nk = "K"\n+++\n',
        r":3:\d+: a `where` condition relates two indices",
    ),
    "zero-size": (
        '+++\nname = "bad"\n[sizes]\nK = 0\n+++\n',
        r":3:1: \[sizes\] must map names to a description or a positive number",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_malformed_document(tmp_path: Path, case: str) -> None:
    """Each malformed document gives exit 2 and one line at its position."""
    text, pattern = CASES[case]
    path = tmp_path / f"{case}.md"
    path.write_text(text, encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    code = main(["check", str(path)], stdout=out, stderr=err)
    lines = err.getvalue().splitlines()
    assert code == 2
    assert out.getvalue() == ""
    assert len(lines) == 1, lines
    assert "Traceback" not in err.getvalue()
    assert lines[0].startswith(f"derive: {path}:")
    assert re.search(pattern, lines[0]), lines[0]


def test_unknown_document() -> None:
    """An unknown name says where it looked and what exists."""
    err = io.StringIO()
    assert main(["check", "no-such-derivation"], stdout=io.StringIO(), stderr=err) == 2
    assert "no document called `no-such-derivation`" in err.getvalue()


@pytest.mark.parametrize("sizes", ["0..3", "a..b", "5..2", "1..100000"])
def test_impossible_sizes(sizes: str) -> None:
    """Impossible --sizes values are usage errors."""
    err = io.StringIO()
    assert main(["check", "softmax", "--sizes", sizes], stdout=io.StringIO(), stderr=err) == 2
    assert "--sizes" in err.getvalue()
