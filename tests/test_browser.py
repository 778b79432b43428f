"""The HTML report and ``derive watch --serve`` in a real browser (Debian's chromium).

Selenium drives chromium through chromedriver. The tests skip where either is missing,
unless ``DERIVE_REQUIRE_BROWSER`` is set (CI installs both and sets it). Each saves a
screenshot under its tmp folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from derive.cli import main

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
pytestmark = pytest.mark.skipif(
    not (CHROMIUM and DRIVER) and not os.environ.get("DERIVE_REQUIRE_BROWSER"),
    reason="no chromium and chromedriver here (CI installs them and sets DERIVE_REQUIRE_BROWSER)",
)
if CHROMIUM and DRIVER:
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.chrome.webdriver import WebDriver
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

FLAGS = (  # headless, and quiet: the machine's network is closed
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--window-size=1200,1600",
)


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[WebDriver]:
    """One headless chromium for the module's tests, with its console log kept."""
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(DRIVER)))
    try:
        yield driver
    finally:
        driver.quit()


def errors(driver: WebDriver) -> list[str]:
    """The console's errors since the last call."""
    logged = driver.get_log("browser")  # type: ignore[no-untyped-call]
    return [e["message"] for e in logged if e["level"] == "SEVERE"]


def drawn_as_math(driver: WebDriver) -> bool:
    """True when the page's fractions are laid out as fractions (numerator above)."""
    return bool(
        driver.execute_script(
            """
            const fractions = [...document.querySelectorAll('mfrac')]
              .filter(f => f.getClientRects().length > 0).slice(0, 20);
            return fractions.length > 0 && fractions.every(f => {
              const [top, bottom] = [...f.children].map(c => c.getBoundingClientRect());
              return top.bottom <= bottom.top + 2 && top.width > 0;
            });
            """
        )
    )


def records_of(*names: str) -> Callable[[], dict[str, dict[str, object]]]:
    """Start ``derive check NAME… --json`` in a process of its own, beside the test's work.

    The call returned waits for what it says of each document, by name.
    """
    run = subprocess.Popen(
        [sys.executable, "-m", "derive", "check", *names, "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )

    def said() -> dict[str, dict[str, object]]:
        out, _ = run.communicate(timeout=900)
        found: list[dict[str, object]] = json.loads(out)["documents"]
        return {str(record["name"]): record for record in found}

    return said


def test_the_catalogue_pages(browser: WebDriver, tmp_path: Path) -> None:
    out = tmp_path / "catalogue"
    records = records_of("--all")
    assert main(["report", "--all", "--html", "-o", str(out)]) == 0
    browser.get((out / "index.html").as_uri())
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a")]
    assert len(links) == len(list(out.glob("*.html"))) - 1
    errors(browser)
    every = records()
    for link in links:
        assert link is not None
        browser.get(link)
        assert errors(browser) == [], link
        shown = browser.execute_script(  # the page's text, but for the code it quotes
            "const copy = document.body.cloneNode(true);"
            "copy.querySelectorAll('code').forEach(c => c.remove());"
            "document.documentElement.appendChild(copy); const text = copy.innerText;"
            "copy.remove(); return text;"
        )
        assert "\\frac" not in shown and "\\partial" not in shown, link
        assert drawn_as_math(browser), link
        name = Path(link).stem
        marks = browser.find_elements(By.CSS_SELECTOR, "article.derivation span.mark")
        record = every[name]
        steps, unread = record["steps"], record["unread"]
        assert isinstance(steps, list) and isinstance(unread, list)
        assert len(marks) == len(steps) + len(unread), name
        claims = browser.find_elements(By.CSS_SELECTOR, "table.claims tr.claim")
        assert len(claims) == len(record["claims"]), name  # type: ignore[arg-type]
    browser.save_screenshot(str(tmp_path / "catalogue-last.png"))


def test_a_wrong_step_opens_to_its_counterexample(browser: WebDriver, tmp_path: Path) -> None:
    out = tmp_path / "seed-004.html"
    records = records_of("seed-004")
    assert main(["report", "seed-004", "--html", "-o", str(out)]) == 0
    browser.get(out.as_uri())
    assert errors(browser) == []
    wrong = browser.find_elements(By.CSS_SELECTOR, "span.mark.wrong")
    record = records()["seed-004"]
    refuted = [s for s in record["steps"] if s["status"] == "refuted"]  # type: ignore[attr-defined]
    assert len(wrong) == len(refuted) > 0
    first = browser.find_element(By.CSS_SELECTOR, "details.evidence.wrong")
    table = first.find_element(By.CSS_SELECTOR, "table.counterexample")
    assert not table.is_displayed()
    summary = first.find_element(By.TAG_NAME, "summary")
    browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", summary)
    summary.click()
    WebDriverWait(browser, 10).until(lambda _: table.is_displayed())
    cells = {
        row.find_element(By.TAG_NAME, "th").text.strip(): row.find_element(By.TAG_NAME, "td").text
        for row in table.find_elements(By.TAG_NAME, "tr")
    }
    said = first.find_element(By.TAG_NAME, "summary").text
    step = next(s for s in refuted if f"line {s['line']}:" in said)
    example = step["counterexample"]
    assert cells["left side"] == example["left"] and cells["right side"] == example["right"]
    assert set(example["values"].values()) <= set(cells.values())
    shot = tmp_path / "seed-004.png"
    browser.save_screenshot(str(shot))
    assert shot.stat().st_size > 10_000


NOTES = """# Sigmoid, by hand

$$\\sigma(x) = \\frac{1}{1 + e^{-x}}$$

$$\\frac{d}{dx} \\sigma(x) = \\frac{e^{-x}}{(1 + e^{-x})^2} = \\sigma(x) (1 - \\sigma(x))$$
"""


def test_watch_serve_reloads_when_the_file_changes(browser: WebDriver, tmp_path: Path) -> None:
    notes = tmp_path / "notes.md"
    notes.write_text(NOTES, encoding="utf-8")
    watcher = subprocess.Popen(
        [sys.executable, "-m", "derive", "watch", str(notes), "--serve", "--port", "0"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert watcher.stdout is not None
        first = watcher.stdout.readline()
        assert first.startswith("serving the report at http://127.0.0.1:"), first
        url = first.split()[-1]

        def kinds(_: object = None) -> list[str]:
            found = browser.find_elements(By.CSS_SELECTOR, "article.derivation span.mark")
            return [m.get_attribute("data-kind") or "" for m in found]

        browser.get(url)
        WebDriverWait(browser, 60, ignored_exceptions=(Exception,)).until(
            lambda _: len(kinds()) == 3
        )
        assert "wrong" not in kinds()
        notes.write_text(NOTES.replace("(1 - \\sigma(x))", "(1 + \\sigma(x))"), encoding="utf-8")
        WebDriverWait(browser, 60, ignored_exceptions=(Exception,)).until(
            lambda _: "wrong" in kinds()
        )
        assert kinds().count("wrong") == 1
        assert errors(browser) == []
        browser.save_screenshot(str(tmp_path / "watch.png"))
    finally:
        watcher.terminate()
        watcher.wait(timeout=20)
