"""Every catalogue document: each claim gets its expected verdict.

Every proof is also cross-checked numerically by an independent evaluator.
"""

import re
import subprocess
from pathlib import Path

import pytest

from derive import __version__, api
from derive.presenting.report import render, write_report
from derive.reading.catalog import list_documents
from tests import catalogue
from tests.numeric import holds_at_50_digits, holds_numerically
from tests.tex import NEEDS_TEX, pdf_text

DOCS = {name: catalogue.document(name) for name in catalogue.NAMES}  # read, not checked
CASES = [(name, c.name) for name, doc in DOCS.items() for c in doc.claims]
PROVED = [(name, c.name) for name, doc in DOCS.items() for c in doc.claims if c.expect == "proved"]


def result(doc: str, claim: str) -> api.ClaimResult:
    return next(r for r in catalogue.report(doc).results if r.claim.name == claim)


@pytest.mark.parametrize(("doc", "claim"), CASES)
def test_expected_verdict(doc: str, claim: str) -> None:
    """The verdict is what the document expects, with evidence for refutations."""
    r = result(doc, claim)
    assert r.as_expected, r.verdict.message
    if r.claim.expect == "proved":  # every catalogue claim has symbolic sizes
        assert r.verdict.status == "proved", r.verdict.message
    if r.verdict.status == "refuted":
        assert r.verdict.counterexample is not None
        assert r.verdict.residual is not None and r.verdict.residual != 0


@pytest.mark.parametrize(("doc", "claim"), PROVED)
def test_side_conditions_use_the_documents_names(doc: str, claim: str) -> None:
    """No internal summation variable (``_k``, ``Σ__k``) shows in a proof's conditions."""
    for condition in result(doc, claim).verdict.side_conditions:
        assert not re.search(r"(^|[\s({,·])_[A-Za-z]|__", condition), condition


@pytest.mark.parametrize(("doc", "claim"), PROVED)
def test_proved_claims_hold_numerically(doc: str, claim: str) -> None:
    """Each claim expected to hold holds at random points, by finite differences.

    (That each is proved, test_expected_verdict asserts.)
    """
    assert holds_numerically(DOCS[doc], DOCS[doc].claim(claim))


@pytest.mark.parametrize(("doc", "claim"), PROVED)
def test_proved_claims_hold_at_50_digits(doc: str, claim: str) -> None:
    """Each claim expected to hold also holds at a random rational point, at 50 digits."""
    assert holds_at_50_digits(DOCS[doc], DOCS[doc].claim(claim))


def test_cross_check_can_fail() -> None:
    """The numeric cross-check rejects a false claim (it is not vacuous)."""
    doc = DOCS["softmax-ce"]
    assert not holds_numerically(doc, doc.claim("gradient-needs-targets"))
    assert holds_numerically(doc, doc.claim("gradient"))
    assert not holds_at_50_digits(doc, doc.claim("gradient-needs-targets"))
    assert holds_at_50_digits(doc, doc.claim("gradient"))


def test_cross_check_of_second_derivatives_can_fail() -> None:
    """Nested finite differences reject a Hessian without its off-diagonal terms."""
    doc = DOCS["log-softmax"]
    assert not holds_numerically(doc, doc.claim("diagonal-hessian"))
    assert holds_numerically(doc, doc.claim("ce-hessian"))
    doc = DOCS["logistic-regression"]
    assert holds_numerically(doc, doc.claim("hessian"))


@NEEDS_TEX
def test_whole_catalogue_report_compiles(tmp_path: Path) -> None:
    """The report on the whole catalogue compiles: a PDF with pages, naming every claim.

    From the reports the tests above share (test_report.py runs `derive report` itself).
    """
    out = tmp_path / "out" / "report.tex"
    reports = [catalogue.report(name) for name in catalogue.NAMES]
    written = write_report(render(reports, "2026-01-01", __version__), out, pdf=True)
    assert out.exists() and written.pdf is not None
    pdf = written.pdf
    info = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True)
    found = re.search(r"Pages:\s+(\d+)", info.stdout)
    assert found is not None, info.stdout
    pages = int(found.group(1))
    assert pages > 0
    assert not [x for x in written.overfull if x > 20], written.overfull  # nothing runs off
    words = " ".join(pdf_text(pdf).split())
    for path in list_documents():
        for claim in api.load(str(path)).claims:
            assert claim.name in words, claim.name
