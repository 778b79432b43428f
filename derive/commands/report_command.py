"""``derive report``: a LaTeX (and PDF) report of what was proved, refuted and where."""

from __future__ import annotations

import argparse
import datetime
import os
from typing import TextIO

from derive.commands import options
from derive.defaults import DEFAULT_SIZES

EPILOG = """\
The report is written whole or not at all. --pdf runs latexmk (or pdflatex twice) and
writes the PDF beside the .tex with the same stem; without a TeX engine the .tex is
still written, and the command says how to install one.

exit codes:
  0  the report was written
  2  bad input, or LaTeX failed (the log lines that matter are shown)

examples:
  derive report softmax-ce -o out/softmax-ce.tex
  derive report seed-004 --html -o out/seed-004.html
  derive report --all --html -o out/catalogue/
  derive report --all -o out/report.tex --pdf
  derive report seed-004 -o out/seed-004.tex --pdf --title "Seed 004, checked" --author "A. Author"
"""


def add_parser(sub: argparse._SubParsersAction[options.Parser]) -> None:
    """Add the ``report`` command to the top-level parser."""
    report = sub.add_parser(
        "report",
        help="write a LaTeX report (and a PDF with --pdf) of documents' claims and steps",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="Check documents and write what was found as a LaTeX document: a "
        "summary table, then per document its claims with their verdicts and its body as "
        "written, each row of display math marked in the margin (a wrong one followed by "
        "its counterexample), and the proof traces in an appendix.",
    )
    report.add_argument("documents", nargs="*", metavar="NAME|PATH")
    report.add_argument("--all", action="store_true", help="report on every document found")
    report.add_argument(
        "-o", "--output", default="report.tex", metavar="OUT.tex", help="default report.tex"
    )
    report.add_argument("--pdf", action="store_true", help="also compile OUT.pdf")
    report.add_argument(
        "--html",
        action="store_true",
        help="write an HTML page instead: the derivation as written, each row marked "
        "(one document: -o OUT.html; several: -o DIR, a page each and index.html)",
    )
    report.add_argument("--title", metavar="TEXT", help="the title (default: the document's)")
    report.add_argument("--author", metavar="TEXT", help="the author, under the title")
    report.add_argument(
        "--date",
        metavar="TEXT",
        help="the date printed on the report (default: today, or SOURCE_DATE_EPOCH)",
    )
    options.add_timeout(report, "seconds per claim")


def run(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """Check, render and write; return the exit code."""
    from derive import __version__, api  # imported when the command runs: --help stays light
    from derive.presenting.report import render, write_report

    names = options.document_names(args, "report")
    if args.html:
        return html_pages(args, names, stdout, stderr)
    docs = [api.load(name) for name in names]
    reports = [api.check(doc, timeout=args.timeout) for doc in docs]
    text = render(reports, args.date or today(), __version__, title=args.title, author=args.author)
    written = write_report(text, args.output, pdf=args.pdf)
    print(f"wrote {written.tex}", file=stdout)
    if written.pdf is not None:
        print(f"wrote {written.pdf}", file=stdout)
    if written.note:
        print(written.note, file=stdout)
    return 0


def html_pages(args: argparse.Namespace, names: list[str], stdout: TextIO, stderr: TextIO) -> int:
    """The HTML pages, from the records ``derive check`` has or makes (kept in the store).

    A document that cannot be read is said on stderr, as ``derive check`` says it, and
    nothing is written (exit code 2).
    """
    from derive import api
    from derive.commands import checked
    from derive.commands.html_report import refuse_one_file, write_pages

    if len(names) > 1:
        refuse_one_file(len(names), args.output)  # before minutes of checking, not after
    how = checked.Options(list(DEFAULT_SIZES), args.timeout, None, options.DEFAULT_JOBS)
    found = checked.check_names(names, how, stderr)
    if found.errors:
        for error in found.errors:
            print(f"derive: {error['message']}", file=stderr)
        return 2
    docs = [api.load(path) for path in found.paths]
    pages = list(zip(docs, found.records, strict=True))
    for path in write_pages(pages, args.output, title=args.title, author=args.author):
        print(f"wrote {path}", file=stdout)
    return 0


def today() -> str:
    """Today's date, or the one ``SOURCE_DATE_EPOCH`` fixes (for reproducible reports)."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    if epoch and epoch.isdigit():
        moment = datetime.datetime.fromtimestamp(int(epoch), tz=datetime.UTC)
    else:
        moment = datetime.datetime.now(tz=datetime.UTC)
    return moment.date().isoformat()
