"""Reading documents: front matter, fences, TOML errors with positions."""

from pathlib import Path

import pytest

from derive.errors import DocumentError
from derive.reading.document import read_document, split_document
from derive.reading.frontmatter import load_document

GOOD = """+++
name = "x"
[definitions]
"y_k" = '\\frac{a}{b}'
+++
Body line.
"""


def test_split_front_and_body() -> None:
    """The front matter is parsed; the body keeps its first line number."""
    doc = split_document(GOOD, "d.md")
    assert doc.front["name"] == "x"
    assert doc.body.strip() == "Body line."
    assert doc.body_line == 6
    assert doc.front_line == 2


def test_string_positions() -> None:
    """A literal string is located at its first character."""
    doc = split_document(GOOD, "d.md")
    text = doc.text("\\frac{a}{b}")
    assert (text.position.line, text.position.col) == (4, 10)
    assert str(text.locate(1, 7)) == "d.md:4:16"


def test_missing_opening_fence(tmp_path: Path) -> None:
    """A document without +++ and without display math has nothing to check: line 1."""
    path = tmp_path / "d.md"
    path.write_text('name = "x"\n', encoding="utf-8")
    with pytest.raises(DocumentError, match=r"d\.md:1:1: nothing to check: no front matter"):
        load_document(str(path))


def test_unclosed_front_matter() -> None:
    """An unclosed front matter is reported past the last line."""
    with pytest.raises(DocumentError, match=r"^d\.md:3:1: the front matter opened at line 1"):
        split_document('+++\nname = "x"\n', "d.md")


def test_bad_toml_position() -> None:
    """TOML errors are moved to their line in the file."""
    with pytest.raises(DocumentError, match=r"^d\.md:3:\d+: invalid TOML"):
        split_document('+++\nname = "x"\ntitle = \n+++\n', "d.md")


def test_not_utf8(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 are reported at their line and column."""
    path = tmp_path / "bad.md"
    path.write_bytes(b'+++\nname = "\xff"\n+++\n')
    with pytest.raises(DocumentError, match=r"bad\.md:2:9: the file is not UTF-8"):
        read_document(path)


def test_missing_file(tmp_path: Path) -> None:
    """A missing file is a DocumentError, not an OSError."""
    with pytest.raises(DocumentError, match="cannot read the file"):
        read_document(tmp_path / "nope.md")


def error_of(tmp_path: Path, front: str) -> str:
    """The one-line error of loading a document with ``front`` as its front matter."""
    from derive import api
    from derive.errors import DeriveError

    path = tmp_path / "d.md"
    path.write_text(f"+++\n{front}+++\n", encoding="utf-8")
    with pytest.raises(DeriveError) as info:
        api.load(str(path))
    return str(info.value).removeprefix(str(path))


@pytest.mark.parametrize(
    ("line", "target"),
    [
        ('"E" = "\\\\text{é → ü} + \\\\foo z"', "\\\\foo"),
        ('"E" = "\\\\alpha + \\\\foo z"', "\\\\foo"),
        ('"E" = "\\\\text{\\u00e9} + \\\\foo z"', "\\\\foo"),
    ],
)
def test_columns_in_double_quoted_strings(tmp_path: Path, line: str, target: str) -> None:
    """Non-ASCII characters and escapes before an error do not shift its column."""
    message = error_of(tmp_path, f'name = "x"\n[definitions]\n{line}\n')
    assert message.startswith(f":4:{line.index(target) + 1}: "), message


def test_claim_with_non_ascii_in_double_quotes(tmp_path: Path) -> None:
    """A double-quoted statement with `é` is found at its line, the error at its column."""
    front = 'name = "x"\n[[claims]]\nname = "c"\nstatement = "x_{é} = 1"\n'
    assert error_of(tmp_path, front).startswith(":5:17: ")


@pytest.mark.parametrize(
    ("line", "col"),
    [('"E" = "\\sum_k z_k"', 8), ('"E" = "\\uparrow"', 8), ('"E" = """a + \\sum"""', 14)],
)
def test_backslash_in_double_quotes_says_single_quotes(line: str, col: int) -> None:
    """The TOML backslash trap: the message says to write LaTeX in single quotes."""
    with pytest.raises(DocumentError) as info:
        split_document(f'+++\nname = "x"\n[definitions]\n{line}\n+++\n', "d.md")
    message = str(info.value)
    assert message.startswith(f"d.md:4:{col}: invalid TOML"), message
    assert "single quotes" in message and "'''" in message


def test_toml_escape_that_reads_as_latex_is_refused(tmp_path: Path) -> None:
    r"""`"\frac{a}{b}"` is valid TOML (a form feed, then `rac`): refused, not misread."""
    message = error_of(tmp_path, 'name = "x"\n[definitions]\n"E" = "\\frac{a}{b}"\n')
    assert message.startswith(":4:8: `\\f` is a TOML escape"), message
    assert "single quotes" in message
