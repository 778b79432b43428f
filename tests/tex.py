"""What the report tests need of TeX: whether there is an engine, and a PDF's text."""

import os
import shutil
import subprocess
from pathlib import Path

import pytest

HAS_TEX = shutil.which("latexmk") or shutil.which("pdflatex")
NEEDS_TEX = pytest.mark.skipif(
    not HAS_TEX and not os.environ.get("DERIVE_REQUIRE_TEX"),
    reason="no TeX engine here (CI installs one and sets DERIVE_REQUIRE_TEX)",
)


def pdf_text(pdf: Path) -> str:
    """The text of a PDF, by pdftotext."""
    done = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True)
    return done.stdout
