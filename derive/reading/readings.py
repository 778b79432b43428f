"""The tables that give a document's body its meaning, and ``[[parts]]`` of the body.

Sizes, indices, shapes, functions, definitions, assumptions, values, macros and ``where``:
parsed once for the top of the front matter, and again for each part, whose tables
are merged over the top-level ones.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from typing import Any

import sympy as sp

from derive import symbols
from derive.errors import DocumentError
from derive.model import Assumption, Definition, Document, FunctionDecl, Part, Requirement
from derive.reading.derived import derivatives
from derive.reading.document import RawDocument, header_lines
from derive.reading.fields import (
    Tables,
    need,
    parse_at,
    parse_condition,
    string_list,
    string_table,
)
from derive.reading.latex import Scope, parse_expression, parse_head, parse_relation

TABLE_KEYS = (  # what gives a body its meaning, at the top and in each part
    "sizes",
    "indices",
    "shapes",
    "functions",
    "definitions",
    "assumptions",
    "macros",
    "where",
    "names",
    "padding",
    "values",
)
LISTS = ("where", "names")
PART_KEYS = ("from", "note", *TABLE_KEYS)


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
    plain = Scope(indices=indices, sizes=frozenset(sizes), shapes=shapes)
    named = parse_names(raw, front, plain, tables) | shaped_names(raw, shapes, plain, tables)
    base = replace(plain, names=named)
    functions = parse_functions(raw, string_table(raw, front, "functions", tables), base, tables)
    heads = string_table(raw, front, "definitions", tables)
    definitions = parse_definitions(
        raw,
        heads,
        Scope(
            indices=indices,
            sizes=frozenset(sizes),
            shapes=shapes,
            names=frozenset(functions) | named,
            functions={f: len(d.params) for f, d in functions.items()},
        ),
        tables,
    )
    documented = {
        d.name: tuple(str(p) for p in d.params)
        for d in definitions.values()
        if documents(d, definitions)
    }
    definitions = {
        key: replace(d, params=()) if key in documented else d for key, d in definitions.items()
    }
    scope = Scope(
        guessed=frozenset(raw.inferred.get("sizes", {})),
        documented=documented,
        indices=indices,
        sizes=frozenset(sizes),
        shapes=shapes,
        names=frozenset(definitions) | frozenset(functions) | named,
        functions={
            **{f: len(d.params) for f, d in functions.items()},
            **{d.name: len(d.params) for d in definitions.values() if is_function(d)},
        },
    )
    definitions = {key: with_body(raw, d, scope) for key, d in definitions.items()}
    derived = derivatives(definitions, functions)  # `f'` of a defined `f(u)`
    if derived:
        definitions = {**definitions, **derived}
        scope = replace(
            scope,
            names=scope.names | frozenset(derived),
            functions={**scope.functions, **dict.fromkeys(derived, 1)},
        )
    assumptions = parse_assumptions(
        raw, string_table(raw, front, "assumptions", tables), scope, tables
    )
    macros = string_table(raw, front, "macros", tables)
    here = raw.position(raw.front_line + tables.after)
    where = tuple(
        parse_condition(raw, text, scope, tables.after)
        for text in string_list(raw, front, "where", here)
    )
    padded = parse_padding(
        raw, string_table(raw, front, "padding", tables), tables, frozenset(definitions)
    )
    values = parse_values(raw, string_table(raw, front, "values", tables), tables, definitions)
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
        cells=raw.cells,
        scope=scope,
        functions=functions,
        shapes=shapes,
        fixed=fixed,
        padded=padded,
        values=values,
        where=where,
        macros=macros,
    )


def parse_padding(
    raw: RawDocument, given: Mapping[str, str], tables: Tables, defined: frozenset[str]
) -> frozenset[str]:
    """``[padding] x = "zero"``: the names whose entries outside their range are 0.

    Only inputs are padded: a defined ``y`` padded would be 0 at ``y_{N+1}`` while its
    definition, which the prover substitutes, says otherwise there.

    Raises:
        DocumentError: A padding other than ``"zero"``, or of a defined name.
    """
    for name, kind in given.items():
        if name in defined:
            raise DocumentError(
                f"`{name}` is defined, so it cannot be zero-padded (its definition says "
                "what its entries are); pad the inputs it is made of instead",
                raw.text(name, after=tables.line(raw, "padding")).position,
            )
        if kind != "zero":
            raise DocumentError(
                f'padding of `{name}` is `{kind}`: derive reads only "zero" (entries outside '
                "the range are 0)",
                raw.text(kind, after=tables.line(raw, "padding")).position,
            )
    return frozenset(given)


VALUES = {"0 or 1": "binary", "one-hot": "one-hot"}  # [values] as written -> as kept


def parse_values(
    raw: RawDocument, given: Mapping[str, str], tables: Tables, defined: Mapping[str, Definition]
) -> dict[str, str]:
    """``[values] t = "0 or 1"`` (each entry a 0/1 label) or ``"one-hot"`` (per row).

    Only what a counterexample prefers: a claim is proved or refuted for every value.
    """
    start = tables.line(raw, "values")
    out: dict[str, str] = {}
    for name, text in given.items():
        if text not in VALUES:
            raise DocumentError(
                f"[values] `{name}` = {text!r} is not a kind of value derive knows: write "
                '"0 or 1" (each entry 0 or 1) or "one-hot" (in each row one entry 1, the '
                "others 0)",
                raw.text(text, after=start).position,
            )
        if name in defined:
            raise DocumentError(
                f"[values] describes inputs, and `{name}` is defined under [definitions]: "
                "describe the inputs it is defined from",
                raw.key(name, after=start),
            )
        out[name] = VALUES[text]
    return out


def with_body(raw: RawDocument, head: Definition, scope: Scope) -> Definition:
    """The definition with its body read, and what the body needs to be real."""
    written: list[Requirement] = []
    body = parse_at(
        raw, head.text, head.position, scope, partial(parse_expression, written=written)
    )
    return Definition(head.name, head.params, body, head.text, head.position, tuple(written))


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
                raw.key(unknown[0], after=header),
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
            for key in TABLE_KEYS
            if key not in LISTS
        }
        for key in LISTS:  # a list: replaced whole
            merged[key] = item.get(key, front.get(key, []))
        reading = build_reading(raw, merged, Tables("parts.", header))
        reading = replace(reading, name=doc.name, title=doc.title, known_wrong=doc.known_wrong)
        out.append(Part(raw.body_line + found, str(item.get("note", "")), reading))
        after = found + 1
    return tuple(out)


def parse_names(
    raw: RawDocument, front: Mapping[str, Any], scope: Scope, tables: Tables
) -> frozenset[str]:
    r"""Parse ``names``: names written with a superscript that is not a power.

    ``names = ['\sigma^2', 'a^L']`` makes ``\sigma^2`` (a variance) and ``a_j^L`` (a layer
    tag, with any subscript) names of their own; the front matter says which reading is
    meant, and a definition whose left side has a superscript declares its name alike.
    """
    here = raw.position(raw.front_line + tables.after)
    out = []
    for text in string_list(raw, front, "names", here):
        key, _ = parse_at(raw, text, raw.text(text, after=tables.after).position, scope, parse_head)
        out.append(key)
    return frozenset(out)


def shaped_names(
    raw: RawDocument, shapes: Mapping[str, tuple[str, str]], scope: Scope, tables: Tables
) -> frozenset[str]:
    r"""Names declared under ``[shapes]`` with a superscript: ``"W^{i}" = "H x D"``.

    The shape declares the name as ``names`` would: ``W^{i}_{kd}`` is an entry of the
    matrix ``W^{i}``, never ``W_{kd}`` to the power ``i``.
    """
    start = tables.line(raw, "shapes")
    out = []
    for key in shapes:
        if "^" in key:
            where = raw.text(key, after=start).position
            name, _ = parse_at(raw, key, where, scope, parse_head)
            out.append(name)
    return frozenset(out)


def documents(definition: Definition, definitions: Mapping[str, Definition]) -> bool:
    r"""A head such as ``L(y, \hat{y})`` whose arguments are defined names only documents.

    Such a definition cannot be applied to other arguments (``\hat{y}`` is not a
    parameter, it is defined), so ``L`` is a name and ``L(…)`` is ``L``, noted. An
    entry of a defined vector, ``s(a_i)``, is a parameter: ``s(a_k)`` is ``s`` at ``k``.
    """
    return is_function(definition) and any(
        isinstance(p, sp.Symbol | sp.IndexedBase) and symbols.base_name(p) in definitions
        for p in definition.params
    )  # an entry, `s(z_i)` with `z` defined, is a function of that entry


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
    for name, definition in out.items():
        base = one_by_one_base(name)
        if base in out and out[base].params:
            raise DocumentError(
                f"`{name}` is defined on its own and as an entry of `{base}` (defined with "
                f"a subscript): keep one definition, or name the vector otherwise",
                definition.position,
            )
    return out


def one_by_one_base(name: str) -> str | None:
    """The vector name of a name defined one subscript at a time (``h`` of ``h_{1}``)."""
    match = re.fullmatch(r"(.+)_\{[0-9,]+\}", name)
    return match[1] if match else None


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
