"""What the second opinion evaluates with: inputs' values, vectors passed whole, errors."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from fractions import Fraction
from typing import TYPE_CHECKING, Any, Protocol

from derive.evaluating.jets import Undefined, Value
from derive.model import FunctionDecl, Over, Requirement

if TYPE_CHECKING:
    from derive.evaluating.interpreter import Interpreter

__all__ = ["Over", "Requirement"]  # what the reader notes a claim needs, as written

Key = tuple[str, tuple[int, ...]]  # an input: its name and its indices (none for a scalar)
Matrix = tuple[tuple[Any, ...], ...]  # rows of values


class NotEvaluable(Exception):
    """A construct this interpreter does not evaluate (so it cannot give its opinion)."""


class NotReal(Undefined):
    r"""The expression has a non-real value, such as ``\\sqrt{-1}``."""


class OutOfRange(Undefined):
    """An index outside its range: ``y_5`` where ``y`` has 3 entries."""


@dataclass(frozen=True)
class Vec:
    r"""A whole vector passed to a function: ``label``'s entries ``prefix + (k,)``.

    ``exclude`` are components left out (``\\mathbf{z}_{\\neq t}``): a sum over the
    vector's components in the function's body skips them.
    """

    label: str
    prefix: tuple[int, ...] = ()
    exclude: frozenset[int] = frozenset()


class StandIns(Protocol):
    """Concrete functions standing for the document's unspecified ones."""

    def scalar(self, name: str, interpreter: Interpreter, x: Value) -> Value:
        """The stand-in for the scalar function ``name`` (no primes) at ``x``."""

    def opaque(
        self, decl: FunctionDecl, label: str, entries: list[tuple[tuple[int, ...], Value]], it: Any
    ) -> Value:
        """The stand-in for a function of every entry of ``label``, such as a loss."""


class Point:
    """The values of the inputs: those given, and the rest drawn when first needed."""

    def __init__(
        self, ctx: Any, given: Mapping[Key, Any], draw: Callable[[Key], Fraction] | None
    ) -> None:
        """``given`` maps keys to numbers (int, Fraction or decimal strings)."""
        self.ctx = ctx
        self.exact: dict[Key, Any] = dict(given)
        self.values: dict[Key, Any] = {k: number(ctx, v) for k, v in given.items()}
        self.draw = draw
        self.touched: list[Key] = []

    def value(self, key: Key) -> Any:
        """The value of an input (drawn once if not given)."""
        self.touched.append(key)
        found = self.values.get(key)
        if found is None:
            if self.draw is None:
                raise NotEvaluable(f"no value for {key[0]}{list(key[1]) if key[1] else ''}")
            drawn = self.draw(key)
            self.exact[key] = drawn
            found = self.values[key] = number(self.ctx, drawn)
        return found

    def set(self, key: Key, value: Any) -> None:
        """Fix an input's value (an assumption solved for it)."""
        self.exact[key] = value
        self.values[key] = number(self.ctx, value)


def number(ctx: Any, value: Any) -> Any:
    """An mpmath number in ``ctx`` from an int, a Fraction, a decimal string or an mpf."""
    if isinstance(value, Fraction):
        return ctx.mpf(value.numerator) / value.denominator
    if isinstance(value, str):
        if "/" in value:
            num, den = value.split("/")
            return ctx.mpf(int(num)) / int(den)
        return ctx.mpf(value)
    return ctx.mpf(value)
