r"""Every verdict in words: the one place that says what a check found.

The terminal (:mod:`~derive.presenting.terminal`), the ``--json`` records
(:mod:`~derive.presenting.record`), the LaTeX report, ``derive diff``, the Python API and
the pytest plugin all word verdicts through these functions, so a verdict reads the same
wherever it is shown:

- :func:`claim_line`: ``proved for all K ≥ 1 (1 ≤ j ≤ K): ∂E/∂z_j = y_j − t_j``, then how
  the text was read (``read `log` as `\log```);
- :func:`step_line`: the same for a step of the body, or why it was not understood;
- :func:`away_from_kinks`: ``holds except where x = 0``, beside a step whose proof left
  out a kink;
- :func:`sentence`: ``Proved for all K ≥ 1 (index calculus).``, for the report;
- :func:`established`: what ``derive diff``'s equality with the raw derivative is;
- :func:`evidence`: the counterexample as a table, and the residual;
- :func:`unmet`: why a counterexample does not respect what the document says of an
  input (``no counterexample with t ∈ {0, 1} among the values tried: …``);
- :func:`claim_failure` and :func:`step_failure`: a pytest item's report;
- :func:`steps_summary` and :func:`expectation`: counts and the ``(expected)`` labels;
- :func:`place`: where a step is (``12:3``, in a notebook ``cell 4:line 2:col 3``);
- :func:`unread_reason`, :func:`unread_summary` and :func:`nothing_checked`: the body's
  display math that was not read as steps, and why.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # printing a kept record needs no SymPy: these are imported when used
    import sympy as sp

    from derive.checking.results import ClaimResult
    from derive.checking.steps import StepResult
    from derive.model import Claim
    from derive.verdict import Counterexample, Verdict

HOLDS = ("proved", "verified")
# How each status is marked beside a step: the terminal colours these, the report typesets them.
MARKS = {
    "proved": "✓",
    "verified": "✓",
    "refuted": "✗",
    "vacuous": "∅",
    "undecided": "?",
    "unparsed": "?",
}


def noted(message: str, notes: Sequence[str]) -> str:
    r"""``message``, then how its text was read: ``"…; read `log` as `\log`"``."""
    return "; ".join((message, *notes))


def claim_line(claim: Claim, verdict: Verdict) -> str:
    """One line that names the claim and the numbers, then how its text was read."""
    return noted(verdict_line(claim, verdict), claim.notes)


def verdict_line(claim: Claim, verdict: Verdict) -> str:
    """One line that names the claim and the numbers."""
    from derive.printing.notation import statement

    said = statement(claim.lhs, claim.rhs)
    conditions = f" ({', '.join(verdict.side_conditions)})" if verdict.side_conditions else ""
    if verdict.form:
        said = f"{said}  [{verdict.form}]"
    if verdict.status == "proved":
        return f"proved for {verdict.sizes}{conditions}: {said}{unchecked(verdict)}"
    if verdict.status == "verified":
        bound = f", error ≤ {verdict.error_bound:.1e}" if verdict.error_bound else ""
        sizes = f" for {verdict.sizes}" if verdict.sizes else ""
        return f"verified{sizes}{conditions} by {verdict.method}{bound}: {said}"
    if verdict.status == "refuted":
        text = f"refuted: {said}"
        example = verdict.counterexample
        if example is not None:
            at = "at " if example.sizes or example.indices or example.values else ""
            text += f"  {at}{example.describe()}"
            if example.unmet:
                text += f" ({unmet(example)})"
        if verdict.residual is not None and verdict.residual != 0:
            case = verdict.residual_case
            case = (
                f" {case}" if case.startswith("on the branch") else f" when {case}" if case else ""
            )
            text += f"; left − right = {residual_text(verdict.residual)}{case}"
        if verdict.holds_under:
            text += f"; {holds_under(verdict.holds_under, quoted=True)}"
        return text
    if verdict.status == "vacuous":
        return f"vacuous: {said}: {verdict.message}"
    return f"undecided: {said}: {verdict.message}"


def unmet(example: Counterexample) -> str:
    """Why the counterexample does not respect what the document says of an input.

    ``no counterexample with t ∈ {0, 1} among the values tried: the two sides are equal
    at each of them``; empty when it respects all of it.
    """
    if not example.unmet:
        return ""
    equal, undefined = example.tried
    if equal and undefined:
        why = "at each of them the two sides are equal or one is undefined"
    elif equal:
        why = "the two sides are equal at each of them"
    elif undefined:
        why = "a side is undefined at each of them"
    else:
        why = "the claim's own assumptions change each of them"
    return f"no counterexample with {' and '.join(example.unmet)} among the values tried: {why}"


LONGEST_RESIDUAL = 400  # characters of a residual shown on a line; `--json` has it whole


def residual_text(residual: sp.Expr) -> str:
    """The residual on one line, or how long it is when it would fill a screen."""
    from derive.printing.notation import unicode

    text = unicode(residual)
    if len(text) <= LONGEST_RESIDUAL:
        return text
    return (
        f"an expression of {len(text):,} characters, too long to show here "
        "(`--json` has it whole; the counterexample shows the two sides differ)"
    )


NOT_CHECKED = "not checked"


def has_unchecked(message: str) -> bool:
    """True when a claim's message says a check besides its proof was not made."""
    return f": {NOT_CHECKED} (" in message


def unchecked(verdict: Verdict) -> str:
    """``; second opinion: not checked (why)`` for each check a proof could not have."""
    return "".join(f"; {what}: {NOT_CHECKED} ({why})" for what, why in verdict.unchecked)


def step_line(result: StepResult) -> str:
    """What became of a step, in one line (why, for a step not understood)."""
    if result.status == "unparsed":
        return f"not understood: {result.reason}"
    if result.claim is None or result.verdict is None:
        return result.reason  # stopped from outside before it had a claim
    if result.holds and result.verdict.holds_under:
        under = holds_under(result.verdict.holds_under)
        return noted(under, result.claim.notes)
    return claim_line(result.claim, result.verdict)


KINK = "except where"  # how a proof that left out a kink says so (proving/splitting.py)


def kinks_left_out(conditions: Sequence[str]) -> list[str]:
    """The side conditions that name a kink a proof left out (``except where x = 0``)."""
    return [c for c in conditions if c.startswith(KINK)]


def away_from_kinks(conditions: Sequence[str]) -> str:
    """``holds except where x = 0``, for a step beside its mark; empty without a kink."""
    kinks = kinks_left_out(conditions)
    return f"holds {'; '.join(kinks)}" if kinks else ""


def holds_under(names: Sequence[str], quoted: bool = False) -> str:
    """``holds under targets``, or for an assumption derive inferred, ``holds if Σ t = 1``."""
    inferred = [n for n in names if n.startswith("if ")]
    written = [f"`{n}`" if quoted else n for n in names if not n.startswith("if ")]
    parts = ([f"holds under {', '.join(written)}"] if written else []) + [
        f"holds {n}" for n in inferred
    ]
    return "; ".join(parts)


def sentence(verdict: Verdict) -> str:
    """``Proved for all K ≥ 1 (index calculus).`` and the like, for the report."""
    if verdict.status == "proved":
        return f"Proved for {verdict.sizes} ({verdict.method}{unchecked(verdict)})."
    if verdict.status == "verified":
        bound = f", error at most {verdict.error_bound:.1e}" if verdict.error_bound else ""
        return f"Verified for {verdict.sizes} by {verdict.method}{bound}."
    if verdict.status == "refuted":
        return f"Refuted ({verdict.method})."
    if verdict.status == "vacuous":
        return f"Vacuous: {verdict.message}."
    return f"Undecided: {verdict.message}."


def established(verdict: Verdict, assume: Sequence[str], stated_in: str = "") -> str:
    """What ``derive diff``'s form was established as, against the raw derivative."""
    under = f" under {', '.join(assume)}" if assume else ""
    source = f"; the form claim `{stated_in}` states" if stated_in else ""
    if verdict.status == "proved":
        how = f"({verdict.method}){source}"
        return f"proved equal to the derivative for {verdict.sizes}{under} {how}"
    if verdict.status == "verified":
        bound = f", error ≤ {verdict.error_bound:.1e}" if verdict.error_bound else ""
        return f"verified equal for {verdict.sizes}{under} by {verdict.method}{bound}{source}"
    return f"not established: {verdict.message or verdict.status}"


def evidence(verdict: Verdict) -> list[str]:
    """The counterexample as a table of values, and the residual, as indented lines."""
    lines = []
    example = verdict.counterexample
    if example is not None:
        lines.append("  counterexample:")
        for name, value in {**example.sizes, **example.indices, **example.values}.items():
            lines.append(f"    {name:>12} = {value}")
        lines.append(f"    {'left':>12} = {example.left}")
        lines.append(f"    {'right':>12} = {example.right}")
    if verdict.residual is not None and verdict.residual != 0:
        lines.append(f"  left − right = {residual_text(verdict.residual)}")
    return lines


UNSETTLED = {"unparsed": "a step not understood", "undecided": "an undecided step"}


def claim_failure(result: ClaimResult) -> str:
    """A claim not as expected: where, the statement, the verdict and its evidence."""
    from derive.printing.notation import statement

    claim, verdict = result.claim, result.verdict
    lines = [
        f"{claim.position}: claim `{claim.name}` (expected {claim.expect})",
        f"  {statement(claim.lhs, claim.rhs)}",
        f"  {claim_line(claim, verdict)}",
    ]
    return "\n".join(lines + evidence(verdict))


def step_failure(result: StepResult) -> str:
    """A wrong (or unsettled) step: its position, its text and the evidence."""
    where = result.step.right
    lines = [
        f"line {where.line}, column {where.col}: {UNSETTLED.get(result.status, 'a wrong step')}",
        f"  {result.step.left.text} = {result.step.right.text}",
        f"  {step_line(result)}",
    ]
    return "\n".join(lines + (evidence(result.verdict) if result.verdict else []))


def step_skipped(result: StepResult) -> str:
    """Why a step not understood or undecided is skipped: ``line 11, column 17: …``."""
    where = result.step.right
    return f"line {where.line}, column {where.col}: {step_line(result)}"


def steps_summary(outcomes: Sequence[tuple[str, bool]]) -> str:
    """``N steps, N hold, N hold under assumptions, N wrong, N not understood``.

    From each step's status and whether it holds under assumptions.
    """
    holds = [under for status, under in outcomes if status in HOLDS]
    statuses = [status for status, _ in outcomes]
    text = (
        f"{len(outcomes)} steps, {holds.count(False)} hold, {holds.count(True)} hold under "
        f"assumptions, {statuses.count('refuted')} wrong, {statuses.count('unparsed')} not "
        "understood"
    )
    undecided = statuses.count("undecided")
    return text + (f", {undecided} undecided" if undecided else "")


def summary(results: Sequence[StepResult]) -> str:
    """:func:`steps_summary` of checked steps."""
    return steps_summary([(r.status, bool(r.verdict and r.verdict.holds_under)) for r in results])


def claims_summary(count: int, all_as_expected: bool) -> str:
    """``12 claims: all claims as expected``."""
    said = "all claims as expected" if all_as_expected else "some claims not as expected"
    return f"{count} claims: {said}"


def expectation(expect: str, as_expected: bool, step: bool = False) -> str:
    """The label of a listed slip or an ``expect = "refuted"`` claim: ``(expected)``.

    Empty unless something was expected to be wrong.
    """
    if expect != "refuted":
        return ""
    if as_expected:
        return "(expected)"
    return "(expected wrong)" if step else "(expected refuted)"


UNREAD = {
    "equality": "no `=` in this row: derive checks equalities",
    "relation": "`{detail}` is not `=`: derive checks equalities",
    "condition": (
        "a condition derive cannot use{detail}: it reads a condition that relates two "
        r"declared indices, such as `\text{if } i = j` or `\quad (i \neq j)`"
    ),
    "prose": r"prose (`\text{where …}`), not an equality to check",
}
SHOWN = 10  # positions listed in the summary line


def unread_reason(reason: str, detail: str) -> str:
    """Why display math was not read as a step, in one line."""
    if reason == "condition":
        detail = f" (`{detail}`)" if detail else ""
    return UNREAD.get(reason, reason).replace("{detail}", detail)


def place(line: int, col: int, cell: int | None = None) -> str:
    """``12:3``, or in a notebook's cell ``cell 4:line 2:col 3``."""
    return f"cell {cell}:line {line}:col {col}" if cell else f"{line}:{col}"


def unread_summary(places: Sequence[str]) -> str:
    """``2 display rows not read: 12:3, 40:1`` (empty when every row was read)."""
    if not places:
        return ""
    listed = ", ".join(places[:SHOWN])
    more = f", … ({len(places) - SHOWN} more)" if len(places) > SHOWN else ""
    rows = "display row" if len(places) == 1 else "display rows"
    return f"{len(places)} {rows} not read: {listed}{more}"


def nothing_checked() -> str:
    """The line for a body whose display math got no verdict at all."""
    return (
        "no step of the body's display math was checked (none was read, or none was "
        "understood): not as expected"
    )
