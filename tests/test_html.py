"""The HTML report: every step marked on its own row, math drawn, user text harmless."""

from __future__ import annotations

import html
import io
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from derive import api
from derive.cli import main
from derive.presenting.html.mathml import to_mathml
from derive.presenting.html.page import page
from derive.presenting.record import document_record
from derive.presenting.written import Display, pieces
from tests.catalogue import NAMES
from tests.catalogue import document as loaded
from tests.catalogue import report as report_of


class Page(HTMLParser):
    """What a page holds: its marks (by kind), its math, its scripts, links and handlers."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.marks: list[str] = []
        self.tags: list[str] = []
        self.attributes: list[tuple[str, str]] = []
        self.text: list[str] = []
        self.prose: list[str] = []  # text outside <code>: never raw LaTeX
        self.inside: list[str] = []
        self.feed(text)

    def handle_starttag(  # noqa: D102
        self, tag: str, attrs: list[tuple[str, str | None]]
    ) -> None:
        self.tags.append(tag)
        self.attributes += [(name, value or "") for name, value in attrs]
        found = dict(attrs)
        if tag == "span" and "mark" in (found.get("class") or "").split():
            self.marks.append(found.get("data-kind") or "")
        self.inside.append(tag)

    def handle_endtag(self, tag: str) -> None:  # noqa: D102
        if tag in self.inside:
            while self.inside.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:  # noqa: D102
        if "style" not in self.inside[-1:]:
            self.text.append(data)
        if not {"style", "code", "title"} & set(self.inside):
            self.prose.append(data)


def marked(name: str) -> tuple[str, dict[str, object]]:
    """The page of a catalogue document and its record."""
    record = document_record(report_of(name))
    return page(loaded(name), record), dict(record)


@pytest.mark.parametrize("name", NAMES)
def test_every_step_has_its_mark_and_no_raw_latex(name: str) -> None:
    text, record = marked(name)
    found = Page(text)
    steps, unread = record["steps"], record["unread"]
    assert isinstance(steps, list) and isinstance(unread, list)
    assert len(found.marks) == len(steps) + len(unread)
    wrong = sum(s["status"] == "refuted" for s in steps)
    assert found.marks.count("wrong") == wrong
    assert "script" not in found.tags
    assert "\\" not in "".join(found.prose)  # every formula drawn, none left as LaTeX
    assert '<code class="tex"' not in text


def test_each_mark_is_on_the_row_of_its_right_side() -> None:
    doc = api.load("seed-004")
    record = document_record(report_of("seed-004"))
    rows = [r for p in pieces(doc, record) if isinstance(p, Display) for r in p.rows]
    placed = [(r, m) for r in rows for m in r.marks]
    assert len(placed) == len(record["steps"]) + len(record["unread"])
    lines = doc.body.split("\n")
    for row, mark in placed:
        if mark.step is not None:
            source = lines[mark.step["line"] - doc.body_line]
            assert " ".join(mark.step["to"].split())[:12] in " ".join(source.split())
            assert row.line <= mark.step["line"]


def test_a_wrong_step_opens_to_its_counterexample() -> None:
    text, record = marked("seed-004")
    wrong = next(s for s in record["steps"] if s["status"] == "refuted")  # type: ignore[attr-defined]
    assert '<details class="evidence wrong">' in text
    table = text[text.index('<table class="counterexample">') :]
    table = table[: table.index("</table>")]
    for value in wrong["counterexample"]["values"].values():
        assert value in table
    assert wrong["counterexample"]["left"] in table


def test_claims_are_listed_with_their_verdicts() -> None:
    text, record = marked("softmax-ce")
    claims = record["claims"]
    assert isinstance(claims, list)
    assert text.count('<tr class="claim') == len(claims)
    for claim in claims:
        assert f'<td class="name">{claim["name"]}</td>' in text


def test_the_mathml_keeps_only_known_elements() -> None:
    assert to_mathml(r"\frac{a}{b}").startswith("<math")
    for hostile in (
        r"\text{<script>alert(1)</script>}",
        r"\text{<img src=x onerror=alert(1)>}",
        r"a & b",
        r"\unknownmacro{x}",
    ):
        drawn = to_mathml(hostile)
        assert drawn.startswith('<code class="tex"')
        assert "<script" not in drawn and "<img" not in drawn


HOSTILE = """+++
name = "hostile"
title = "A <script>alert(1)</script> title"

[sizes]
K = "classes"

[indices]
j = "K"
+++

Prose with <script>alert(2)</script>, <img src=x onerror=alert(3)>, a
[link](javascript:alert(4)) and $\\text{<b onclick=alert(5)>}$.

$$y_j = z_j + 0$$

$$= z_j \\text{<i onmouseover=alert(6)>}$$
"""


def test_user_text_cannot_run_in_the_page(tmp_path: Path) -> None:
    source = tmp_path / "hostile.md"
    source.write_text(HOSTILE, encoding="utf-8")
    doc = api.load(str(source))
    text = page(doc, document_record(api.check(doc, timeout=20)), title="<b>t</b>", author="<i>")
    found = Page(text)
    assert "script" not in found.tags
    assert not [n for n, _ in found.attributes if n.startswith("on")]
    assert not [v for n, v in found.attributes if n == "href" and "javascript" in v.lower()]
    assert {"img", "b", "i"}.isdisjoint(found.tags)
    assert "<script>alert(2)</script>" in "".join(found.text)  # shown as text, not run


def test_report_html_writes_one_page_or_a_folder(tmp_path: Path) -> None:
    out = tmp_path / "one.html"
    assert main(["report", "softmax-ce", "--html", "-o", str(out), "--title", "Σ ✓"]) == 0
    assert "<title>Σ ✓</title>" in out.read_text(encoding="utf-8")
    folder = tmp_path / "two"
    assert main(["report", "softmax-ce", "sigmoid", "--html", "-o", str(folder)]) == 0
    assert sorted(p.name for p in folder.iterdir()) == [
        "index.html",
        "sigmoid.html",
        "softmax-ce.html",
    ]
    assert 'href="sigmoid.html"' in (folder / "index.html").read_text(encoding="utf-8")


def test_several_documents_into_one_file_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["report", "softmax-ce", "sigmoid", "--html", "-o", str(tmp_path / "x.html")])
    assert code == 2
    err = capsys.readouterr().err
    assert len(err.strip().splitlines()) == 1 and "give -o a folder" in err
    assert not (tmp_path / "x.html").exists()


def test_the_page_shows_a_kept_record_without_checking(tmp_path: Path) -> None:
    doc = api.load("sigmoid")
    record = json.loads(json.dumps(document_record(report_of("sigmoid"))))
    assert page(doc, record) == page(doc, document_record(report_of("sigmoid")))


def test_the_prose_of_a_latex_file_is_shown_as_prose() -> None:
    doc = api.load("tests/data/sources/softmax-ce.tex")
    text = page(doc, document_record(api.check(doc, timeout=20)))
    assert "<h2>Cross-entropy over a softmax</h2>" in text
    assert "\\section" not in text and "(50% of the work)" in text


def test_report_html_reads_back_what_check_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After ``derive check``, ``derive report --html`` of the same document checks nothing.

    Both get their records the same way (the store, else the runner's workers), so the
    page shows the verdicts the check printed.
    """
    from derive.checking import runner

    monkeypatch.setenv("DERIVE_CACHE_DIR", str(tmp_path / "store"))
    out = io.StringIO()
    assert main(["check", "sigmoid", "--json"], stdout=out) == 0
    checked = json.loads(out.getvalue())["documents"][0]

    def no_check(*args: object, **kwargs: object) -> None:
        raise AssertionError("the report checked again")

    monkeypatch.setattr(runner, "check_documents", no_check)
    monkeypatch.setattr(api, "check", no_check)
    page_path = tmp_path / "sigmoid.html"
    assert main(["report", "sigmoid", "--html", "-o", str(page_path)]) == 0
    text = page_path.read_text(encoding="utf-8")
    words = re.findall(r'<td class="status"><span class="word">([a-z ]+)</span>', text)
    assert words == [c["status"] for c in checked["claims"]] and "refuted" in words
    assert checked["claims"][0]["message"].split("  at ")[0] in html.unescape(text)


def test_report_html_says_each_unreadable_document_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "bad.md"
    bad.write_text('+++\nname = "bad"\nbogus = 1\n+++\n', encoding="utf-8")
    folder = tmp_path / "out"
    code = main(["report", "sigmoid", str(bad), "nowhere.md", "--html", "-o", str(folder)])
    assert code == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 2 and "bad.md:3:1" in err[0] and "nowhere.md" in err[1]
    assert not folder.exists()
