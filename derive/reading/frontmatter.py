"""Build the model from a document's front matter.

Every key is checked, every LaTeX string is parsed with the document's scope, and every
error is placed at its ``file:line:col``.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from functools import partial
from pathlib import Path
from typing import Any

from derive.errors import DeriveError, DocumentError, Position, line_named
from derive.model import Assumption, Claim, Document, Requirement
from derive.reading.body import chains, check_count, read_body
from derive.reading.displays import inline_math
from derive.reading.document import RawDocument, header_lines, read_document
from derive.reading.fields import Tables, need, parse_at, parse_condition, string_list
from derive.reading.inference import Inference, infer
from derive.reading.latex import Scope, parse_relation
from derive.reading.readings import TABLE_KEYS, build_reading, parse_parts

EXPECTS = ("proved", "refuted")


TOP_KEYS = ("name", "title", "sources", "infer", *TABLE_KEYS, "claims", "steps", "parts")
STEP_KEYS = ("to", "expect")


CLAIM_KEYS = ("name", "statement", "assume", "where", "expect")


NOTHING = (
    "nothing to check: no front matter (`+++`) and no display math; derive checks the "
    r"equations written between `$$ … $$` or `\[ … \]` or in an `equation`/`align` "
    r"environment (inline math `$…$`, `\( … \)` only names things)"
)


PROSE = re.compile(r"\\(?:text|mathrm|textrm)\s*\{[^{}]*\}|\\q?quad|\\[,;:!]|,")


def with_inferred(raw: RawDocument, refused: Mapping[str, str] | None = None) -> RawDocument:
    """``raw`` with the tables its body implies filling the gaps of its front matter.

    The definitions named in ``refused`` are left out, tainted with the reason given.
    """
    front = {k: v for k, v in raw.front.items() if k not in ("claims", "steps", "parts")}
    sizes = dict(front.get("sizes", {}))
    ranges = [str(s) for s in dict(front.get("indices", {})).values() if str(s) not in sizes]
    if ranges:  # `[indices] k = "K"` with `K` left for the body: a size for the first reading
        front["sizes"] = {**sizes, **dict.fromkeys(ranges, "inferred")}
    provisional = replace(build_reading(raw, front, Tables()), name="", title="")
    sides = [
        [(side.text, Position(raw.path, side.line, side.col)) for side in chain]
        for chain in chains(provisional)
    ]
    if not raw.written and not sides and not read_body(provisional).unread:
        raise DocumentError(NOTHING, Position(raw.path, 1, 1))
    inline = [
        (text, Position(raw.path, line, col))
        for text, line, col in inline_math(raw.body, raw.body_line)
        if "=" in text
    ]
    for row in read_body(provisional).unread:  # `\text{where } y = w x` in a display
        if row.reason == "prose" and "=" in row.text:
            said = PROSE.sub(" ", row.text)
            inline.append((said, Position(raw.path, row.line, row.col)))
    found = infer(sides, raw.front, inline)
    for head, why in (refused or {}).items():
        found = found.without(head, why)
    found = readable(raw, found).closed()
    merged = found.merged(raw.front)
    inferred: dict[str, Any] = {
        table: {k: v for k, v in keys.items() if k not in dict(raw.front.get(table, {}))}
        for table, keys in found.tables.items()
        if isinstance(keys, dict)
    }
    given = raw.front.get("names", [])
    inferred["names"] = [n for n in found.tables.get("names", []) if n not in given]
    inferred = {table: keys for table, keys in inferred.items() if keys}
    tainted = {
        name: f"{why} ({line_named(at.line, raw.cells)})"
        for name, (why, at) in found.tainted.items()
    }
    return replace(
        raw,
        front=merged,
        origins=found.origins,
        inferred=inferred,
        tainted=tainted,
        unchecked=found.unchecked,
        restated=found.restated,
    )


def readable(raw: RawDocument, found: Inference) -> Inference:
    """``found`` without the inferred definitions derive cannot read.

    Such a definition's chain is then checked as steps, where its reading is reported.
    """
    for _ in range(len(found.tables.get("definitions", {})) + 1):
        written = dict(raw.front.get("sizes", {}))
        guessed = {k: v for k, v in found.tables.get("sizes", {}).items() if k not in written}
        trial = replace(
            raw, front=found.merged(raw.front), origins=found.origins, inferred={"sizes": guessed}
        )
        try:
            build_reading(trial, trial.front, Tables())
            return found
        except DeriveError as err:
            culprit = blamed(found, err)
            if culprit is None:
                raise
            found = found.without(culprit, f"derive cannot read it: {err.message}")
    return found


def blamed(found: Inference | Document, err: DeriveError) -> str | None:
    """The inferred definition an error is in (by its line), if any."""
    if err.position is None:
        return None
    if isinstance(found, Document):
        for text, body in found.inferred.get("definitions", {}).items():
            place = found.origins.get(body)
            if place is not None and place.line == err.position.line:
                return str(text)
        return None
    for head, body in found.tables.get("definitions", {}).items():
        for origin in (found.origins.get(body), found.origins.get(head)):
            if origin is not None and origin.line == err.position.line:
                return str(head)
    return None


def default_name(path: str) -> str:
    """A document's name when its front matter gives none: its file's stem, or ``notes``."""
    return re.sub(r"[^A-Za-z0-9_.-]", "", Path(path).stem) or "notes"


def load_document(path: str, refused: Mapping[str, str] | None = None) -> Document:
    """Read and parse the document at ``path``.

    Its meaning is checked next, by :func:`derive.meaning.check_document`
    (:func:`derive.api.load` does both).

    Raises:
        DeriveError: bad file, front matter or LaTeX, with its position.
    """
    return document_of(read_document(path), refused)


def document_of(raw: RawDocument, refused: Mapping[str, str] | None = None) -> Document:
    """The :class:`Document` of a document already read (a file, or text such as a cell's).

    Raises:
        DeriveError: bad front matter or LaTeX, with its position.
    """
    try:
        return build_document(raw, refused or {})
    except DeriveError as err:
        raise err.in_cells(raw.cells) from None


def build_document(raw: RawDocument, refused: Mapping[str, str] | None = None) -> Document:
    """Parse every part of a raw document into a :class:`Document`.

    A document with no front matter (or ``infer = true`` in it) has its tables inferred
    from the body first (:mod:`derive.reading.inference`); written keys always win.
    ``refused`` names inferred definitions not to take (each with why: a later stage
    found them unreadable).
    """
    if not raw.written or raw.front.get("infer") is True:
        raw = with_inferred(raw, refused or {})
    front = raw.front
    unknown = [key for key in front if key not in TOP_KEYS]
    if unknown:
        raise DocumentError(
            f"unknown front-matter key `{unknown[0]}`; the keys are {', '.join(TOP_KEYS)}",
            raw.key(unknown[0]),
        )
    if raw.written or "name" in front:
        name = need(raw, front, "name", str, 'a string such as "softmax-ce"')
    else:
        name = default_name(raw.path)
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
        digest=raw.digest,
        inferred=raw.inferred,
        defined_at=frozenset((p.line, p.col) for p in raw.origins.values()),
        tainted=raw.tainted,
        unchecked=raw.unchecked,
        origins=raw.origins,
        bare=not raw.written,
        restated=raw.restated,
    )
    doc = replace(doc, parts=parse_parts(raw, front, doc))
    check_count(doc)
    check_known_steps(raw, doc)
    return doc


def check_known_steps(raw: RawDocument, doc: Document) -> None:
    """Refuse a ``[[steps]]`` table whose ``to`` starts no step's right side.

    Raises:
        DocumentError: at that table, so that a stale entry is corrected, not ignored.
    """
    if not doc.known_wrong:
        return
    written = [" ".join(right.text.split()) for sides in chains(doc) for right in sides[1:]]
    starts = header_lines(raw, "[[steps]]")
    for number, slip in enumerate(doc.known_wrong):
        if not any(text.startswith(slip) for text in written):
            line = raw.front_line + (starts[number] if number < len(starts) else 0)
            raise DocumentError(
                f"no step of the body has a right side that starts with `{slip}`: correct "
                "`to`, or remove this [[steps]] table",
                raw.position(line),
            )


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
                f"unknown claim key `{unknown[0]}`; the keys are {', '.join(CLAIM_KEYS)}",
                raw.key(unknown[0], after=start),
            )
        name = need(raw, item, "name", str, 'a short name such as "gradient"', here)
        if any(c.name == name for c in claims):
            raise DocumentError(f"two claims are called `{name}`", here)
        statement = raw.text(
            need(raw, item, "statement", str, "an equation in LaTeX", here), after=start
        )
        written: list[Requirement] = []
        notes: list[str] = []
        lhs, op, rhs = parse_at(
            raw,
            statement.value,
            statement.position,
            scope,
            partial(parse_relation, written=written, notes=notes),
        )
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
            Claim(
                name,
                lhs,
                rhs,
                statement.value,
                statement.position,
                assume,
                where,
                expect,
                tuple(written),
                tuple(notes),
            )
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
