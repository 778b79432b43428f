"""Reading documents: front matter, fences, TOML errors with positions."""

import pytest

from derive.document import read_document, split_document
from derive.errors import DocumentError

GOOD = """+++
name = "x"
[definitions]
"y_k" = '\\frac{a}{b}'
+++
Body line.
"""


def test_split_front_and_body():
    """The front matter is parsed; the body keeps its first line number."""
    doc = split_document(GOOD, "d.md")
    assert doc.front["name"] == "x"
    assert doc.body.strip() == "Body line."
    assert doc.body_line == 6
    assert doc.front_line == 2


def test_string_positions():
    """A literal string is located at its first character."""
    doc = split_document(GOOD, "d.md")
    text = doc.text("\\frac{a}{b}")
    assert (text.position.line, text.position.col) == (4, 10)
    assert str(text.locate(1, 7)) == "d.md:4:16"


def test_missing_opening_fence():
    """A document without +++ is rejected at line 1."""
    with pytest.raises(DocumentError, match=r"^d\.md:1:1: a derivation document starts"):
        split_document('name = "x"\n', "d.md")


def test_unclosed_front_matter():
    """An unclosed front matter is reported past the last line."""
    with pytest.raises(DocumentError, match=r"^d\.md:3:1: the front matter opened at line 1"):
        split_document('+++\nname = "x"\n', "d.md")


def test_bad_toml_position():
    """TOML errors are moved to their line in the file."""
    with pytest.raises(DocumentError, match=r"^d\.md:3:\d+: invalid TOML"):
        split_document('+++\nname = "x"\ntitle = \n+++\n', "d.md")


def test_not_utf8(tmp_path):
    """Bytes that are not UTF-8 are reported at their line and column."""
    path = tmp_path / "bad.md"
    path.write_bytes(b'+++\nname = "\xff"\n+++\n')
    with pytest.raises(DocumentError, match=r"bad\.md:2:9: the file is not UTF-8"):
        read_document(path)


def test_missing_file(tmp_path):
    """A missing file is a DocumentError, not an OSError."""
    with pytest.raises(DocumentError, match="cannot read the file"):
        read_document(tmp_path / "nope.md")
