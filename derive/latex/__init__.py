"""The LaTeX subset derive reads: a LALR grammar (``grammar.lark``) and its SymPy reading."""

from __future__ import annotations

from derive.latex.api import parse_expression, parse_head, parse_relation
from derive.latex.scope import Scope

__all__ = ["Scope", "parse_expression", "parse_head", "parse_relation"]
