r"""The HTML report: a document's derivation as written, each row marked, in one file.

The page holds the document's prose (Markdown, its raw HTML not passed through), its
math as MathML (:mod:`derive.presenting.html.mathml`), the claims and their verdicts at
the top, and beside each row of each display a mark: ✓, ✓ with the assumption used, ✗,
or ?. A ✗ opens to its counterexample, as a small table, and the residual. The page
needs no network and holds no script, except, when ``derive watch --serve`` serves it,
the few lines that reload it when the file changes.

>>> from derive import api
>>> from derive.presenting.record import document_record
>>> doc = api.load("softmax-ce")
>>> text = page(doc, document_record(api.check(doc)))
>>> text.startswith("<!DOCTYPE html>"), "<script" in text, "\\frac" in text
(True, False, False)
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from importlib import resources

from markdown_it import MarkdownIt
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from derive.defaults import VERSION
from derive.model import Document
from derive.presenting.html.mathml import to_mathml
from derive.presenting.html.scope import scoped
from derive.presenting.record import ClaimRecord, CounterexampleRecord, DocumentRecord
from derive.presenting.words import away_from_kinks
from derive.presenting.written import KINDS, Display, Mark, Prose, Row, pieces

__all__ = ["claim_fragment", "counts", "fragment", "head", "page"]

BOX = "derive-report"  # the class of the box an embedded report is drawn in
EMBEDDED = ".report { max-width: 52rem; margin: 0; padding: .5rem 1rem 1rem; }"  # no page margins
LONG = 3000  # characters of a residual's LaTeX: longer is said by its length
RELOAD = """<script>
(() => {{
  let seen = {version};
  async function poll() {{
    try {{
      const answer = await fetch("/version", {{cache: "no-store"}});
      const now = Number(await answer.text());
      if (now !== seen) {{ location.reload(); return; }}
    }} catch (e) {{ /* the server stopped: try again */ }}
    setTimeout(poll, 400);
  }}
  setTimeout(poll, 400);
}})();
</script>"""


def page(
    doc: Document,
    record: DocumentRecord,
    *,
    title: str | None = None,
    author: str | None = None,
    live: int | None = None,
) -> str:
    """The whole page for one checked document.

    Args:
        doc: the document as loaded (its body is shown as written).
        record: what checking it found (:func:`derive.presenting.record.document_record`).
        title: the page's title (default: the document's).
        author: a byline under the title.
        live: served by ``derive watch --serve``: the version the page shows, polled
            so that the page reloads when it changes.
    """
    heading = title or record["title"] or record["name"]
    parts = [
        head(heading),
        "<body>",
        '<main class="report">',
        *sections(doc, record, heading, author),
        "</main>",
        RELOAD.format(version=live) if live is not None else "",
        "</body>",
        "</html>",
    ]
    return "\n".join(p for p in parts if p) + "\n"


def fragment(
    doc: Document, record: DocumentRecord, *, title: str | None = None, author: str | None = None
) -> str:
    """The page's report, to embed in a page it does not own, such as a notebook's output.

    One ``<div class="derive-report">`` holding the same sections as :func:`page`, and
    the page's stylesheet confined to that box (:func:`~derive.presenting.html.scope.scoped`),
    so that it does not restyle the page around it. No ``<html>``, ``<head>`` or script.

    Args:
        doc: the document as loaded (its body is shown as written).
        record: what checking it found (:func:`derive.presenting.record.document_record`).
        title: the report's title (default: the document's).
        author: a byline under the title.
    """
    heading = title or record["title"] or record["name"]
    return boxed(sections(doc, record, heading, author))


def claim_fragment(record: ClaimRecord) -> str:
    """One claim and its verdict, to embed: the page's table of claims with one row."""
    return boxed([claims([record])])


def boxed(parts: Sequence[str]) -> str:
    """``parts`` in a box of their own, with the page's style confined to it."""
    css = scoped(f"{style()}\n{EMBEDDED}", f".{BOX}")
    inside = [f'<div class="{BOX}">', f"<style>{css}</style>", '<div class="report">', *parts]
    return "\n".join(p for p in [*inside, "</div>", "</div>"] if p) + "\n"


def sections(doc: Document, record: DocumentRecord, heading: str, author: str | None) -> list[str]:
    """The report's sections: title and summary, claims, the derivation, who checked it."""
    return [
        header(record, heading, author),
        claims(record["claims"]),
        body(doc, record),
        footer(record),
    ]


def head(title: str) -> str:
    """A page's start, to ``<body>``: its title and style; no request leaves it (no icon)."""
    return "\n".join(
        [
            "<!DOCTYPE html>",
            '<html lang="en">',
            "<head>",
            '<meta charset="utf-8">',
            '<meta name="viewport" content="width=device-width, initial-scale=1">',
            '<meta name="generator" content="derive">',
            '<link rel="icon" href="data:,">',
            f"<title>{esc(title)}</title>",
            f"<style>{style()}</style>",
            "</head>",
        ]
    )


def esc(text: str) -> str:
    """``text`` as HTML text (quotes too: it may stand in an attribute)."""
    return html.escape(text, quote=True)


def words(text: str) -> str:
    """A message as HTML: what it quotes in backticks (LaTeX, a name) as code."""
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", esc(text))


def style() -> str:
    """The page's stylesheet, shipped in the package."""
    return resources.files("derive.presenting.html").joinpath("style.css").read_text("utf-8")


def counts(record: DocumentRecord) -> dict[str, int]:
    """How many steps earned each mark, and how many claims are as expected."""
    from derive.presenting.written import mark_of, unread_mark

    marks = [*(mark_of(s) for s in record["steps"]), *(unread_mark(u) for u in record["unread"])]
    found = {kind: sum(m.kind == kind for m in marks) for kind in KINDS}
    found["slips"] = sum(m.kind == "wrong" and m.slip for m in marks)
    found["claims"] = len(record["claims"])
    found["claims as expected"] = sum(c["as_expected"] for c in record["claims"])
    return found


def header(record: DocumentRecord, heading: str, author: str | None) -> str:
    """The title block and the one-line summary."""
    found = counts(record)
    verdict = "as expected" if record["ok"] else "not as expected"
    tally = [
        f'<span class="tally holds">✓ {found["holds"]} hold</span>',
        f'<span class="tally assumed">✓ {found["assumed"]} under an assumption</span>',
        f'<span class="tally wrong">✗ {found["wrong"]} wrong</span>',
        f'<span class="tally unread">? {found["unread"] + found["undecided"]} not read or '
        "undecided</span>",
    ]
    slips = found["slips"]
    note = f" ({slips} of them slips the document lists)" if slips else ""
    lines = [
        "<header>",
        f"<h1>{esc(heading)}</h1>",
        f'<p class="byline">{esc(author)}</p>' if author else "",
        f'<p class="source">{esc(record["path"])}</p>',
        f'<p class="verdict {"ok" if record["ok"] else "not-ok"}">'
        f"{claims_said(found)}{'t' if found['claims'] else 'T'}he document is {verdict}"
        f"{esc(note)}.</p>",
        f'<p class="tallies">{" ".join(tally)}</p>' if record["steps"] or record["unread"] else "",
        "</header>",
    ]
    return "\n".join(line for line in lines if line)


def claims_said(found: dict[str, int]) -> str:
    """``3 of 4 claims as expected; `` (nothing when there are no claims)."""
    if not found["claims"]:
        return ""
    return f"{found['claims as expected']} of {found['claims']} claims as expected; "


def claims(found: Sequence[ClaimRecord]) -> str:
    """The claims, each with its verdict (and its evidence when it is refuted)."""
    if not found:
        return ""
    rows = []
    for claim in found:
        symbol = "✓" if claim["status"] in ("proved", "verified") else "✗"
        if claim["status"] not in ("proved", "verified", "refuted"):
            symbol = "?"
        expected = "as expected" if claim["as_expected"] else "NOT as expected"
        if claim["expect"] == "refuted":
            expected += " (a slip, listed to be refuted)"
        evidence = refutation(claim["counterexample"], claim["residual"])
        rows.append(
            f'<tr class="claim {"ok" if claim["as_expected"] else "not-ok"}">'
            f'<td class="mark {kind_of(symbol)}">{symbol}</td>'
            f'<td class="name">{esc(claim["name"])}</td>'
            f'<td class="statement">{to_mathml(claim["statement"])}</td>'
            f'<td class="status"><span class="word">{esc(claim["status"])}</span>'
            f' <span class="expected">{esc(expected)}</span>'
            f"{details(claim['message'], evidence)}</td></tr>"
        )
    return (
        '<section class="claims"><h2>Claims</h2><table class="claims">'
        + "".join(rows)
        + "</table></section>"
    )


def kind_of(symbol: str) -> str:
    """The CSS class of a mark's symbol."""
    return {"✓": "holds", "✗": "wrong"}.get(symbol, "unread")


def body(doc: Document, record: DocumentRecord) -> str:
    """The derivation as written: prose, and displays with their marks."""
    found = pieces(doc, record)
    if not found:
        return ""
    out = ['<article class="derivation">']
    for piece in found:
        out.append(prose(piece) if isinstance(piece, Prose) else display(piece))
    out.append("</article>")
    return "\n".join(out)


def display(block: Display) -> str:
    """A display block: one row per line, its marks beside it, evidence under a ✗."""
    out = [f'<div class="display" data-line="{block.line}">']
    for row in block.rows:
        out.append(row_html(row))
    out.append("</div>")
    return "\n".join(out)


def row_html(row: Row) -> str:
    """One row: its cells (aligned at ``&``), its marks, and the evidence of each."""
    kinds = {m.kind for m in row.marks}
    worst = next(
        (k for k in ("wrong", "undecided", "unread", "assumed", "holds") if k in kinds), ""
    )
    cells = split_cells(row.latex)
    left = to_mathml(cells[0]) if len(cells) > 1 else ""
    right = to_mathml(" ".join(cells[1:]) if len(cells) > 1 else cells[0])
    marks = "".join(mark_html(m) for m in row.marks)
    notes = "".join(note_html(m) for m in row.marks)
    return (
        f'<div class="row {worst}" id="line-{row.line}" data-line="{row.line}">'
        f'<div class="lhs">{left}</div><div class="rhs">{right}</div>'
        f'<div class="marks">{marks}</div>'
        f'<div class="notes">{notes}</div></div>'
    )


def mark_html(mark: Mark) -> str:
    """A mark's symbol, with its line as a tooltip, and the assumption it used."""
    under = f'<span class="assumption">{esc(mark.assumption)}</span>' if mark.assumption else ""
    return (
        f'<span class="mark {mark.kind}" data-kind="{mark.kind}" title="{esc(mark.reason)}">'
        f"{mark.symbol}{under}</span>"
    )


def note_html(mark: Mark) -> str:
    """What is said under a row: the evidence of a ✗, the reason for a ?, the assumption."""
    where = f"line {mark.line}"
    if mark.kind == "wrong" and mark.step is not None:
        step = mark.step
        slip = ", a slip the document lists" if mark.slip else ""
        evidence = refutation(step["counterexample"], step["residual"])
        told = step["notes"] if step["counterexample"] else [step["message"], *step["notes"]]
        said = "".join(f'<p class="said">{words(line)}</p>' for line in told)
        opens = "open for a counterexample" if step["counterexample"] else "open for why"
        return details(f"✗ {where}: this step does not hold{slip} ({opens})", said + evidence, True)
    kinks = away_from_kinks(mark.step["side_conditions"]) if mark.step is not None else ""
    if mark.kind == "holds":
        return f'<p class="note holds">✓ {where}: {esc(kinks)}</p>' if kinks else ""
    if mark.kind == "assumed":
        return f'<p class="note assumed">✓ {where}: holds under {esc(mark.assumption)}</p>'
    return f'<p class="note {mark.kind}">? {where}: {words(mark.reason)}</p>'


def details(summary: str, evidence: str, wrong: bool = False) -> str:
    """A line that opens to its evidence (or the line alone, with none)."""
    if not evidence:
        return f'<p class="note{" wrong" if wrong else ""}">{esc(summary)}</p>'
    return (
        f'<details class="evidence{" wrong" if wrong else ""}"><summary>{esc(summary)}</summary>'
        f"{evidence}</details>"
    )


def refutation(example: CounterexampleRecord | None, residual: str | None) -> str:
    """The counterexample as a small table, and the residual as math."""
    out = []
    if example is not None:
        cells = [
            *((name, str(value)) for name, value in example["sizes"].items()),
            *((name, str(value)) for name, value in example["indices"].items()),
            *example["values"].items(),
        ]
        rows = "".join(
            f'<tr><th scope="row">{to_mathml(name)}</th><td>{esc(value)}</td></tr>'
            for name, value in cells
        )
        sides = "".join(
            f'<tr class="sides"><th scope="row">{side} side</th><td>{esc(example[side])}</td></tr>'
            for side in ("left", "right")
        )
        out.append(
            '<table class="counterexample"><caption>A counterexample</caption>'
            f"{rows}{sides}</table>"
        )
    if residual is not None and len(residual) > LONG:
        out.append(
            f'<p class="residual">left − right is an expression of {len(residual):,} characters '
            "of LaTeX: <code>derive check --json</code> prints it whole.</p>"
        )
    elif residual is not None and residual != "0":
        out.append(
            '<div class="residual"><span class="label">left − right =</span> '
            f"{to_mathml(residual, display=True)}</div>"
        )
    return "".join(out)


def split_cells(latex: str) -> list[str]:
    r"""A row split at its top-level ``&`` (alignment), braces and environments respected."""
    cells, depth, start, n = [], 0, 0, 0
    while n < len(latex):
        char = latex[n]
        if char == "\\":
            if latex.startswith("\\begin", n):
                depth += 1
            elif latex.startswith("\\end", n):
                depth -= 1
            n += 2
            continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
        elif char == "&" and depth == 0:
            cells.append(latex[start:n])
            start = n + 1
        n += 1
    cells.append(latex[start:])
    return [c.strip() for c in cells] or [""]


def prose(piece: Prose) -> str:
    """The Markdown between displays, rendered (raw HTML in it is shown as text)."""
    return f'<div class="prose">{markdown().render(piece.markdown)}</div>'


def markdown() -> MarkdownIt:
    """CommonMark with ``$…$`` math drawn as MathML, and raw HTML escaped."""
    md = MarkdownIt("commonmark", {"html": False})
    md.use(dollarmath_plugin, double_inline=True).use(amsmath_plugin)
    md.use(texmath_plugin, delimiters="brackets")
    for name in ("math_inline", "math_inline_double"):
        md.add_render_rule(name, inline_math)
    for name in ("math_block", "math_block_eqno", "math_block_label", "amsmath"):
        md.add_render_rule(name, block_math)
    return md


def inline_math(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A ``$…$`` of the prose."""
    return to_mathml(tokens[idx].content)


def block_math(
    self: object, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    """A display the walk did not take as a block (it is not a step): drawn, unmarked."""
    return f'<div class="display plain">{to_mathml(tokens[idx].content, display=True)}</div>'


def footer(record: DocumentRecord) -> str:
    """Who checked it, and how to check it again (a file: not text, such as ``<stdin>``)."""
    path = record["path"]
    again = (
        "" if path.startswith("<") else f" Check it again: <code>derive check {esc(path)}</code>"
    )
    return f"<footer>Checked by derive {esc(VERSION)} (seed {record['seed']}).{again}</footer>"
