r"""A front matter written out as TOML, for ``derive infer`` to print and a user to paste.

LaTeX goes in literal strings (``'\frac{a}{b}'``, or ``'''…'''`` when it holds a quote),
so that no backslash is a TOML escape; keys are quoted the same way.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

BARE = re.compile(r"[A-Za-z0-9_-]+")
TABLES = ("sizes", "indices", "definitions", "assumptions")


def front_matter(name: str, tables: Mapping[str, Mapping[str, Any]], note: str) -> str:
    """The TOML front matter between ``+++`` lines: the name, a comment, then the tables."""
    lines = ["+++", f"name = {value(name)}", f"# {note}"]
    if tables.get("names"):
        lines.append(f"names = [{', '.join(value(n) for n in tables['names'])}]")
    for table in TABLES:
        entries = tables.get(table, {})
        if entries:
            lines += ["", f"[{table}]"]
            lines += [f"{key(k)} = {value(v)}" for k, v in entries.items()]
    return "\n".join([*lines, "+++", ""])


def key(text: str) -> str:
    """A TOML key: bare when it can be, else a literal string."""
    return text if BARE.fullmatch(text) else value(text)


def value(item: Any) -> str:
    """A TOML value: a number as written, a string as a literal string."""
    if isinstance(item, int) and not isinstance(item, bool):
        return str(item)
    text = str(item)
    if "'" not in text and "\n" not in text:
        return f"'{text}'"
    return f"'''{text}'''"
