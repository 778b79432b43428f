r"""Chains of equalities in a document's body, checked step by step.

Every display-math block (``$$ … $$``, ``\[ … \]``, ``\begin{align*}`` and friends,
found with markdown-it-py) is a chain ``A = B = C``: the steps are ``A = B`` and
``B = C``. A block that starts with ``= X`` continues the previous chain (the seeds write
one line per block). ``\quad`` separates statements on one line; annotations such as
``\tag{…}``, ``\text{(shown)}``, ``\therefore`` and a leading ``2.`` are set aside.

Each step is checked like a claim, holding when its sides are equal given the front
matter; one that needs a declared assumption is reported as holding under it.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import sympy as sp
from markdown_it import MarkdownIt
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.texmath import texmath_plugin

from derive import symbols
from derive.errors import DeriveError, Position
from derive.latex import parse_expression
from derive.model import Claim, Condition, Document
from derive.prover import DEFAULT_SIZES, DEFAULT_TIMEOUT, prove_claim
from derive.verdict import Verdict

ANNOTATIONS = [
    r"\\tag\*?\{[^{}]*\}",
    r"\(\s*\\text\{\s*shown\s*\}\s*\)",
    r"\\text\{\s*\(?\s*shown\s*\)?\s*\}",
    r"\\therefore",
    r"\\nonumber",
    r"\\notag",
]
ENVIRONMENT = re.compile(r"\\(begin|end)\{(aligned|align\*?|eqnarray\*?|gathered|split)\}")
SEPARATOR = re.compile(r"\\q?quad")
CONDITION = re.compile(r",\s*(?P<left>[a-z])\s*\\neq?\s*(?P<right>[a-z])\s*$")
NUMBERING = re.compile(r"^\s*(\\text\{[^{}]*\}\s*)?\d+\.\s")


@dataclass(frozen=True)
class Side:
    """One side of a chain: its LaTeX and where it starts in the file."""

    text: str
    line: int
    col: int


@dataclass(frozen=True)
class Step:
    """``left = right``, one link of a chain."""

    left: Side
    right: Side


@dataclass(frozen=True)
class StepResult:
    """A step and what became of it.

    ``status`` is ``proved``, ``verified``, ``refuted``, ``undecided`` or ``unparsed``.
    """

    step: Step
    status: str
    verdict: Verdict | None = None
    message: str = ""
    claim: Claim | None = None  # the step as a claim, for messages and reports
    expect: str = "holds"  # or "refuted", for a slip the document lists under [[steps]]

    @property
    def holds(self) -> bool:
        """True for a step that holds (possibly under an assumption)."""
        return self.status in ("proved", "verified")

    @property
    def as_expected(self) -> bool:
        """False for a wrong step the document does not list, or a listed one that holds."""
        if self.expect == "refuted":
            return self.status == "refuted"
        return self.status != "refuted"


def math_blocks(doc: Document) -> Iterator[tuple[str, int]]:
    """Each display-math block of the body with the file line where its text starts."""
    md = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
    md.use(amsmath_plugin).use(texmath_plugin, delimiters="brackets")
    source = doc.body.split("\n")
    after = 0
    for token in md.parse(doc.body):
        if token.type in ("math_block", "amsmath", "math_block_eqno"):
            start = token.map[0] if token.map else find_line(source, token.content, after)
            after = start
            yield token.content, doc.body_line + start
        elif token.type == "inline" and token.children and token.map:
            for child in token.children:
                if child.type == "math_inline_double":
                    yield child.content, doc.body_line + token.map[0]


def find_line(source: list[str], content: str, after: int) -> int:
    r"""The body line of a ``\[ … \]`` block (texmath gives no line map).

    The result is the line before the content's first line, where ``\[`` stands, when
    the content starts with a line break.
    """
    first = next((line.strip() for line in content.split("\n") if line.strip()), "")
    for number in range(after, len(source)):
        if first and first in source[number]:
            return number - (1 if content.startswith("\n") else 0)
    return after


def chains(doc: Document) -> list[list[Side]]:
    """Every chain of equalities in the body, continuations joined."""
    source = doc.body.split("\n")
    out: list[list[Side]] = []
    cursor: dict[int, int] = {}  # per line, where the next side is searched from
    for content, line in math_blocks(doc):
        for row_text, row_line in rows(content, line):
            for segment, offset in separated(row_text):
                at = row_line + row_text[:offset].count("\n")
                sides = split_sides(clean(segment), at, source, doc.body_line, cursor)
                if not sides:
                    continue
                if len(sides) == 1:  # an `=` only inside unbalanced braces: report it
                    out.append([sides[0], Side("", sides[0].line, sides[0].col)])
                elif sides[0].text == "" and out and same_part(doc, out[-1][0], sides[1]):
                    out[-1].extend(sides[1:])
                else:
                    out.append(sides)  # empty sides stay, to be reported, never skipped
    return out


def separated(row: str) -> Iterator[tuple[str, int]]:
    r"""The statements of a row split at ``\quad``, each with its offset in the row."""
    start = 0
    for match in SEPARATOR.finditer(row):
        yield row[start : match.start()], start
        start = match.end()
    yield row[start:], start


def same_part(doc: Document, first: Side, then: Side) -> bool:
    """True when no ``[[parts]]`` boundary lies between two sides."""
    return doc.reading_at(first.line) is doc.reading_at(then.line)


def rows(content: str, line: int) -> Iterator[tuple[str, int]]:
    r"""The rows of a block (``\\`` separates rows in aligned environments)."""
    text = ENVIRONMENT.sub(" ", content)
    offset = 0
    for row in outside_braces(text, "\\\\"):
        lead = len(row) - len(row.lstrip())
        yield row.replace("&", " ").strip(), line + offset + row[:lead].count("\n")
        offset += row.count("\n")


def outside_braces(text: str, separator: str) -> list[str]:
    r"""Split ``text`` at ``separator`` where no brace is open (``\substack{a \\ b}`` stays)."""
    parts, depth, start, n = [], 0, 0, 0
    while n < len(text):
        if text.startswith(separator, n) and depth == 0:
            parts.append(text[start:n])
            n += len(separator)
            start = n
            continue
        if text[n] == "\\" and n + 1 < len(text):
            n += 2  # an escaped character, `\{` or `\\`, never opens or closes
            continue
        depth += {"{": 1, "}": -1}.get(text[n], 0)
        n += 1
    parts.append(text[start:])
    return parts


def clean(segment: str) -> str:
    """Set annotations aside, keeping the columns of what remains."""
    for pattern in ANNOTATIONS:
        segment = re.sub(pattern, lambda m: " " * len(m.group(0)), segment)
    return NUMBERING.sub(lambda m: " " * len(m.group(0)), segment)


def split_sides(
    segment: str, line: int, source: list[str], body_line: int, cursor: dict[int, int]
) -> list[Side]:
    """Split at every ``=`` outside braces and brackets.

    An empty first side means the segment continues the previous chain.
    """
    if "=" not in segment:
        return []
    parts, depth, start = [], 0, 0
    for n, char in enumerate(segment):
        if char in "{([":
            depth += 1
        elif char in "})]":
            depth -= 1
        elif (
            char == "="
            and depth == 0
            and (n == 0 or segment[n - 1] not in "<>!")
            and not re.search(r"\\(neq|ne|not|leq|geq|le|ge)\s*$", segment[:n])
        ):
            parts.append((start, segment[start:n]))
            start = n + 1
    parts.append((start, segment[start:]))
    return [
        locate(
            text,
            line + segment[: offset + len(text) - len(text.lstrip())].count("\n"),
            source,
            body_line,
            cursor,
        )
        for offset, text in parts
    ]


def locate(text: str, line: int, source: list[str], body_line: int, cursor: dict[int, int]) -> Side:
    r"""A side with its file position (the first non-blank character).

    Several sides can stand on one line (aligned rows joined by ``\\``): each is
    searched for after the one before it.
    """
    stripped = text.strip()
    if not stripped:
        return Side("", line, 1)
    row = source[line - body_line] if 0 <= line - body_line < len(source) else ""
    found = row.find(stripped[:20], cursor.get(line, 0))
    if found < 0:
        found = row.find(stripped[:20])
    cursor[line] = found + 1 if found >= 0 else cursor.get(line, 0)
    return Side(stripped, line, max(found + 1, 1))


def check_steps(
    doc: Document,
    *,
    sizes: tuple[int, ...] = DEFAULT_SIZES,
    timeout: float | None = DEFAULT_TIMEOUT,
) -> list[StepResult]:
    """Check every step of every chain in the body."""
    results = []
    for sides in chains(doc):
        reading = doc.reading_at(sides[0].line)
        chain, stated = conditions(sides, reading)
        where = (*reading.where, *stated)
        for left, right in itertools.pairwise(chain):
            result = check_step(reading, Step(left, right), sizes, timeout, where)
            written = " ".join(right.text.split())
            if any(written.startswith(known) for known in doc.known_wrong):
                result = replace(result, expect="refuted")
            results.append(result)
    return results


def conditions(chain: list[Side], doc: Document) -> tuple[list[Side], tuple[Condition, ...]]:
    r"""Set aside conditions written after a side, ``\frac{…}{\partial z_j}, i \neq j``.

    They hold for the whole chain, as the author means them.
    """
    found: list[Condition] = []
    sides = []
    for side in chain:
        match = CONDITION.search(side.text)
        if match and match["left"] in doc.indices and match["right"] in doc.indices:
            left, right = symbols.index(match["left"]), symbols.index(match["right"])
            found.append(Condition(left, "!=", right, match.group(0).lstrip(", ")))
            side = replace(side, text=side.text[: match.start()].rstrip())
        sides.append(side)
    return sides, tuple(found)


def check_step(
    doc: Document,
    step: Step,
    sizes: tuple[int, ...],
    timeout: float | None,
    where: tuple[Condition, ...] = (),
) -> StepResult:
    """One step: parse both sides, then prove, then try the declared assumptions."""
    if not step.left.text or not step.right.text:
        return one_sided(doc, step)
    try:
        lhs = parse_expression(expand_macros(step.left.text, doc), doc.scope)
        rhs = parse_expression(expand_macros(step.right.text, doc), doc.scope)
    except DeriveError as err:
        return StepResult(step, "unparsed", message=f"not understood: {err.message}")
    lhs, rhs = as_scalar(lhs), as_scalar(rhs)
    if shape(lhs) != shape(rhs):
        return StepResult(
            step,
            "unparsed",
            message=f"not understood: the left side is {shape(lhs)} and the right side "
            f"{shape(rhs)} under the front matter's [shapes]",
        )
    claim = Claim(
        f"line {step.right.line}",
        lhs,
        rhs,
        f"{step.left.text} = {step.right.text}",
        Position(doc.path, step.right.line, step.right.col),
        where=where,
    )
    verdict = prove_claim(doc, claim, sizes=sizes, timeout=timeout)
    if verdict.status == "refuted" and verdict.holds_under:
        assumed = replace(claim, assume=verdict.holds_under)
        under = prove_claim(doc, assumed, sizes=sizes, timeout=timeout)
        if under.status in ("proved", "verified"):
            held = replace(under, holds_under=verdict.holds_under)
            return StepResult(
                step, under.status, held, f"holds under {', '.join(verdict.holds_under)}", claim
            )
    return StepResult(step, verdict.status, verdict, verdict.message, claim)


def shape(expr: sp.Expr) -> str:
    """``a scalar`` (1×1 included) or ``N×1``: what a side is, for messages."""
    if not isinstance(expr, sp.MatrixExpr) or expr.shape == (1, 1):
        return "a scalar"
    rows, cols = expr.shape
    return f"{rows}×{cols}"


def expand_macros(text: str, doc: Document) -> str:
    r"""Replace what the front matter's ``[macros]`` name, longest first.

    Notes have their own shorthands and OCR damage (``\mathbf{r}^{(L)}`` for
    ``{}^r \mathbf{z}^{(L)}``); the body stays as written and the reading is declared.
    """
    for written in sorted(doc.macros, key=len, reverse=True):
        text = text.replace(written, doc.macros[written])
    return text


def as_scalar(expr: sp.Expr) -> sp.Expr:
    """A 1×1 matrix, such as a row gradient times a column, as its only entry."""
    if isinstance(expr, sp.MatrixExpr) and expr.shape == (1, 1):
        return symbols.Entry(expr, sp.S.One, sp.S.One)
    return expr


def one_sided(doc: Document, step: Step) -> StepResult:
    """A step with an empty side: report what is there, or why nothing is."""
    written = step.left.text or step.right.text
    try:
        if written:
            parse_expression(written, doc.scope)
    except DeriveError as err:
        return StepResult(step, "unparsed", message=f"not understood: {err.message}")
    why = (
        "it starts with `=` but no chain comes before it"
        if not step.left.text
        else "one side of the equality is empty"
    )
    return StepResult(step, "unparsed", message=f"not understood: {why}")


def summary(results: list[StepResult]) -> str:
    """``N steps, N hold, N hold under assumptions, N wrong, N not understood``."""
    under = sum(1 for r in results if r.holds and r.verdict and r.verdict.holds_under)
    hold = sum(1 for r in results if r.holds) - under
    wrong = sum(1 for r in results if r.status == "refuted")
    unparsed = sum(1 for r in results if r.status == "unparsed")
    undecided = sum(1 for r in results if r.status == "undecided")
    text = (
        f"{len(results)} steps, {hold} hold, {under} hold under assumptions, {wrong} wrong, "
        f"{unparsed} not understood"
    )
    return text + (f", {undecided} undecided" if undecided else "")
