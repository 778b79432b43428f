"""Bad input of every kind: a result or a DeriveError with a position, never a crash or hang."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from derive import api
from derive.checking.steps import plan_steps
from derive.errors import DeriveError
from derive.reading.catalog import list_documents
from derive.reading.latex import Scope, parse_expression

CATALOGUE = [path.read_bytes() for path in list_documents()]
SCOPE = Scope({"k": "K", "j": "K"}, frozenset({"K"}))
FUZZ = settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def outcome(path: Path) -> str:
    """Read ``path`` and find its steps; "ok", or "error" with a position."""
    try:
        doc = api.load(str(path))
    except DeriveError as err:
        assert err.position is not None and err.position.line >= 1, err
        return "error"
    plan_steps(doc)
    return "ok"


@FUZZ
@given(data=st.binary(max_size=3000))
def test_random_bytes(tmp_path_factory: pytest.TempPathFactory, data: bytes) -> None:
    """Random bytes as a document."""
    path = tmp_path_factory.mktemp("bytes") / "doc.md"
    path.write_bytes(data)
    assert outcome(path) in ("ok", "error")


@FUZZ
@given(which=st.integers(0, len(CATALOGUE) - 1), cut=st.floats(0, 1))
def test_truncated_documents(
    tmp_path_factory: pytest.TempPathFactory, which: int, cut: float
) -> None:
    """A catalogue document cut off anywhere."""
    text = CATALOGUE[which]
    path = tmp_path_factory.mktemp("cut") / "doc.md"
    path.write_bytes(text[: int(len(text) * cut)])
    assert outcome(path) in ("ok", "error")


@FUZZ
@given(which=st.integers(0, len(CATALOGUE) - 1), at=st.floats(0, 1), junk=st.binary(max_size=8))
def test_corrupted_documents(
    tmp_path_factory: pytest.TempPathFactory, which: int, at: float, junk: bytes
) -> None:
    """A catalogue document with a few bytes replaced anywhere (non-UTF-8 included)."""
    text = CATALOGUE[which]
    n = int(len(text) * at)
    path = tmp_path_factory.mktemp("corrupt") / "doc.md"
    path.write_bytes(text[:n] + junk + text[n + len(junk) :])
    assert outcome(path) in ("ok", "error")


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 3000), macro=st.from_regex(r"\\[a-zA-Z]{1,12}", fullmatch=True))
def test_nested_braces_and_unknown_macros(depth: int, macro: str) -> None:
    """Deep nesting and unknown commands: read or refused with a position."""
    for text in ("{" * depth + "z_k" + "}" * depth, "(" * depth + "z_k" + ")" * depth, macro):
        try:
            parse_expression(text, SCOPE)
        except DeriveError as err:
            assert err.position is not None


def test_ten_thousand_terms() -> None:
    """A sum written out with 10 000 terms is read."""
    text = " + ".join(f"z_{{{n}}}" for n in range(1, 10_001))
    value = parse_expression(text, SCOPE)
    assert len(value.args) == 10_000


def test_ten_megabyte_document(tmp_path: Path) -> None:
    """A 10 MB body of prose is read and checked."""
    head = CATALOGUE[0].split(b"+++", 2)
    body = b"Some prose about the softmax, with no display math.\n" * 200_000
    path = tmp_path / "big.md"
    path.write_bytes(b"+++" + head[1] + b"+++\n" + body)
    assert path.stat().st_size > 10_000_000
    assert outcome(path) == "ok"


def test_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8: one error at the first bad byte."""
    path = tmp_path / "latin1.md"
    path.write_bytes(b'+++\nname = "caf\xe9"\n+++\n')
    try:
        api.load(str(path))
    except DeriveError as err:
        assert err.position is not None, err
        assert (err.position.line, err.position.col) == (2, 12), err
    else:
        raise AssertionError("a non-UTF-8 document was accepted")
