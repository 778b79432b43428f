"""What shows a claim or a step wrong: the counterexample as a table, and the residual.

Both come from the records of :mod:`derive.presenting.record` (the residual is LaTeX
written by derive's own printer, its names passed through
:func:`derive.printing.texsafe.math_name`; the values are text and are escaped).
"""

from __future__ import annotations

from derive.presenting.record import CounterexampleRecord
from derive.presenting.report.builder import LONGEST, Builder, Tex, join, text
from derive.printing.texsafe import math_name

MARKS = {  # words.MARKS, typeset
    "✓": r"$\checkmark$",
    "✗": r"$\times$",
    "∅": r"$\emptyset$",
    "?": "?",
}


def mark(symbol: str, assumption: str = "") -> Tex:
    """A margin mark: the symbol, and the assumption a step holds under, in small type."""
    under = join([Tex(r" {\scriptsize "), text(assumption), Tex("}")]) if assumption else Tex("")
    return join([Tex(MARKS.get(symbol, "?")), under])


def evidence(
    doc: Builder,
    example: CounterexampleRecord | None,
    residual: str | None,
    holds_under: list[str],
) -> None:
    """The counterexample table, the residual ``left − right`` and where it would hold."""
    if example is not None:
        rows = [[Tex(f"${math_name(name)}$"), text(str(value))] for name, value in values(example)]
        rows += [[Tex("left side"), text(example["left"])]]
        rows += [[Tex("right side"), text(example["right"])]]
        doc.add(Tex(r"\begin{evidence}"))
        doc.table(
            r"l>{\raggedright\arraybackslash}p{0.6\linewidth}", [Tex("at"), Tex("value")], rows
        )
        doc.add(Tex(r"\end{evidence}"))
    if residual is not None and residual != "0":
        long = f"(too long to print: {len(residual)} characters of LaTeX)"
        shown = (
            Tex(residual)
            if len(residual) <= LONGEST
            else join([Tex(r"\text{"), text(long), Tex("}")])
        )
        doc.add(Tex(r"\residual{"), shown, Tex("}"))
    if holds_under:
        doc.add(text(f"It holds under {', '.join(holds_under)}."))
    doc.blank()


def values(example: CounterexampleRecord) -> list[tuple[str, object]]:
    """Sizes, indices and inputs of a counterexample, in that order."""
    return [*example["sizes"].items(), *example["indices"].items(), *example["values"].items()]
