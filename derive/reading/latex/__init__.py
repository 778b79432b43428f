"""The LaTeX subset derive reads: a LALR grammar (``grammar.lark``) and its SymPy reading."""

from __future__ import annotations

from derive.model import Scope
from derive.reading.latex.api import locate_use, parse_expression, parse_head, parse_relation

__all__ = ["Scope", "locate_use", "parse_expression", "parse_head", "parse_relation"]
