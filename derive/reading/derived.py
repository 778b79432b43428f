r"""The derivatives of functions the front matter defines: ``f'`` for ``'f(u)' = …``.

A definition of one scalar parameter, ``'f(u)' = 'u^3 + 2 u'``, also defines ``f'``
and ``f''``, which SymPy differentiates from its body, so that ``f'(x)`` in a step is
``3 x^2 + 2``. Only a body that uses no other defined or declared name is
differentiated: a name defined elsewhere could itself depend on ``u``.
"""

from __future__ import annotations

from collections.abc import Mapping

import sympy as sp

from derive import symbols
from derive.model import Definition, FunctionDecl

ORDERS = 2  # f' and f''


def derivatives(
    definitions: Mapping[str, Definition], functions: Mapping[str, FunctionDecl]
) -> dict[str, Definition]:
    """Return the definitions of ``f'`` and ``f''`` for each function ``f`` that has them.

    A derivative the document defines or declares itself is left alone.
    """
    taken = set(definitions) | set(functions)
    out: dict[str, Definition] = {}
    for name, definition in definitions.items():
        param = _scalar_parameter(definition)
        if param is None or not _closed(definition.body, param, taken):
            continue
        body = definition.body
        for order in range(1, ORDERS + 1):
            key = name + "'" * order
            if key in taken:
                break
            body = sp.diff(body, param)
            out[key] = Definition(
                key,
                definition.params,
                body,
                definition.text,
                definition.position,
                definition.domain,
            )
    return out


def _scalar_parameter(definition: Definition) -> sp.Symbol | None:
    """The one parameter of a function of a scalar, ``u`` in ``f(u)``; else None."""
    if len(definition.params) != 1:
        return None
    (param,) = definition.params
    if isinstance(param, sp.Symbol) and param.is_integer is not True:
        return param
    return None


def _closed(body: sp.Expr, param: sp.Symbol, taken: set[str]) -> bool:
    """True when ``body`` names nothing defined or declared (``param`` aside)."""
    for node in sp.preorder_traversal(body):
        name = symbols.base_name(node) if isinstance(node, sp.Basic) else None
        if node != param and name is not None and name.rstrip("'") in taken:
            return False
    return True
