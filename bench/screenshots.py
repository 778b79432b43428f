"""The README's pictures of seed 004: its HTML report with a ✗ opened, and its PDF page.

Run by ``make screenshots`` (needs chromium and chromedriver, TeX and poppler):

    python3 bench/screenshots.py docs

writes ``docs/report-seed-004-html.png`` (the second ✗ of the page opened, in a
1000×1300 window) and ``docs/report-seed-004.png`` (the PDF's page with the dropped
minus, at 80 dpi).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from derive.cli import main

FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking")
PDF_PAGE = 3  # the page of the seed-004 PDF that shows the dropped minus


def html_shot(out: Path, scratch: Path) -> None:
    """Open seed 004's HTML report, open its second ✗, and take the window."""
    page = scratch / "seed-004.html"
    main(["report", "seed-004", "--html", "-o", str(page)])
    options = webdriver.ChromeOptions()
    options.binary_location = str(shutil.which("chromium"))
    for flag in (*FLAGS, "--window-size=1000,1300", f"--user-data-dir={scratch / 'profile'}"):
        options.add_argument(flag)
    driver = webdriver.Chrome(options=options, service=Service(str(shutil.which("chromedriver"))))
    try:
        driver.get(page.as_uri())
        summary = driver.find_elements(By.CSS_SELECTOR, "details.evidence.wrong summary")[1]
        driver.execute_script(
            "arguments[0].scrollIntoView({block: 'center'}); window.scrollBy(0, 250);", summary
        )
        summary.click()
        time.sleep(0.5)
        driver.save_screenshot(str(out / "report-seed-004-html.png"))
    finally:
        driver.quit()


def pdf_shot(out: Path, scratch: Path) -> None:
    """Compile seed 004's PDF report and render its page with the dropped minus."""
    main(["report", "seed-004", "-o", str(scratch / "seed-004.tex"), "--pdf"])
    subprocess.run(
        ["pdftoppm", "-png", "-r", "80", "-f", str(PDF_PAGE), "-l", str(PDF_PAGE),
         "-singlefile", str(scratch / "seed-004.pdf"), str(out / "report-seed-004")],
        check=True,
    )  # fmt: skip


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "docs")
    with tempfile.TemporaryDirectory() as folder:
        html_shot(target, Path(folder))
        pdf_shot(target, Path(folder))
    print(f"wrote {target}/report-seed-004-html.png and {target}/report-seed-004.png")
