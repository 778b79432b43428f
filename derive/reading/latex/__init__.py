"""The LaTeX subset derive reads: a LALR grammar (``grammar.lark``) and its SymPy reading."""

from __future__ import annotations

from derive.model import Scope
from derive.reading.latex.api import locate_use, parse_expression, parse_head, parse_relation
from derive.reading.latex.shapes import in_layout

__all__ = ["Scope", "in_layout", "locate_use", "parse_expression", "parse_head", "parse_relation"]
