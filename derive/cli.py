"""The ``derive`` command: list, show, check, diff and report.

Exit codes: 0 every claim came out as expected; 1 a claim was refuted or is vacuous (or
proved where ``expect = "refuted"``); 2 bad input or usage; 3 a claim is undecided and none refuted.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from contextlib import nullcontext, redirect_stderr, redirect_stdout
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from derive import __version__, diff_command, report_command, store
from derive.catalog import find_document, list_documents
from derive.defaults import DEFAULT_TIMEOUT, set_run_seed
from derive.errors import DeriveError, UsageError

if TYPE_CHECKING:
    from derive.model import Document

# SymPy and the prover are imported by the commands that need them, so that `--help`
# and a check that finds every document unchanged (derive.store) start at once.
Record = dict[str, Any]  # a document's results as plain data (derive.record)
EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3
MAX_SIZE = 200

EPILOG = """\
exit codes:
  0  every claim came out as expected
  1  a claim was refuted or is vacuous (or proved where the document expects "refuted")
  2  bad input or usage (the message says file:line:col and what to do)
  3  a claim is undecided (time limit or unsupported construct) and none was refuted

examples:
  derive list
  derive check softmax-ce
  derive diff softmax-ce E z_j --assume targets
  derive report --all -o out/report.tex --pdf
  derive check --all --json
  derive check derivations/softmax.md --sizes 2..5 --timeout 30
"""

COLOURS = {
    "proved": "green",
    "verified": "cyan",
    "refuted": "red",
    "vacuous": "magenta",
    "undecided": "yellow",
}


def parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    top = argparse.ArgumentParser(
        prog="derive",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="Prove or refute hand-derived gradient identities (softmax, "
        "cross-entropy, sigmoid, backpropagation) written in LaTeX.",
    )
    top.add_argument("--version", action="version", version=f"derive {__version__}")
    sub = top.add_subparsers(dest="command", required=True, metavar="COMMAND")
    sub.add_parser("list", help="list the documents found (./derivations, then the catalogue)")
    show = sub.add_parser("show", help="print a document's definitions, assumptions, claims")
    show.add_argument("document", metavar="NAME|PATH")
    check = sub.add_parser(
        "check",
        help="check every claim of the given documents",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="Check claims: a proof for all sizes where the normal form decides, "
        "else an exact randomised check at concrete sizes; a false claim is "
        "refuted with a counterexample and its residual.",
    )
    check.add_argument(
        "documents",
        nargs="*",
        metavar="NAME|PATH",
        help="catalogue names (softmax-ce) or paths to .md documents",
    )
    check.add_argument("--all", action="store_true", help="check every document found")
    check.add_argument(
        "--sizes",
        default="1..8",
        metavar="RANGE",
        help="concrete sizes when no all-K proof is found: 1..8 or 2,3,5 (default 1..8)",
    )
    check.add_argument(
        "--timeout",
        type=float,
        default=DEFAULT_TIMEOUT,
        metavar="S",
        help=f"seconds per claim before it is undecided (default {DEFAULT_TIMEOUT:g})",
    )
    check.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )
    check.add_argument(
        "--seed",
        type=int,
        default=None,
        metavar="N",
        help="the seed of the random points (default: a fresh one each run, shown by "
        "--json); give a run's seed to repeat it",
    )
    check.add_argument(
        "--jobs",
        type=int,
        default=os.cpu_count() or 1,
        metavar="N",
        help="check with N worker processes, each taking its share of the documents "
        "(default: the number of CPUs, here %(default)s); the output order and verdicts "
        "do not change",
    )
    check.add_argument(
        "--no-cache",
        action="store_true",
        help="check every document afresh; by default a document unchanged since its last "
        "check (same text, options and derive) reuses those results, kept in "
        "$DERIVE_CACHE_DIR or ~/.cache/derive",
    )
    diff_command.add_parser(sub)
    report_command.add_parser(sub)
    return top


def main(
    argv: Sequence[str] | None = None, *, stdout: TextIO | None = None, stderr: TextIO | None = None
) -> int:
    """Run the command line; return the exit code."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            args = parser().parse_args(argv)
    except SystemExit as leave:
        return int(leave.code or 0)
    try:
        if args.command == "list":
            return list_command(stdout)
        if args.command == "show":
            return show_command(args.document, stdout)
        if args.command == "diff":
            return diff_command.run(args, stdout)
        if args.command == "report":
            return report_command.run(args, stdout)
        return check_command(args, stdout, stderr)
    except DeriveError as err:
        print(f"derive: {err}", file=stderr)
        return EXIT_USAGE


def console(stream: TextIO) -> Console:
    """A rich console on ``stream`` (plain when it is not a terminal)."""
    return Console(
        file=stream, highlight=False, soft_wrap=False, width=120 if not stream.isatty() else None
    )


def list_command(stdout: TextIO) -> int:
    """``derive list``."""
    from derive import api

    table = Table("name", "title", "claims", "path", box=None)
    for path in list_documents():
        doc = api.load(str(path))
        table.add_row(doc.name, escape(doc.title), str(len(doc.claims)), str(path))
    console(stdout).print(table)
    return EXIT_OK


def show_command(name: str, stdout: TextIO) -> int:
    """``derive show NAME``."""
    from derive import api, present

    doc = api.load(name)
    out = console(stdout)
    out.print(f"[bold]{escape(doc.title)}[/] ({doc.name}, {doc.path})")
    for size, text in doc.sizes.items():
        out.print(f"  size  {size}: {escape(text)}")
    for index, size in doc.indices.items():
        out.print(f"  index {index} ∈ 1..{size}")
    for shaped, (rows, cols) in doc.shapes.items():
        out.print(f"  shape {escape(present.name(shaped))}: {rows} x {cols}")
    for f in doc.functions.values():
        head = present.unicode(present.head(f.name, f.params))
        out.print(f"  function {escape(head)}: {escape(f.text)}")
    for d in doc.definitions.values():
        head = present.unicode(present.head(d.name, d.params))
        out.print(f"  define  {escape(head)} = {escape(present.unicode(d.body))}")
    for a in doc.assumptions.values():
        out.print(f"  assume  {a.name}: {escape(present.statement(a.lhs, a.rhs))}")
    for c in doc.claims:
        extra = [f"assume {', '.join(c.assume)}"] if c.assume else []
        extra += [f"where {', '.join(w.text for w in c.where)}"] if c.where else []
        extra += ["expect refuted"] if c.expect == "refuted" else []
        note = f"  [dim]({escape('; '.join(extra))})[/]" if extra else ""
        out.print(f"  claim   {c.name}: {escape(present.statement(c.lhs, c.rhs))}{note}")
    return EXIT_OK


def parse_sizes(text: str) -> list[int]:
    """Parse ``1..8`` or ``2,3,5``.

    Raises:
        UsageError: not a range of positive sizes.
    """
    try:
        if ".." in text:
            lo, hi = (int(x) for x in text.split("..", 1))
            values = list(range(lo, hi + 1))
        else:
            values = [int(x) for x in text.split(",") if x.strip()]
    except ValueError:
        raise UsageError(
            f"--sizes takes a range like 1..8 or a list like 2,3,5, not {text!r}"
        ) from None
    if not values or min(values) < 1 or max(values) > MAX_SIZE:
        raise UsageError(f"--sizes must name sizes between 1 and {MAX_SIZE}, not {text!r}")
    return values


def check_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``derive check``: records kept from an unchanged document's last check, else a check."""
    sizes = parse_sizes(args.sizes)
    if args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds")
    if args.jobs < 1:
        raise UsageError("--jobs must be at least 1")
    names = [str(p) for p in list_documents()] if args.all else list(args.documents)
    if not names:
        raise UsageError("name a document (derive check softmax-ce), a path, or --all")
    paths = [str(find_document(name)) for name in names]
    where = None if args.no_cache else store.directory()
    seed = set_run_seed(args.seed)
    records = [kept(where, path, sizes, args.timeout, args.seed) for path in paths]
    todo = [n for n, found in enumerate(records) if found is None]
    if todo:
        checked = check_afresh(args, [paths[n] for n in todo], sizes, where, stderr)
        for n, record in zip(todo, checked, strict=True):
            records[n] = record
    done = [r for r in records if r is not None]
    if args.json:
        summary = {"ok": all(r["ok"] for r in done), "seed": seed, "documents": done}
        print(json.dumps(summary, ensure_ascii=False), file=stdout)
    else:
        out = console(stdout)
        for record in done:
            print_report(out, record)
    return exit_code(done)


def kept(
    where: Path | None, path: str, sizes: list[int], timeout: float, seed: int | None
) -> Record | None:
    """The record kept for the document at ``path`` as it is now, marked as kept."""
    if where is None:
        return None
    try:
        data = Path(path).read_bytes()
    except OSError:
        return None  # loading it says what is wrong
    found = store.fetch(where, store.key(store.text_digest(data), path, sizes, timeout, seed))
    if found is None or not complete(found):
        return None  # not kept, or damaged: check it again
    return {**found, "cached": True}


RECORD_KEYS = {"name", "title", "path", "ok", "claims", "steps", "steps_summary"}


def complete(record: Record) -> bool:
    """True for a kept record with everything printing it reads."""
    if not RECORD_KEYS <= record.keys() or "first_wrong_step" not in record:
        return False
    entries = record["claims"] + record["steps"] if isinstance(record["steps"], list) else None
    return isinstance(entries, list) and all(
        isinstance(e, dict) and "status" in e and "as_expected" in e for e in entries
    )


def check_afresh(
    args: argparse.Namespace,
    paths: list[str],
    sizes: list[int],
    where: Path | None,
    stderr: TextIO,
) -> list[Record]:
    """Load and check documents (every input error before any output); keep the records."""
    from derive import api, record, runner  # SymPy and the prover: only when checking

    docs = [api.load(path) for path in paths]
    err = console(stderr)
    show_progress = stderr.isatty() and not args.json
    with err.status("checking…") if show_progress else nullcontext() as status:

        def progress(d: Document, n: int, total: int) -> None:
            if status is not None:
                status.update(f"checking {d.name}: {n}/{total} claims and steps")

        records = runner.check_documents(
            docs,
            sizes=sizes,
            timeout=args.timeout,
            jobs=args.jobs,
            progress=progress,
            where=where,
        )
    for doc, found in zip(docs, records, strict=True):
        if doc.digest and not record.timed_out(found):
            key = store.key(doc.digest, doc.path, sizes, args.timeout, args.seed)
            store.keep(where, key, found)
    return records


def exit_code(records: Sequence[Record]) -> int:
    """0, 1 or 3 as documented."""
    claims = [c for r in records for c in r["claims"]]
    if any(not c["as_expected"] and c["status"] != "undecided" for c in claims):
        return EXIT_REFUTED
    if any(not s["as_expected"] for r in records for s in r["steps"]):
        return EXIT_REFUTED
    if any(c["status"] == "undecided" for c in claims):
        return EXIT_UNDECIDED
    return EXIT_OK


def print_report(out: Console, record: Record) -> None:
    """A table of verdicts, then the evidence for each refutation."""
    kept = ""
    if record["cached"]:
        kept = " · unchanged: results of its last check (--no-cache checks again)"
    out.print(
        f"[bold]{escape(record['title'])}[/]  "
        f"[dim]{escape(record['name'])} · {escape(record['path'])}{kept}[/]",
        soft_wrap=True,
    )
    table = Table(box=None, pad_edge=False)
    for column in ("claim", "verdict", "sizes", "time"):
        table.add_column(column, justify="right" if column == "time" else "left")
    for c in record["claims"]:
        status = c["status"]
        label = f"[{COLOURS[status]}]{status}[/]"
        if c["expect"] == "refuted":
            label += (
                " [dim](expected)[/]" if c["as_expected"] else " [bold red](expected refuted)[/]"
            )
        elif not c["as_expected"] and status == "refuted":
            label = f"[bold red]{status}[/]"
        table.add_row(escape(c["name"]), label, escape(c["sizes"]), f"{c['ms']:.0f} ms")
    if record["claims"]:
        out.print(table)
    for c in record["claims"]:
        shown = c["status"] in ("refuted", "vacuous", "undecided") or not c["as_expected"]
        if shown or any(domain(s) for s in c.get("side_conditions", [])):
            out.print(f"  [bold]{escape(c['name'])}[/]: {escape(c['message'])}", soft_wrap=True)
    if record["steps"]:
        print_steps(out, record["steps"])
    claims_ok = all(c["as_expected"] for c in record["claims"])
    summary = "all claims as expected" if claims_ok else "some claims not as expected"
    if record["claims"]:
        out.print(f"  {len(record['claims'])} claims: {summary}")
    if record["steps"]:
        out.print(f"  {record['steps_summary']}")
    wrong = record["first_wrong_step"]
    if wrong is not None:
        where = f"{record['path']}:{wrong['line']}:{wrong['col']}"
        out.print(f"  first wrong step: {escape(where)}", soft_wrap=True)
    out.print()


STEP_MARKS = {
    "proved": "[green]✓[/]",
    "verified": "[cyan]✓[/]",
    "refuted": "[red]✗[/]",
    "vacuous": "[magenta]∅[/]",
    "undecided": "[yellow]?[/]",
    "unparsed": "[yellow]?[/]",
}


def print_steps(out: Console, steps: list[Record]) -> None:
    """One line per step of the body: position, mark, the step, and what was found."""
    out.print("  steps in the body:")
    for r in steps:
        where = f"{r['line']}:{r['col']}"
        said = short(f"{r['from']} = {r['to']}")
        note = ""
        if r["status"] in ("refuted", "unparsed", "vacuous", "undecided"):
            note = f"\n      {escape(r['message'])}"
        elif r["holds_under"]:
            note = f"  [dim](holds under {', '.join(r['holds_under'])})[/]"
        if r["expect"] == "refuted":
            note = (
                " [dim](expected)[/]" if r["as_expected"] else " [bold red](expected wrong)[/]"
            ) + note
        out.print(f"  {where:>7} {STEP_MARKS[r['status']]} {escape(said)}{note}", soft_wrap=True)


def domain(condition: str) -> bool:
    """True for a condition on values (``x > 0``), not on indices (``1 ≤ j ≤ K``)."""
    return condition.endswith(("> 0", "≥ 0", "≠ 0"))


def short(text: str, width: int = 90) -> str:
    """Cut long LaTeX for one line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
