"""What a check concludes: proved, verified, refuted, vacuous or undecided, with evidence."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

import sympy as sp

from derive.printing.notation import name

Status = Literal["proved", "verified", "refuted", "vacuous", "undecided"]
STATUSES: tuple[Status, ...] = ("proved", "verified", "refuted", "vacuous", "undecided")
LONGEST_REPR = 100  # characters of a verdict's detail its repr shows


@dataclass(frozen=True)
class Counterexample:
    """A point where the two sides differ, with both values as shown to a reader."""

    sizes: dict[str, int]
    indices: dict[str, int]
    values: dict[str, str]  # input name -> value(s), e.g. {"z": "(0, 1)", "N": "2"}
    left: str
    right: str
    # every input exactly as evaluated: (name, indices, value to 50 digits), so that the
    # point can be checked again by other means
    point: tuple[tuple[str, tuple[int, ...], str], ...] = field(default=(), compare=False)
    # what the document says of an input that this point does not respect (``t ∈ {0, 1}``),
    # when no point that respects it was a counterexample; and of the points tried that
    # did, how many gave equal sides and how many left a side undefined
    unmet: tuple[str, ...] = field(default=(), compare=False)
    tried: tuple[int, int] = field(default=(0, 0), compare=False)

    def describe(self) -> str:
        """One line: ``K=2, j=1, z=(0, 1), t=(1, 1): left 0.462, right -0.269``."""
        parts = [f"{k}={v}" for k, v in {**self.sizes, **self.indices}.items()]
        parts += [f"{name(k)}={v}" for k, v in self.values.items()]
        sides = f"left {self.left}, right {self.right}"
        return f"{', '.join(parts)}: {sides}" if parts else sides

    def as_json(self) -> dict[str, object]:
        """A JSON-ready dictionary."""
        return {
            "sizes": self.sizes,
            "indices": self.indices,
            "values": self.values,
            "left": self.left,
            "right": self.right,
            "unmet": list(self.unmet),
        }


@dataclass(frozen=True)
class Verdict:
    """The outcome of checking one claim.

    Attributes:
        status: ``proved`` (all sizes), ``verified`` (the listed concrete sizes, with
            the method's error bound), ``refuted`` (a confirmed real counterexample),
            ``vacuous`` (its ``where`` never holds, so it says nothing) or
            ``undecided`` (unsupported construct, time limit, or the second opinion
            did not agree).
        sizes: the sizes the status covers, e.g. ``all K ≥ 1`` or ``K = 1..8``.
        method: how it was established.
        residual: ``left − right`` in normal form when not proved (SymPy).
        holds_under: declared assumptions under which a refuted claim holds.
        side_conditions: facts the proof used, e.g. ``1 ≤ j ≤ K``.
        form: for a matrix claim, which entry was checked (``entry (1, h) of each side``).
        steps: the normaliser's rewrite trace, ``(what was done, expression)``.
        timed_out: undecided because the time limit was reached, so another run, on a
            less loaded machine, may decide it.
        unchecked: for a proof, ``(what, why)`` for each check besides it that could not
            be made: the second opinion could not evaluate the claim, or the sizes below
            the proof's bounds could not be evaluated. Empty when every check was made.
    """

    status: Status
    sizes: str = ""
    method: str = ""
    ms: float = 0.0
    residual: sp.Expr | None = None
    residual_case: str = ""
    counterexample: Counterexample | None = None
    holds_under: tuple[str, ...] = ()
    message: str = ""
    side_conditions: tuple[str, ...] = ()
    error_bound: float | None = None
    form: str = ""  # for a matrix claim, the entry that was checked
    steps: tuple[tuple[str, sp.Expr], ...] = field(default=(), repr=False)
    timed_out: bool = False
    unchecked: tuple[tuple[str, str], ...] = ()

    def __repr__(self) -> str:
        """``<Verdict proved: all K ≥ 1, index calculus (normal form)>``, on one short line.

        A refuted verdict shows its counterexample; the fields are all in the dataclass.
        """
        said = [self.sizes, self.method]
        if self.counterexample is not None:
            said = [self.counterexample.describe()]
        if self.timed_out:
            said.append("time limit reached")
        detail = ", ".join(s for s in said if s)
        if len(detail) > LONGEST_REPR:
            detail = detail[: LONGEST_REPR - 1] + "…"
        return f"<Verdict {self.status}{': ' if detail else ''}{detail}>"

    def meets(self, expect: str) -> bool:
        """True when the status is what the claim's author expected."""
        if expect == "refuted":
            return self.status == "refuted"
        return self.status in ("proved", "verified")
