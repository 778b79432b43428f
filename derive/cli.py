"""The ``derive`` command: list, show, check, diff and report.

Exit codes: 0 every claim came out as expected; 1 a claim was refuted or is vacuous (or
proved where ``expect = "refuted"``); 2 bad input or usage; 3 a claim is undecided and none
refuted, or no step of a body's display math got a verdict.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from contextlib import redirect_stderr, redirect_stdout
from typing import TYPE_CHECKING, TextIO

from rich.markup import escape
from rich.table import Table

from derive import __version__
from derive.commands import checked, diff_command, options, report_command, watch_command
from derive.defaults import set_run_seed
from derive.errors import DeriveError
from derive.presenting.terminal import console, print_report
from derive.reading import stdin as standard_input
from derive.reading.catalog import list_documents

if TYPE_CHECKING:
    from derive.presenting.record import CheckRecord, DocumentRecord

# SymPy and the prover are imported by the commands that need them, so that `--help`
# and a check that finds every document unchanged (derive.checking.store) start at once.
EXIT_OK, EXIT_REFUTED, EXIT_USAGE, EXIT_UNDECIDED = 0, 1, 2, 3

EPILOG = """\
exit codes:
  0  every claim came out as expected
  1  a claim was refuted or is vacuous (or proved where the document expects "refuted")
  2  bad input or usage (the message says file:line:col and what to do); with
     several documents, the others are still checked
  3  a claim is undecided (time limit or unsupported construct) and none was refuted,
     or a body has display math of which no step got a verdict

examples:
  derive list
  derive check softmax-ce
  derive diff softmax-ce E z_j --assume targets
  derive report --all -o out/report.tex --pdf
  derive check --all --json
  derive check derivations/softmax.md --sizes 2..5 --timeout 30
  derive check notes.tex notebook.ipynb
  cat notes.md | derive check -
"""


def parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    top = options.Parser(
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
    infer = sub.add_parser(
        "infer",
        help="print the front matter derive infers from a document's body, as TOML to paste",
        description="Print, as a TOML front matter, what derive infers from the body's "
        "display math: definitions (the first equality of a chain whose left side is a "
        "new name), indices and sizes (from sums and subscripts) and candidate "
        "assumptions (a vector that is summed or weights a logarithm sums to one). Only "
        "what the document's own front matter does not write is printed.",
    )
    infer.add_argument("document", metavar="NAME|PATH")
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
        help="catalogue names (softmax-ce), paths to .md, .tex, .ipynb or .txt documents, "
        "or - for standard input",
    )
    check.add_argument("--all", action="store_true", help="check every document found")
    check.add_argument(
        "--sizes",
        type=options.sizes,
        default="1..8",
        metavar="RANGE",
        help="concrete sizes when no all-K proof is found: 1..8 or 2,3,5, each from 1 to "
        f"{options.MAX_SIZE} (default 1..8)",
    )
    options.add_timeout(check, "seconds per claim before it is undecided")
    check.add_argument(
        "--json", action="store_true", help="print one JSON object on stdout and nothing else"
    )
    check.add_argument(
        "--seed",
        type=options.seed,
        default=None,
        metavar="N",
        help="the seed of the random points (default: a fresh one each run, shown by "
        "--json); give a run's seed to repeat it",
    )
    check.add_argument(
        "--jobs",
        type=options.jobs,
        default=options.DEFAULT_JOBS,
        metavar="N",
        help="check with N worker processes (1 to 64), each taking its share of the "
        "documents, or of one document's checks (default: the number of CPUs, here "
        "%(default)s); the output order and "
        "verdicts do not change",
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
    watch_command.add_parser(sub)
    return top


def main(
    argv: Sequence[str] | None = None,
    *,
    stdout: TextIO | None = None,
    stderr: TextIO | None = None,
    stdin: TextIO | None = None,
) -> int:
    """Run the command line; return the exit code. A document named ``-`` is ``stdin``."""
    stdout = stdout or sys.stdout
    stderr = stderr or sys.stderr
    standard_input.use(stdin)
    try:
        with redirect_stdout(stdout), redirect_stderr(stderr):
            args = parser().parse_args(argv)
    except SystemExit as leave:
        return int(leave.code or 0)
    try:
        if args.command == "list":
            return list_command(stdout, stderr)
        if args.command == "show":
            return show_command(args.document, stdout)
        if args.command == "infer":
            return infer_command(args.document, stdout)
        if args.command == "diff":
            return diff_command.run(args, stdout)
        if args.command == "report":
            return report_command.run(args, stdout, stderr)
        if args.command == "watch":
            return watch_command.run(args, stdout)
        return check_command(args, stdout, stderr)
    except DeriveError as err:
        print(f"derive: {err}", file=stderr)
        return EXIT_USAGE
    except BrokenPipeError:  # the reader closed the pipe (`derive show … | head`)
        closed(stdout)
        return EXIT_OK


def closed(stdout: TextIO) -> None:
    """Stop writing to a pipe its reader closed, without a message at exit."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, stdout.fileno())
    except (OSError, ValueError, AttributeError):
        pass  # not a file (a test's buffer): nothing is flushed at exit


def list_command(stdout: TextIO, stderr: TextIO) -> int:
    """``derive list``: every document found; one that cannot be read, with its error."""
    from derive import api

    table = Table("name", "title", "claims", "path", box=None)
    errors: list[str] = []
    for path in list_documents():
        try:
            doc = api.load(str(path))
        except DeriveError as err:
            errors.append(str(err))
            table.add_row(path.stem, "[red]cannot be read[/] (below)", "–", str(path))
            continue
        table.add_row(doc.name, escape(doc.title), str(len(doc.claims)), str(path))
    try:
        console(stdout).print(table)
    except BrokenPipeError:
        closed(stdout)
    for error in errors:
        print(f"derive: {error}", file=stderr)
    return EXIT_USAGE if errors else EXIT_OK


def show_command(name: str, stdout: TextIO) -> int:
    """``derive show NAME``."""
    from derive import api
    from derive.printing import notation as present

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
    for input_name, axes in api.inputs(doc).items():
        out.print(f"  input   {escape(present.name(input_name))}: {escape(role(axes))}")
    for c in doc.claims:
        extra = [f"assume {', '.join(c.assume)}"] if c.assume else []
        extra += [f"where {', '.join(w.text for w in c.where)}"] if c.where else []
        extra += ["expect refuted"] if c.expect == "refuted" else []
        note = f"  [dim]({escape('; '.join(extra))})[/]" if extra else ""
        out.print(f"  claim   {c.name}: {escape(present.statement(c.lhs, c.rhs))}{note}")
    return EXIT_OK


def infer_command(name: str, stdout: TextIO) -> int:
    """``derive infer NAME``: the inferred front matter, as TOML."""
    from derive import api
    from derive.presenting import toml

    title, tables = api.infer(name)
    note = "inferred by derive from the body's display math: keep what is right, edit the rest"
    stdout.write(toml.front_matter(title, tables, note))
    return EXIT_OK


def role(axes: tuple[str | None, ...]) -> str:
    """What an inferred input is: a scalar, or a vector (a tensor) over its sizes."""
    if not axes:
        return "a scalar (inferred: written without a subscript)"
    over = " x ".join(size or "?" for size in axes)
    kind = "a vector" if len(axes) == 1 else f"a {len(axes)}-index tensor"
    return f"{kind} over {over} (inferred from its subscripts)"


def check_command(args: argparse.Namespace, stdout: TextIO, stderr: TextIO) -> int:
    """``derive check``: records kept from an unchanged document's last check, else a check.

    A document that cannot be found or read is reported (``derive: file:line:col: …`` on
    stderr, or in the JSON's ``errors``) and the others are still checked; the exit code
    is then 2.
    """
    from derive.presenting import record

    names = options.document_names(args, "check")
    seed = set_run_seed(args.seed)
    how = checked.Options(
        args.sizes, args.timeout, args.seed, args.jobs, not args.no_cache, spinner=not args.json
    )
    found = checked.check_names(names, how, stderr)
    documents, errors = found.records, found.errors
    code = EXIT_USAGE if errors else exit_code(documents)
    try:
        if args.json:
            run: CheckRecord = {
                "ok": code == EXIT_OK,
                "seed": seed,
                "documents": documents,
                "errors": errors,
            }
            print(record.dumps(run), file=stdout)
        else:
            for error in errors:
                print(f"derive: {error['message']}", file=stderr)
            out = console(stdout)
            for document in documents:
                print_report(out, document)
    except BrokenPipeError:
        closed(stdout)
    return code


def exit_code(records: Sequence[DocumentRecord]) -> int:
    """0, 1 or 3 as documented."""
    claims = [c for r in records for c in r["claims"]]
    if any(not c["as_expected"] and c["status"] != "undecided" for c in claims):
        return EXIT_REFUTED
    if any(not s["as_expected"] for r in records for s in r["steps"]):
        return EXIT_REFUTED
    if any(c["status"] == "undecided" for c in claims) or any(r["no_verdict"] for r in records):
        return EXIT_UNDECIDED
    return EXIT_OK
