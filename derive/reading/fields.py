"""Reading front-matter fields: where a table is, typed values, LaTeX with positions.

tomllib keeps no positions, so each string is found again in the front matter's text
(:func:`derive.reading.document.locate_string`) and errors point at it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

import sympy as sp

from derive.errors import DeriveError, DocumentError, Position
from derive.model import Condition
from derive.reading.document import BACKSLASH, RawDocument, Text, header_lines
from derive.reading.latex import Scope, parse_expression, parse_relation

T = TypeVar("T")
# in a basic string, an escape that is a control character before a letter: ``\frac``
TOML_ESCAPE = re.compile(r"\\([btnfr](?=[A-Za-z]))|\\.")


@dataclass(frozen=True)
class Tables:
    """Where a set of tables is written: at the top, or in the ``[[parts]]`` at ``after``."""

    prefix: str = ""
    after: int = 0

    def line(self, raw: RawDocument, key: str) -> int:
        """The 0-based front line of the table ``key`` here (``after`` when absent)."""
        lines = [n for n in header_lines(raw, f"[{self.prefix}{key}]") if n >= self.after]
        return lines[0] if lines else self.after


def parse_condition(raw: RawDocument, text: str, scope: Scope, start: int) -> Condition:
    r"""Parse one ``where`` condition such as ``k \neq j``."""
    where = raw.text(text, after=start)
    left, op, right = parse_at(raw, text, where.position, scope, parse_relation)
    if op not in ("=", "!=") or not all(is_index(side) for side in (left, right)):
        raise DocumentError(
            "a `where` condition relates two indices with `=` or `\\neq`, as in `k \\neq j`",
            where.position,
        )
    return Condition(left, op, right, text)


def is_index(expr: sp.Expr) -> bool:
    """True for an index symbol or a literal positive integer."""
    return bool(
        (isinstance(expr, sp.Symbol) and expr.is_integer)
        or (isinstance(expr, sp.Integer) and expr > 0)
    )


def parse_at(
    raw: RawDocument,
    text: str,
    position: Position,
    scope: Scope,
    parse: Callable[[str, Scope], T] = parse_expression,
) -> T:
    """Parse ``text`` with ``parse``, moving any error to its place in the file."""
    located = Text(text, position)
    for escape in TOML_ESCAPE.finditer(position.written):
        if escape.group(1):
            raise DocumentError(
                f"`\\{escape.group(1)}` is a TOML escape (a control character), not LaTeX: "
                f"{BACKSLASH}",
                Position(position.path, position.line, position.col + escape.start()),
            )
    try:
        return parse(text, scope)
    except DeriveError as err:
        pos = err.position or Position()
        raise err.at(located.locate(pos.line, pos.col)) from None


def need(
    raw: RawDocument,
    table: Mapping[str, Any],
    key: str,
    kind: type,
    what: str,
    here: Position | None = None,
) -> Any:
    """Return ``table[key]``, which must exist and be of type ``kind``."""
    value = table.get(key)
    if not isinstance(value, kind):
        problem = "is missing" if value is None else f"must be {what}"
        raise DocumentError(
            f"`{key}` {problem}; write {key} = {what}", here or raw.position(raw.front_line)
        )
    return value


def string_table(
    raw: RawDocument, front: Mapping[str, Any], key: str, tables: Tables
) -> dict[str, str]:
    """Return the table ``[key]`` whose values must all be strings."""
    table = front.get(key, {})
    if not isinstance(table, dict) or not all(isinstance(v, str) for v in table.values()):
        line = tables.line(raw, key)
        what = "a description or a positive number" if key == "sizes" else "strings"
        raise DocumentError(
            f"[{key}] must map names to {what}", raw.position(raw.front_line + line)
        )
    return dict(table)


def string_list(raw: RawDocument, table: Mapping[str, Any], key: str, here: Position) -> list[str]:
    """Return ``table[key]``, a list of strings (empty when absent)."""
    value = table.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise DocumentError(f'`{key}` must be a list of strings, like {key} = ["..."]', here)
    return list(value)
