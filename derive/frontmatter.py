"""Build the model from a document's front matter.

Every key is checked, every LaTeX string is parsed with the document's scope, and every
error is placed at its ``file:line:col``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import sympy as sp

from derive.document import RawDocument, Text, header_lines, read_document
from derive.errors import DeriveError, DocumentError, Position
from derive.latex import Scope, parse_expression, parse_head, parse_relation
from derive.model import (
    Assumption,
    Claim,
    Condition,
    Definition,
    Document,
    FunctionDecl,
    Part,
)

EXPECTS = ("proved", "refuted")


TOP_KEYS = (
    "name",
    "title",
    "sources",
    "sizes",
    "indices",
    "shapes",
    "functions",
    "definitions",
    "assumptions",
    "claims",
    "steps",
    "parts",
    "where",
    "macros",
)
PART_KEYS = (
    "from",
    "note",
    "where",
    "macros",
    "sizes",
    "indices",
    "shapes",
    "functions",
    "definitions",
    "assumptions",
)
STEP_KEYS = ("to", "expect")


CLAIM_KEYS = ("name", "statement", "assume", "where", "expect")


T = TypeVar("T")


def load_document(path: str) -> Document:
    """Read and parse the document at ``path``.

    Raises:
        DeriveError: bad file, front matter or LaTeX, with its position.
    """
    return build_document(read_document(path))


def build_document(raw: RawDocument) -> Document:
    """Parse every part of a raw document into a :class:`Document`."""
    front = raw.front
    unknown = [key for key in front if key not in TOP_KEYS]
    if unknown:
        raise DocumentError(
            f"unknown front-matter key `{unknown[0]}`; the keys are {', '.join(TOP_KEYS)}",
            raw.position(raw.front_line),
        )
    name = need(raw, front, "name", str, 'a string such as "softmax-ce"')
    reading = build_reading(raw, front, Tables())
    claims = parse_claims(raw, front.get("claims", []), reading.scope, reading.assumptions)
    known_wrong = parse_known_steps(raw, front.get("steps", []))
    sources = front.get("sources", [])
    doc = replace(
        reading,
        name=name,
        title=str(front.get("title", name)),
        claims=claims,
        sources=tuple(str(s) for s in sources) if isinstance(sources, list) else (),
        known_wrong=known_wrong,
    )
    return replace(doc, parts=parse_parts(raw, front, doc))


@dataclass(frozen=True)
class Tables:
    """Where a set of tables is written: at the top, or in the ``[[parts]]`` at ``after``."""

    prefix: str = ""
    after: int = 0

    def line(self, raw: RawDocument, key: str) -> int:
        """The 0-based front line of the table ``key`` here (``after`` when absent)."""
        lines = [n for n in header_lines(raw, f"[{self.prefix}{key}]") if n >= self.after]
        return lines[0] if lines else self.after


def build_reading(raw: RawDocument, front: Mapping[str, Any], tables: Tables) -> Document:
    """Parse the tables that give the body its meaning (no claims, no parts)."""
    given = front.get("sizes", {})
    fixed = {  # `N = 10`: a size given as a number
        name: value
        for name, value in (given.items() if isinstance(given, dict) else ())
        if isinstance(value, int) and not isinstance(value, bool) and value > 0
    }
    described = {**given, **{n: f"fixed at {v}" for n, v in fixed.items()}} if fixed else given
    sizes = string_table(raw, {"sizes": described}, "sizes", tables)
    indices = string_table(raw, front, "indices", tables)
    for index, size in indices.items():
        if size not in sizes:
            raise DocumentError(
                f"index `{index}` ranges over `{size}`, which is not declared under [sizes]",
                raw.text(size, after=tables.line(raw, "indices")).position,
            )
    shapes = parse_shapes(raw, string_table(raw, front, "shapes", tables), sizes, tables)
    base = Scope(indices=indices, sizes=frozenset(sizes), shapes=shapes)
    functions = parse_functions(raw, string_table(raw, front, "functions", tables), base, tables)
    heads = string_table(raw, front, "definitions", tables)
    named = Scope(
        indices=indices,
        sizes=frozenset(sizes),
        shapes=shapes,
        names=frozenset(functions),
        functions={f: len(d.params) for f, d in functions.items()},
    )
    definitions = parse_definitions(raw, heads, named, tables)
    scope = Scope(
        indices=indices,
        sizes=frozenset(sizes),
        shapes=shapes,
        names=frozenset(definitions) | frozenset(functions),
        functions={
            **{f: len(d.params) for f, d in functions.items()},
            **{d.name: len(d.params) for d in definitions.values() if is_function(d)},
        },
    )
    definitions = {
        key: Definition(
            d.name, d.params, parse_at(raw, d.text, d.position, scope), d.text, d.position
        )
        for key, d in definitions.items()
    }
    assumptions = parse_assumptions(
        raw, string_table(raw, front, "assumptions", tables), scope, tables
    )
    macros = string_table(raw, front, "macros", tables)
    here = raw.position(raw.front_line + tables.after)
    where = tuple(
        parse_condition(raw, text, scope, tables.after)
        for text in string_list(raw, front, "where", here)
    )
    return Document(
        name="",
        title="",
        path=raw.path,
        sizes=sizes,
        indices=indices,
        definitions=definitions,
        assumptions=assumptions,
        claims=(),
        body=raw.body,
        body_line=raw.body_line,
        scope=scope,
        functions=functions,
        shapes=shapes,
        fixed=fixed,
        where=where,
        macros=macros,
    )


def parse_parts(raw: RawDocument, front: Mapping[str, Any], doc: Document) -> tuple[Part, ...]:
    """Parse ``[[parts]]``: from the body line holding ``from`` on, other tables apply.

    Notes change notation as they go. A part's tables are merged over the top-level
    ones, key by key (an empty string drops a key); a part runs to the next part's start.
    """
    items = front.get("parts", [])
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DocumentError(
            "`parts` must be written as [[parts]] tables", raw.position(raw.front_line)
        )
    starts = header_lines(raw, "[[parts]]")
    body = raw.body.split("\n")
    out: list[Part] = []
    after = 0
    for number, item in enumerate(items):
        header = starts[number] if number < len(starts) else 0
        here = raw.position(raw.front_line + header)
        unknown = [key for key in item if key not in PART_KEYS]
        if unknown:
            raise DocumentError(
                f"unknown key `{unknown[0]}` in [[parts]]; the keys are {', '.join(PART_KEYS)}",
                here,
            )
        anchor = need(raw, item, "from", str, "text of the body line where the part starts", here)
        found = next((n for n in range(after, len(body)) if anchor in body[n]), None)
        if found is None:
            raise DocumentError(
                f"[[parts]] starts at `{anchor}`, which is not in the body after line "
                f"{raw.body_line + after}; copy the text of the line where the part begins",
                raw.text(anchor, after=header).position,
            )
        merged = {
            key: {
                name: value
                for name, value in {**front.get(key, {}), **item.get(key, {})}.items()
                if value != ""  # an empty string drops an entry for this part
            }
            for key in PART_KEYS
            if key not in ("from", "note", "where")
        }
        merged["where"] = item.get("where", front.get("where", []))  # a list: replaced whole
        reading = build_reading(raw, merged, Tables("parts.", header))
        reading = replace(reading, name=doc.name, title=doc.title, known_wrong=doc.known_wrong)
        out.append(Part(raw.body_line + found, str(item.get("note", "")), reading))
        after = found + 1
    return tuple(out)


def is_function(definition: Definition) -> bool:
    r"""A definition with a non-index parameter (``soft(\mathbf{z}, j)``) is a function."""
    return any(not isinstance(p, sp.Symbol) or not p.is_integer for p in definition.params)


def parse_definitions(
    raw: RawDocument, heads: Mapping[str, str], scope: Scope, tables: Tables
) -> dict[str, Definition]:
    """Parse definition heads; bodies are parsed once every name is known."""
    out: dict[str, Definition] = {}
    start = tables.line(raw, "definitions")
    for head, body in heads.items():
        where = raw.text(body, after=start)
        name, params = parse_at(raw, head, raw.text(head, after=start).position, scope, parse_head)
        if name in out:
            raise DocumentError(f"`{name}` is defined twice", where.position)
        out[name] = Definition(name, tuple(params), sp.S.Zero, body, where.position)
    return out


def parse_shapes(
    raw: RawDocument, table: Mapping[str, str], sizes: Mapping[str, str], tables: Tables
) -> dict[str, tuple[str, str]]:
    """Parse ``[shapes]``: ``W = "H x N"`` (a matrix) or ``x = "N"`` (a column vector)."""
    out: dict[str, tuple[str, str]] = {}
    start = tables.line(raw, "shapes")
    for name, text in table.items():
        parts = [p.strip() for p in text.replace("×", "x").split(" x ")]
        if len(parts) == 1:
            parts.append("1")
        bad = [p for p in parts if p != "1" and p not in sizes]
        if len(parts) != 2 or bad:
            raise DocumentError(
                f'shape of `{name}` must be "rows x cols" or "rows" with sizes declared '
                f"under [sizes] (or 1), not {text!r}",
                raw.text(text, after=start).position,
            )
        out[name] = (parts[0], parts[1])
    return out


def parse_functions(
    raw: RawDocument, table: Mapping[str, str], scope: Scope, tables: Tables
) -> dict[str, FunctionDecl]:
    """Parse ``[functions]``: unspecified functions, keyed by their heads."""
    out: dict[str, FunctionDecl] = {}
    start = tables.line(raw, "functions")
    for head, text in table.items():
        where = raw.text(head, after=start).position
        name, params = parse_at(raw, head, where, scope, parse_head)
        if not params:
            raise DocumentError(
                f"write the function with its argument, as in `{name}(x)` or "
                f"`{name}(\\mathbf{{z}})`",
                where,
            )
        out[name] = FunctionDecl(name, tuple(params), text, where)
    return out


def parse_assumptions(
    raw: RawDocument, table: Mapping[str, str], scope: Scope, tables: Tables
) -> dict[str, Assumption]:
    """Parse each named assumption as an equation."""
    out: dict[str, Assumption] = {}
    start = tables.line(raw, "assumptions")
    for name, text in table.items():
        where = raw.text(text, after=start)
        lhs, op, rhs = parse_at(raw, text, where.position, scope, parse_relation)
        if op != "=":
            raise DocumentError(
                f"assumption `{name}` must be an equation `a = b`, not `{op}`", where.position
            )
        out[name] = Assumption(name, lhs, rhs, text, where.position)
    return out


def parse_claims(
    raw: RawDocument, items: Any, scope: Scope, assumptions: Mapping[str, Assumption]
) -> tuple[Claim, ...]:
    """Parse the ``[[claims]]`` array of tables."""
    if not isinstance(items, list) or not all(isinstance(c, dict) for c in items):
        raise DocumentError(
            "`claims` must be written as [[claims]] tables", raw.position(raw.front_line)
        )
    starts = header_lines(raw, "[[claims]]")
    claims: list[Claim] = []
    for number, item in enumerate(items):
        start = starts[number] if number < len(starts) else 0
        here = raw.position(raw.front_line + start)
        unknown = [key for key in item if key not in CLAIM_KEYS]
        if unknown:
            raise DocumentError(
                f"unknown claim key `{unknown[0]}`; the keys are {', '.join(CLAIM_KEYS)}", here
            )
        name = need(raw, item, "name", str, 'a short name such as "gradient"', here)
        if any(c.name == name for c in claims):
            raise DocumentError(f"two claims are called `{name}`", here)
        statement = raw.text(
            need(raw, item, "statement", str, "an equation in LaTeX", here), after=start
        )
        lhs, op, rhs = parse_at(raw, statement.value, statement.position, scope, parse_relation)
        if op != "=":
            raise DocumentError(
                f"claim `{name}` must be an equation `a = b`, not `{op}`", statement.position
            )
        assume = tuple(string_list(raw, item, "assume", here))
        for label in assume:
            if label not in assumptions:
                known = ", ".join(assumptions) or "none are declared"
                raise DocumentError(
                    f"claim `{name}` assumes `{label}`, which is not under [assumptions] ({known})",
                    raw.text(label, after=start).position,
                )
        where = tuple(
            parse_condition(raw, text, scope, start)
            for text in string_list(raw, item, "where", here)
        )
        expect = item.get("expect", "proved")
        if expect not in EXPECTS:
            raise DocumentError(
                f'`expect` is "proved" or "refuted", not {expect!r}',
                raw.text(str(expect), after=start).position,
            )
        claims.append(
            Claim(name, lhs, rhs, statement.value, statement.position, assume, where, expect)
        )
    return tuple(claims)


def parse_known_steps(raw: RawDocument, items: Any) -> tuple[str, ...]:
    """Parse ``[[steps]]``: steps of the body known to be wrong, by their right side.

    ``to`` is the start of the step's right side as written (spaces do not matter);
    ``expect = "refuted"`` documents the slip, as for a claim.
    """
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise DocumentError(
            "`steps` must be written as [[steps]] tables", raw.position(raw.front_line)
        )
    starts = header_lines(raw, "[[steps]]")
    out = []
    for number, item in enumerate(items):
        here = raw.position(raw.front_line + (starts[number] if number < len(starts) else 0))
        unknown = [key for key in item if key not in STEP_KEYS]
        if unknown or item.get("expect") != "refuted" or not isinstance(item.get("to"), str):
            raise DocumentError(
                "a [[steps]] table is `to = '<start of the right side>'` and "
                '`expect = "refuted"`',
                here,
            )
        out.append(" ".join(item["to"].split()))
    return tuple(out)


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
