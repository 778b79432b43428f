"""``derive watch FILE``: check a document on every save, and show what changed.

Each save is checked again with :class:`derive.commands.incremental.Remembered`: only
the claims and steps whose text (or the document's meaning) changed are checked; the
rest are remembered. The terminal shows the report as ``derive check`` does. With
``--serve``, the HTML report is also served on localhost and reloads in the browser.
In a terminal each check replaces the last on the screen. A save that cannot be read
prints its one-line error (and the page shows it); the watch goes on. Ctrl-C stops it.
"""

from __future__ import annotations

import argparse
import html
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from derive.commands import options

if TYPE_CHECKING:  # the prover and the server: imported when the command runs
    from derive.commands.incremental import Remembered
    from derive.commands.live import LivePage

EPILOG = """\
Only the claims and steps that changed are checked again; the others keep their
results while the file is watched. A save that cannot be read shows its error, and the
watch goes on. --serve serves the HTML report at http://127.0.0.1:PORT/ (localhost
only); an open page reloads by itself after each check.

exit codes:
  0  stopped with Ctrl-C (or after --checks N checks)
  2  bad input: the file does not exist, or the port cannot be used

examples:
  derive watch notes.md
  derive watch notes.md --serve --port 8000
"""


def add_parser(sub: argparse._SubParsersAction[options.Parser]) -> None:
    """Add the ``watch`` command to the top-level parser."""
    watch = sub.add_parser(
        "watch",
        help="check a document again on every save (and serve its HTML report with --serve)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="Check a document, then again each time its file is saved, checking "
        "only the claims and steps that changed.",
    )
    watch.add_argument("document", metavar="PATH")
    watch.add_argument(
        "--serve", action="store_true", help="also serve the HTML report, reloading on change"
    )
    watch.add_argument(
        "--port",
        type=lambda text: options.whole(text, 0, 65535, "a port"),
        default=8000,
        metavar="N",
        help="the port for --serve on 127.0.0.1 (default 8000; 0: any free port)",
    )
    watch.add_argument(
        "--checks",
        type=lambda text: options.whole(text, 1, 1_000_000, "a number of checks"),
        default=None,
        metavar="N",
        help="stop after N checks (default: until Ctrl-C)",
    )
    options.add_timeout(watch, "seconds per claim before it is undecided")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Watch, check and show until stopped; return the exit code."""
    from derive.commands.incremental import Remembered
    from derive.commands.live import LivePage
    from derive.errors import UsageError

    path = Path(args.document)
    if not path.is_file():
        raise UsageError(f"{args.document}: no such file to watch (give the path of a document)")
    live = None
    if args.serve:
        try:
            live = LivePage(args.port)
        except OSError as err:
            raise UsageError(
                f"cannot serve on 127.0.0.1:{args.port}: {err.strerror or err}; "
                "choose another --port (0: any free port)"
            ) from None
        live.show(notice("Checking…", "the first check is running", live.version + 1))
        print(f"serving the report at {live.url}", file=stdout, flush=True)
    memo = Remembered()
    checks = 0
    try:
        for _ in changes(path):
            show(path, memo, live, args, stdout)
            checks += 1
            if args.checks is not None and checks >= args.checks:
                break
    except KeyboardInterrupt:
        pass
    finally:
        if live is not None:
            live.close()
    return 0


def changes(path: Path) -> Iterator[None]:
    """Yield once now, then once after each change of ``path`` (a save by rename too).

    The file is watched from the start, in a thread, so that a save made while a check
    runs is seen when it ends.
    """
    from watchfiles import watch

    changed, stop = threading.Event(), threading.Event()
    changed.set()
    target = path.resolve()

    def watching() -> None:
        for found in watch(target.parent, stop_event=stop, debounce=150, rust_timeout=500):
            if any(Path(p).resolve() == target for _, p in found):
                changed.set()

    thread = threading.Thread(target=watching, daemon=True)
    thread.start()
    try:
        while True:
            while not changed.wait(0.5):
                pass
            changed.clear()
            if target.is_file():  # an editor's rename: the new file is there
                yield None
    finally:
        stop.set()


def show(
    path: Path, memo: Remembered, live: LivePage | None, args: argparse.Namespace, out: TextIO
) -> None:
    """Check ``path`` once, print the report and serve the page."""
    from derive import api
    from derive.errors import DeriveError
    from derive.presenting.html.page import page
    from derive.presenting.terminal import console, print_report

    began = time.monotonic()
    stamp = time.strftime("%H:%M:%S")
    try:
        doc = api.load(str(path))
        record = memo.check(doc, sizes=[1, 2, 3, 4, 5, 6, 7, 8], timeout=args.timeout)
    except DeriveError as err:
        print(f"[{stamp}] derive: {err}", file=out, flush=True)
        if live is not None:
            live.show(notice("The file cannot be read", str(err), live.version + 1))
        return
    took = time.monotonic() - began
    view = console(out)
    if out.isatty():  # a terminal shows the latest check alone; a pipe keeps them all
        view.clear()
    print(
        f"[{stamp}] checked {memo.last_checked}, remembered {memo.last_remembered} ({took:.1f} s)",
        file=out,
        flush=True,
    )
    print_report(view, record)
    out.flush()
    if live is not None:
        live.show(page(doc, record, live=live.version + 1))


def notice(title: str, message: str, version: int) -> str:
    """A page that says one thing (and reloads like the report, when the file changes)."""
    from derive.presenting.html.page import RELOAD, head

    return (
        f"{head(title)}<body>"
        f'<main class="report"><header><h1>{html.escape(title)}</h1></header>'
        f'<p class="note" id="notice">{html.escape(message)}</p></main>'
        f"{RELOAD.format(version=version)}</body></html>\n"
    )
