"""``derive report --html``: write the HTML pages of checked documents, whole or not at all.

One document gives one page at ``OUT``; several give a folder ``OUT`` with a page per
document (``NAME.html``) and ``index.html``, which lists them with their verdicts.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from pathlib import Path

from derive.errors import UsageError
from derive.model import Document
from derive.presenting.html.page import counts, head, page
from derive.presenting.record import DocumentRecord
from derive.presenting.report.compile import ReportError, atomic_write

TITLE = "Derivations checked by derive"


def write_pages(
    pages: Sequence[tuple[Document, DocumentRecord]],
    out: str,
    *,
    title: str | None = None,
    author: str | None = None,
) -> list[Path]:
    """Write the page of each document, from its record; return what was written.

    Raises:
        UsageError: several documents and ``out`` names a file, not a folder.
        ReportError: a page cannot be written.
    """
    target = Path(out)
    records = [rec for _, rec in pages]
    if len(pages) == 1 and target.suffix != "":
        doc, rec = pages[0]
        return [written(target, page(doc, rec, title=title, author=author))]
    refuse_one_file(len(pages), out)
    paths = [
        written(target / f"{rec['name']}.html", page(doc, rec, author=author)) for doc, rec in pages
    ]
    paths.append(written(target / "index.html", index(records, title, author)))
    return paths


def refuse_one_file(documents: int, out: str) -> None:
    """Several documents make a page each: ``out`` must be a folder.

    Raises:
        UsageError: ``out`` names a file.
    """
    if Path(out).suffix in (".html", ".htm", ".tex"):
        raise UsageError(
            f"{out}: {documents} documents make one page each: give -o a folder "
            "(e.g. -o out/report/), or report on one document"
        )


def written(path: Path, text: str) -> Path:
    """Write ``text`` to ``path`` atomically (its folder made if need be)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except OSError as err:
        raise ReportError(f"{path}: cannot write the page: {err.strerror or err}") from None
    return path


def index(records: Sequence[DocumentRecord], title: str | None, author: str | None) -> str:
    """The folder's first page: each document, its verdict and its tallies, linked."""
    rows = []
    for rec in records:
        found = counts(rec)
        state = "ok" if rec["ok"] else "not-ok"
        rows.append(
            f'<tr class="claim {state}"><td class="mark {"holds" if rec["ok"] else "wrong"}">'
            f"{'✓' if rec['ok'] else '✗'}</td>"
            f'<td><a href="{html.escape(rec["name"])}.html">{html.escape(rec["title"])}</a></td>'
            f"<td>{found['claims as expected']}/{found['claims']} claims as expected</td>"
            f"<td>{found['holds'] + found['assumed']} ✓ · {found['wrong']} ✗ · "
            f"{found['unread'] + found['undecided']} ?</td></tr>"
        )
    heading = html.escape(title or TITLE)
    byline = f'<p class="byline">{html.escape(author)}</p>' if author else ""
    return (
        f"{head(title or TITLE)}<body>"
        f'<main class="report"><header><h1>{heading}</h1>{byline}</header>'
        f'<section class="claims"><table class="claims">{"".join(rows)}</table></section>'
        "</main></body></html>\n"
    )
