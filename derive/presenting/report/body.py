r"""A document's body as written: its prose, and each display row marked in the margin.

The walk is :func:`derive.presenting.written.pieces` (the HTML report's too). Prose goes
through :mod:`.markdown`; a row is typeset as the author wrote it when
:func:`derive.printing.texsafe.is_author_math` finds it ordinary math, and printed as
escaped text otherwise. Beside each row: ✓ (with the assumption it needs), ✗ or ?;
under a ✗, its counterexample and residual; under a ?, why.
"""

from __future__ import annotations

import re

from derive.checking.results import Report
from derive.presenting import words
from derive.presenting.record import DocumentRecord
from derive.presenting.report.builder import Builder, Tex, join, text
from derive.presenting.report.evidence import evidence, mark
from derive.presenting.report.markdown import breakable, prose
from derive.presenting.written import Display, Mark, Row, pieces
from derive.printing.texsafe import is_author_math

KEY = (
    r"Marks: $\checkmark$ holds (with the assumption it needs, if any), $\times$ wrong, "
    r"? not read or not decided."
)
NUMBERING = re.compile(r"\\(?:nonumber|notag)\b")


def body(doc: Builder, report: Report, record: DocumentRecord) -> None:
    """The body as written: prose, then each display's rows with their marks."""
    parts = pieces(report.document, record)
    if not parts:
        return
    doc.command("subsection*", Tex("The derivation as written"))
    doc.add(Tex(KEY))
    doc.blank()
    for part in parts:
        if isinstance(part, Display):
            for row in part.rows:
                marked(doc, row)
        else:
            doc.add(prose(part.markdown))
            doc.blank()


def marked(doc: Builder, row: Row) -> None:
    """One row with its marks in the margin, then what each mark needs said under it."""
    margin = join([mark(m.symbol, m.assumption) for m in row.marks], " ")
    written = row.latex.strip() or "; ".join(
        f"{m.step['from']} = {m.step['to']}" for m in row.marks if m.step is not None
    )
    math = NUMBERING.sub("", written if r"\begin{" in written else written.replace("&", ""))
    if math.strip() and is_author_math(math):
        doc.add(Tex(r"\markedrow{"), margin, Tex("}{"), Tex(math.strip()), Tex("}"))
    else:
        doc.add(Tex(r"\markedtext{"), margin, Tex("}{"), breakable(text(written)), Tex("}"))
    for m in row.marks:
        explain(doc, m)


def explain(doc: Builder, m: Mark) -> None:
    """Under a row: a wrong step's evidence, or why a row was not read or decided."""
    if m.kind == "wrong" and m.step is not None:
        listed = " (a slip the document lists)" if m.slip else ""
        doc.add(Tex(r"\note{"), text(f"Wrong{listed}. At the point below, the sides differ."))
        doc.add(Tex("}"))
        evidence(doc, m.step["counterexample"], m.step["residual"], m.step["holds_under"])
    elif m.kind in ("undecided", "unread"):
        doc.add(Tex(r"\note{"), breakable(text(m.reason)), Tex("}"))
        doc.blank()
    elif m.step is not None and words.away_from_kinks(m.step["side_conditions"]):
        said = words.away_from_kinks(m.step["side_conditions"])
        doc.add(Tex(r"\note{"), text(f"({said})"), Tex("}"))
        doc.blank()
