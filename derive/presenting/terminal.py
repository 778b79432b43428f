"""A document's record on the terminal: a table of claims, the evidence, each step marked."""

from __future__ import annotations

from typing import TYPE_CHECKING, TextIO

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from derive.presenting import words

if TYPE_CHECKING:  # a kept record is printed without SymPy, which records import
    from derive.presenting.record import ClaimRecord, DocumentRecord, StepRecord

COLOURS = {
    "proved": "green",
    "verified": "cyan",
    "refuted": "red",
    "vacuous": "magenta",
    "undecided": "yellow",
    "unparsed": "yellow",
}
UNSETTLED = ("refuted", "unparsed", "vacuous", "undecided")


class PipedConsole(Console):
    """A rich console that, when its reader closes the pipe, lets the command end."""

    def on_broken_pipe(self) -> None:
        """Stop printing and raise :class:`BrokenPipeError` (rich itself exits with 1)."""
        self.quiet = True
        raise BrokenPipeError


def console(stream: TextIO) -> Console:
    """A rich console on ``stream`` (plain when it is not a terminal)."""
    return PipedConsole(
        file=stream, highlight=False, soft_wrap=False, width=120 if not stream.isatty() else None
    )


def print_report(out: Console, record: DocumentRecord) -> None:
    """A table of verdicts, then the evidence for each refutation, then the steps."""
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
        table.add_row(escape(c["name"]), claim_label(c), escape(c["sizes"]), f"{c['ms']:.0f} ms")
    if record["claims"]:
        out.print(table)
    for c in record["claims"]:
        if worth_a_line(c):
            out.print(f"  [bold]{escape(c['name'])}[/]: {escape(c['message'])}", soft_wrap=True)
    if record["steps"]:
        print_steps(out, record["steps"])
    if record["claims"]:
        all_as_expected = all(c["as_expected"] for c in record["claims"])
        out.print(f"  {words.claims_summary(len(record['claims']), all_as_expected)}")
    if record["steps"]:
        out.print(f"  {record['steps_summary']}")
    print_unread(out, record)
    wrong = record["first_wrong_step"]
    if wrong is not None:
        where = f"{record['path']}:{words.place(wrong['line'], wrong['col'], wrong.get('cell'))}"
        out.print(f"  first wrong step: {escape(where)}", soft_wrap=True)
    out.print()


def claim_label(c: ClaimRecord) -> str:
    """The verdict column: the status in its colour, and ``(expected)`` for a listed slip."""
    status = c["status"]
    label = f"[{COLOURS[status]}]{status}[/]"
    expected = words.expectation(c["expect"], c["as_expected"])
    if expected:
        style = "dim" if c["as_expected"] else "bold red"
        return f"{label} [{style}]{expected}[/]"
    if not c["as_expected"] and status == "refuted":
        return f"[bold red]{status}[/]"
    return label


def worth_a_line(c: ClaimRecord) -> bool:
    """A claim whose message is printed below the table.

    Its verdict is refuted, vacuous or undecided, or not as expected; or it rests on a
    condition on values (``x > 0``); or its text was read in a way worth saying; or a
    check besides its proof could not be made.
    """
    shown = c["status"] in UNSETTLED or not c["as_expected"] or words.has_unchecked(c["message"])
    return shown or any(on_values(s) for s in c["side_conditions"]) or bool(c["notes"])


def print_steps(out: Console, steps: list[StepRecord]) -> None:
    """One line per step of the body: position, mark, the step, and what was found."""
    out.print("  steps in the body:")
    for r in steps:
        where = words.place(r["line"], r["col"], r.get("cell"))
        said = short(f"{r['from']} = {r['to']}")
        note = ""
        if r["status"] in UNSETTLED:
            note = f"\n      {escape(r['message'])}"
        elif r["holds_under"]:
            note = f"  [dim]({escape(words.holds_under(r['holds_under']))})[/]"
        if r["status"] in words.HOLDS and words.kinks_left_out(r["side_conditions"]):
            note += f"  [dim]({escape(words.away_from_kinks(r['side_conditions']))})[/]"
        if r["status"] in words.HOLDS and r["notes"]:
            note += f"  [dim]({escape('; '.join(r['notes']))})[/]"
        if r["status"] in words.HOLDS and words.has_unchecked(r["message"]):
            note += f"\n      [dim]{escape(r['message'])}[/]"
        expected = words.expectation(r["expect"], r["as_expected"], step=True)
        if expected:
            style = "dim" if r["as_expected"] else "bold red"
            note = f" [{style}]{expected}[/]{note}"
        mark = f"[{COLOURS[r['status']]}]{words.MARKS[r['status']]}[/]"
        out.print(f"  {where:>7} {mark} {escape(said)}{note}", soft_wrap=True)


def print_unread(out: Console, record: DocumentRecord) -> None:
    """The body's display math that is not a step, each with why; then the count."""
    unread = record["unread"]
    if unread:
        out.print("  not read in the body:")
    for u in unread:
        where = words.place(u["line"], u["col"], u.get("cell"))
        out.print(f"  {where:>7} [dim]-[/] {escape(short(u['text']))}", soft_wrap=True)
        out.print(f"      [dim]{escape(u['reason'])}[/]", soft_wrap=True)
    if unread:
        places = [words.place(u["line"], u["col"], u.get("cell")) for u in unread]
        out.print(f"  {words.unread_summary(places)}")
    if record["no_verdict"]:
        out.print(f"  [bold yellow]{words.nothing_checked()}[/]", soft_wrap=True)


def on_values(condition: str) -> bool:
    """True for a condition on values (``x > 0``, ``except where x = 0``), not on indices."""
    return condition.endswith(("> 0", "≥ 0", "≠ 0")) or condition.startswith("except where")


def short(text: str, width: int = 90) -> str:
    """Cut long LaTeX for one line."""
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
