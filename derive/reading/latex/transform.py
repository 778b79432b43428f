r"""Read a parse tree of ``grammar.lark`` into SymPy, top down.

Top down (rather than a bottom-up lark ``Transformer``) because the meaning of a subtree
depends on where it stands: ``w_{ij}`` is two indices, not ``i*j``; ``^{(2)}`` after a
name is a layer tag, not a power; ``\frac{d}{dx}`` is an operator, not a quotient.
"""

from __future__ import annotations

import re
from dataclasses import replace
from fractions import Fraction
from typing import Any

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError, Position
from derive.model import Scope
from derive.reading.latex import ellipsis, factors, orders, parser, shapes, words
from derive.reading.latex.bounds import read_limits, undeclared
from derive.reading.latex.cases import read_cases
from derive.reading.latex.factors import (
    Args,
    Callee,
    DiffOp,
    Element,
    Indicator,
    One,
    Op,
    Prefix,
    Value,
)
from derive.reading.latex.functions import PREFIXES, derivative_of, function_callee
from derive.reading.latex.matrices import read_matrix
from derive.reading.latex.names import (
    is_name,
    name_value,
    read_indices,
    read_name,
    simple_value,
)
from derive.reading.latex.nodes import Node, is_bare, position, source, span, subtrees, tokens
from derive.reading.latex.norms import read_norm
from derive.reading.latex.piecewise import comparison, extreme, is_order, over_index
from derive.reading.latex.piecewise import indicator as indicator_of
from derive.reading.latex.shapes import Operand

NEQ = frozenset({r"\ne", r"\neq"})
LAYERISH = re.compile(r"[A-Zl]|\{\s*[A-Zl]\s*\}")  # `a_j^L`: a power, or a layer?
SCRIPTS = {"star": "`^*`", "condition": "condition subscript"}
OPERATORS = {"/": "/", r"\circ": r"\odot"}  # `\circ` is the entrywise product, as `\odot`
MAX_DIGITS = 1000


class Reader:
    """Evaluate the trees of one text against one scope."""

    def __init__(self, text: str, scope: Scope, notes: list[str] | None = None) -> None:
        """Remember the source (for messages), the declared names, and where notes go."""
        self.text = text
        self.scope = scope
        self.uses: list[tuple[Any, Position]] = []  # each name's value where it is written
        # how the text was read where it was not as written: "read `log` as `\log`"
        self.notes: list[str] = [] if notes is None else notes

    def note(self, text: str) -> None:
        """Say once how something was read, for the step's or claim's message."""
        if text not in self.notes:
            self.notes.append(text)

    def relation(self, left: Node, relation: Token, right: Node) -> tuple[Any, Any]:
        """Return the values of the two sides of a relation, which must have one shape."""
        a, b = shapes.layouts(self.operand(left), self.operand(right), self.notes)
        shapes.same_shape(a, b, str(relation.value), position(relation))
        return a.expr, b.expr

    def operand(self, node: Node) -> Operand:
        """Return the value of ``node`` with its text and position."""
        return Operand(self.value(node), source(self.text, node), position(node))

    def scalar(self, node: Node, context: str) -> sp.Expr:
        """Return the value of ``node``, which must be a scalar (``context`` says why)."""
        return shapes.scalar(self.operand(node), context)

    def value(self, node: Node) -> Any:
        """Return the SymPy value of an ``expr``-level tree."""
        if isinstance(node, Token):
            return self.script(node)
        kind = node.data
        if kind == "expr" and any(ellipsis.is_dots(c) for c in node.children[0::2]):
            return self.dotted_sum(node)
        if kind == "dots":
            raise LatexError(
                "an ellipsis goes between terms, `x_1 + \\dots + x_K`, or entries, "
                "`(y_1, \\dots, y_K)`",
                position(node),
            )
        if kind == "expr":
            first = node.children[0]
            operands = [self.operand(first)]
            operands += [self.operand(term) for term in node.children[2::2]]
            signs = node.children[1::2]
            if all(shapes.shape_of(o.expr) is None for o in operands) and not any(
                isinstance(o.expr, symbols.VectorView) for o in operands
            ):  # scalars: one Add, not one per term (a written-out sum can be long)
                terms = [operands[0].expr]
                terms += [
                    o.expr if str(s) == "+" else -o.expr
                    for s, o in zip(signs, operands[1:], strict=True)
                ]
                return sp.Add(*terms)
            result = operands[0]
            for sign, term, operand in zip(signs, node.children[2::2], operands[1:], strict=True):
                assert isinstance(sign, Token)
                total = shapes.add(result, operand, str(sign), position(sign))
                result = Operand(total, span(self.text, first, term), result.where)
            return result.expr
        if kind == "neg":
            return shapes.negate(self.operand(node.children[1]))
        if kind == "pos":
            return self.value(node.children[1])
        if kind == "product":
            words.check_runs(node.children, self.text, self.scope)
            return factors.fold(
                [self.element(child) for child in node.children], self.text, self.note
            )
        if kind in ("sum", "prod", "bigmax"):
            return self.big(node)
        if kind == "pderiv_op":
            return self.partial(node)
        if kind == "nabla":
            return self.gradient(node)
        raise LatexError(f"unsupported construct `{source(self.text, node)}`", position(node))

    def dotted_sum(self, node: Tree[Token]) -> sp.Expr:
        r"""``x_1 + x_2 + \dots + x_K``: the terms the ellipsis joins become one sum."""
        terms, signs = node.children[0::2], [str(s) for s in node.children[1::2]]
        at = next(n for n, term in enumerate(terms) if ellipsis.is_dots(term))
        if not 0 < at < len(terms) - 1 or signs[at - 1] != "+" or signs[at] != "+":
            raise LatexError(
                "an ellipsis in a sum goes between two terms, as in `x_1 + \\dots + x_K`",
                position(terms[at]),
            )
        first, pattern = at - 1, self.pattern(terms[at - 1], terms[at + 1])
        while first > 0 and signs[first - 1] == "+" and not ellipsis.is_dots(terms[first - 1]):
            try:
                wider = self.pattern(terms[first - 1], terms[at + 1])
            except LatexError:
                break
            if wider.lo != pattern.lo - 1:
                raise LatexError(ellipsis.UNCLEAR.format(dots=r"\dots"), position(terms[first]))
            first, pattern = first - 1, wider
        self.note(pattern.note(span(self.text, terms[first], terms[at + 1])))
        total = ellipsis.as_sum(pattern)
        for n, term in enumerate(terms):
            if n < first or n > at + 1:
                value = self.scalar(term, "the terms of a sum with `\\dots` are scalars")
                total += value if n == 0 or signs[n - 1] == "+" else -value
        return total

    def dotted_row(self, parts: list[Tree[Token]], paren: Tree[Token]) -> sp.Expr:
        r"""``(y_1 - t_1, \dots, y_K - t_K)``: a row vector of a fixed length."""
        at = next(n for n, part in enumerate(parts) if ellipsis.is_dots(part))
        if at == 0 or at != len(parts) - 2 or at > 2:
            raise LatexError(
                "an ellipsis in a vector goes between its first entries and its last, as in "
                "`(y_1, \\dots, y_K)`",
                position(parts[at]),
            )
        pattern = self.pattern(parts[0], parts[-1])
        if at == 2:
            ellipsis.check_second(pattern, self.scalar(parts[1], "an entry"), parts[1])
        row = ellipsis.as_row(pattern, paren)
        vector = isinstance(row, symbols.Vector)
        self.note(pattern.note(source(self.text, paren), row=not vector, vector=vector))
        return row

    def pattern(self, first: Node, last: Node) -> ellipsis.Pattern:
        """The pattern an ellipsis abbreviates, from its first and last terms."""

        def read(template: str, scope: Scope) -> sp.Expr:
            reader = Reader(template, scope, self.notes)
            return reader.scalar(parser.parse_tree(template, "expression").children[0], "")

        pattern = ellipsis.find(self.text, self.scope, first, last, self.index_value, read)
        ends = ((first, pattern.lo), (last, pattern.hi))
        ellipsis.check_ends(pattern, [(self.scalar(t, ellipsis.TERM), t, n) for t, n in ends])
        return pattern

    def index_value(self, node: Node) -> sp.Expr:
        """The value of a part of a subscript: a one-character script or an item."""
        if isinstance(node, Token):
            return self.script(node)
        if node.data == "item" and is_bare(node, "number"):
            return self.number(tokens(node.children[0])[0])  # type: ignore[arg-type]
        if node.data == "item":
            node = Tree("product", [node])
        return self.scalar(node, "a subscript is a scalar")

    def gradient(self, node: Tree[Token]) -> Any:
        r"""``\nabla_z L``: the column of ``∂L/∂z_j``, a scalar's gradient by a column ``z``."""
        var, body = node.children
        if isinstance(var, Token):  # `\nabla_z`: the one-letter subscript is the name
            var = _item_of(var)
        by = self.variable(var)
        if isinstance(by.expr, sp.Symbol):  # `\nabla_z`: the subscript names a vector
            by = Operand(symbols.tensor(by.expr.name), by.written, by.where)
        if isinstance(by.expr, sp.IndexedBase):
            self.note(
                f"read `\\nabla_{{{by.written}}}` as the vector of entries "
                f"`∂/∂{symbols.base_name(by.expr)}_n`"
            )
            return shapes.derivative(self.operand(body), by)
        if not isinstance(by.expr, sp.MatrixSymbol):
            entry = by.written if "_" in by.written else f"{by.written}_j"
            raise LatexError(
                f"`\\nabla_{{{by.written}}}` needs a column declared under [shapes]; for one "
                f"entry write `\\frac{{\\partial L}}{{\\partial {entry}}}`",
                position(node),
            )
        value = shapes.derivative(self.operand(body), by)
        if shapes.shape_of(value) != (1, by.expr.shape[0]):
            raise LatexError(
                f"`\\nabla_{{{by.written}}}` takes a scalar, such as a loss", position(body)
            )
        self.note(
            f"read `\\nabla_{{{by.written}}}` as the column gradient, the transpose of "
            f"`\\frac{{\\partial}}{{\\partial {by.written}}}`"
        )
        return sp.Transpose(value)

    def script(self, token: Token) -> sp.Expr:
        """Return the value of a one-token script such as the ``2`` of ``x^2``."""
        if token.type == "TOP":
            return shapes.TRANSPOSE
        if token.type == "NUMBER":
            if len(token.value) > 1:
                raise LatexError(
                    f"ambiguous script `{token.value}`: LaTeX takes only its first character; "
                    f"write `{{{token.value}}}`",
                    position(token),
                )
            return self.number(token)
        return simple_value(str(token.value), self.scope)

    def number(self, token: Token) -> sp.Expr:
        """Return an exact number: ``2`` is an Integer, ``0.5`` the Rational 1/2."""
        if len(token.value) > MAX_DIGITS:
            raise LatexError("number too long", position(token))
        exact = Fraction(str(token.value))
        return sp.Rational(exact.numerator, exact.denominator)

    def element(self, node: Node) -> Element:
        """Return one factor of a product, not yet combined with its neighbours."""
        if isinstance(node, Token):
            if node.value == r"\circ":  # not composition: `(f \circ g)(x)` is not read
                self.note(r"read `\circ` as the entrywise product `\odot`")
            return Op(OPERATORS.get(str(node.value), str(node.value)), node)
        if node.data == "prefixed":
            item = node.children[1]
            assert isinstance(item, Tree)
            if not is_name(item):
                raise LatexError(
                    r"a pre-superscript such as `{}^r` goes before a name, e.g. `{}^r y_t`",
                    position(item),
                )
            return self.name(item, node)
        if node.data != "item":
            return Value(self.value(node), node)
        if is_name(node):
            return self.name(node)
        primary, *scripts = node.children
        assert isinstance(primary, Tree)
        if primary.data == "log":
            return self.log(node, primary, scripts)
        if primary.data == "word":
            return self.word(node, primary, scripts)
        if primary.data == "norm":
            return Value(read_norm(self, node, scripts), node)
        if primary.data == "one" and scripts:
            return self.one(node, scripts)
        if primary.data == "func" and scripts and all(isinstance(s, Token) for s in scripts):
            return self.derived(node, primary, len(scripts))
        subscripted = any(isinstance(s, Tree) and s.data == "sub" for s in scripts)
        if primary.data == "paren" and subscripted:
            return self.entry(node, primary, scripts)
        power = self.power(node, scripts)
        return self.primary(node, primary, power)

    def entry(self, item: Tree[Token], primary: Tree[Token], scripts: list[Node]) -> Element:
        r"""``(v)_j``: an entry of a vector or matrix in parentheses, such as a gradient."""
        parts = subtrees(primary)
        subs = [s for s in scripts if isinstance(s, Tree) and s.data == "sub"]
        rest = [s for s in scripts if not (isinstance(s, Tree) and s.data == "sub")]
        value = self.value(parts[0]) if len(parts) == 1 else None
        written = source(self.text, primary)
        if not isinstance(value, sp.MatrixExpr) or len(subs) != 1:
            raise LatexError(
                f"unsupported subscript on `{written}`: only a vector or matrix in "
                "parentheses takes one, as in `(v)_j`",
                position(subs[0]),
            )
        indices = read_indices(self.text, self.scope, subs[0], item)
        rows, cols = value.shape
        if len(indices) == 2 and rows != 1 and cols != 1:
            row, col = indices
        elif len(indices) == 1 and (rows == 1 or cols == 1):
            row, col = (sp.S.One, indices[0]) if rows == 1 else (indices[0], sp.S.One)
        else:
            raise LatexError(
                f"`{written}` is {rows}×{cols}: write one index for a vector, as in `_j`, "
                "and two for a matrix, as in `_{uv}`",
                position(subs[0]),
            )
        power = self.power(item, rest)
        return Value(self.raised(symbols.Entry(value, row, col), power, written, item), item)

    def power(self, item: Tree[Token], scripts: list[Node]) -> Operand | None:
        """Return the superscript of a non-name factor; subscripts and primes are errors."""
        for script in scripts:
            if isinstance(script, Token) or script.data != "sup":
                what = "`'`" if isinstance(script, Token) else SCRIPTS.get(script.data, "subscript")
                raise LatexError(
                    f"unsupported {what} on `{source(self.text, item.children[0])}`",
                    position(script),
                )
        if len(scripts) > 1:
            raise LatexError(
                f"double superscript in `{source(self.text, item)}`", position(scripts[1])
            )
        if not scripts:
            return None
        sup = scripts[0]
        assert isinstance(sup, Tree)
        return self.exponent(sup)

    def exponent(self, sup: Tree[Token]) -> Operand:
        r"""Return the value of a superscript as an operand (``\top`` is the transpose)."""
        inner = sup.children[0]
        if len(sup.children) == 2:  # `^{-\top}`: the inverse's transpose
            return Operand(-shapes.TRANSPOSE, source(self.text, sup)[2:-1], position(sup))
        return Operand(self.value(inner), source(self.text, inner), position(sup))

    def raised(self, value: Any, power: Operand | None, base: str, item: Node) -> Any:
        """Return ``value`` raised to ``power``; ``base`` is how the value was written."""
        if power is None:
            return value
        scalar = not isinstance(value, symbols.VectorView) and shapes.shape_of(value) is None
        if scalar and shapes.is_letter_t(power.expr):
            self.scalar_to_t(base, power)
        return shapes.power(Operand(value, base, position(item)), power)

    def scalar_to_t(self, base: str, power: Operand) -> None:
        """``x^T`` of a scalar: a power when ``T`` is a size (noted), else refused.

        Raises:
            LatexError: ``T`` is not a declared size, so ``^T`` could be a transpose.
        """
        if "T" in self.scope.sizes and "T" not in self.scope.guessed:
            self.note(
                f"read `{base}^{power.written}` as a power, `T` being a size (for a transpose, "
                f"declare `{base}` under [shapes])"
            )
            return
        raise LatexError(
            f"`{base}^{power.written}`: a transpose, or a power of a variable `T`? "
            f"Declare `{base}` under [shapes] for a transpose (of a scalar it is `{base}`), or "
            "`T` under [sizes] for a power",
            power.where,
        )

    def primary(self, item: Tree[Token], primary: Tree[Token], power: Operand | None) -> Element:
        """Return the factor for a primary that is not a name."""
        kind, parts = primary.data, subtrees(primary)
        if kind == "number" and power is None and tokens(primary)[0].value == "1":
            return One(True, item)
        if kind == "one":
            if power is not None:
                raise LatexError(r"unsupported power on `\mathbb{1}`", position(item.children[1]))
            return One(False, item)
        if kind == "func" and power is not None:
            label = source(self.text, primary)
            raise LatexError(
                f"ambiguous power on `{label}`: write `({label} x)^{{2}}`",
                position(item.children[1]),
            )
        if kind == "func":
            label = str(tokens(primary)[0].value)
            function = PREFIXES[label]
            return Prefix(label, lambda arg: shapes.entrywise(function, arg), item)
        if kind == "paren" and any(ellipsis.is_dots(part) for part in parts):
            row = self.dotted_row(parts, primary)
            return Value(self.raised(row, power, source(self.text, primary), item), item)
        if kind == "paren":
            return Args(tuple(self.operand(part) for part in parts), power, item)
        if kind == "bracket" or (kind == "braces" and len(parts) == 2):
            if power is not None:
                raise LatexError("unsupported power on an indicator", position(item))
            return Indicator(self.indicator(primary), True, item)
        written = source(self.text, primary)
        if kind == "braces":
            return Indicator(self.raised(self.value(parts[0]), power, written, item), False, item)
        if kind == "frac":
            return self.frac(item, primary, power)
        return Value(self.raised(self.plain(primary), power, written, item), item)

    def plain(self, primary: Tree[Token]) -> Any:
        """Return the value of a number, root, group or partial derivative."""
        kind, parts = primary.data, subtrees(primary)
        if kind == "number":
            return self.number(tokens(primary)[0])
        written = source(self.text, primary)
        if kind == "sqrt":
            radicand = self.scalar(parts[0], r"`\sqrt` takes a scalar")
            shapes.require(radicand, shapes.NONNEGATIVE)
            return symbols.real_or_marker(sp.sqrt(radicand), written)
        if kind == "root":
            context = r"`\sqrt[n]` takes scalars"
            radicand = self.scalar(parts[1], context)
            shapes.require(radicand, shapes.NONNEGATIVE)
            value = sp.root(radicand, self.scalar(parts[0], context))
            return symbols.real_or_marker(value, written)
        if kind == "cases":
            return read_cases(self, primary)
        if kind == "abs":
            return sp.Abs(self.scalar(parts[0], "`|…|` takes a scalar"))
        if kind == "maxmin":
            label = str(tokens(primary)[0].value)
            context = f"`{label}` takes scalars"
            return extreme(label, [self.scalar(part, context) for part in parts])
        if kind == "matrix":
            return read_matrix(self, primary)
        if kind == "pderiv":
            return self.partial(primary)
        return self.value(parts[0])  # a group

    def one(self, item: Tree[Token], scripts: list[Node]) -> Element:
        r"""``\mathbb{1}_{k = j}``: the indicator written with a condition subscript."""
        condition = scripts[0]
        if len(scripts) != 1 or not isinstance(condition, Tree) or condition.data != "condition":
            raise LatexError(
                r"unsupported script on `\mathbb{1}`: write the indicator as "
                r"`\mathbb{1}_{k = j}` or `1\{k = j\}`",
                position(scripts[0]),
            )
        return Value(self.indicator(condition), item)

    def derived(self, item: Tree[Token], primary: Tree[Token], order: int) -> Element:
        r"""``\tanh'``: the derivative of a built-in function, by SymPy, as a prefix."""
        label = str(tokens(primary)[0].value)
        function = derivative_of(PREFIXES[label], order)
        written = label + "'" * order
        return Prefix(written, lambda arg: shapes.entrywise(function, arg), item)

    def indicator(self, braces: Tree[Token]) -> sp.Expr:
        r"""Return the delta of ``\{k = i\}`` (or one minus it for ``\neq``)."""
        left, relation, right = braces.children
        assert isinstance(relation, Token)
        context = "an indicator compares scalars"
        a, b = self.scalar(left, context), self.scalar(right, context)
        if is_order(relation) or not (a.is_integer and b.is_integer):
            return indicator_of(comparison(relation, a, b, "an indicator"))
        delta = sp.KroneckerDelta(a, b)
        if relation.value == "=":
            return delta
        if relation.value in NEQ or relation.value.startswith(r"\not"):
            return 1 - delta
        raise LatexError(
            f"unsupported condition `{relation.value}` in an indicator: use `=` or `\\neq`",
            position(relation),
        )

    def name(self, item: Tree[Token], prefixed: Tree[Token] | None = None) -> Element:
        """Return a name's factor: a value, or a function waiting for its arguments."""
        name = read_name(self.text, self.scope, item, prefixed)
        power = None if name.power is None else self.exponent(name.power)
        if power is not None and name.indices and LAYERISH.fullmatch(power.written):
            self.note(
                f"read `{source(self.text, item)}` as a power; if `{power.written}` names a layer, "
                f"write `^{{({power.written})}}` or list `{name.key}^{power.written}` under `names`"
            )
        node: Node = item if prefixed is None else prefixed
        eye = (
            None
            if prefixed or name.exclude
            else shapes.identity(name.key, name.indices, self.scope)
        )
        if eye is not None:
            self.note(f"read `{source(self.text, item)}` as the identity matrix")
            return Value(self.raised(eye, power, source(self.text, item), node), node)
        if name.indices is None and name.exclude is None:
            callee = function_callee(self.scope, name.key, power, node)
            if callee is not None and prefixed is not None:
                raise LatexError(
                    f"unsupported pre-superscript on the function `{callee.label}`",
                    position(prefixed),
                )
            if callee is not None:
                return callee
        value = name_value(name, self.scope)
        scripts = [s for s in item.children if s is not name.power]
        base = span(self.text, node, scripts[-1])
        self.uses.append((value, position(node)))
        documented = name.key if name.key in self.scope.documented and power is None else ""
        params = self.scope.documented.get(documented, ())
        raised = self.raised(value, power, base, node)
        return Value(raised, node, documented=documented, params=params)

    def log(self, item: Tree[Token], primary: Tree[Token], scripts: list[Node]) -> Element:
        r"""Return ``\log`` (natural) or ``\log_a`` (base ``a``) as a prefix function."""
        subs = [s for s in scripts if isinstance(s, Tree) and s.data == "sub"]
        if len(subs) != len(scripts) or len(subs) > 1:
            raise LatexError(
                r"unsupported script on `\log`: write `(\log x)^{2}`", position(scripts[0])
            )
        if not subs:
            return Prefix(r"\log", lambda arg: shapes.entrywise(sp.log, arg), item)
        if len(subs[0].children) != 1:
            raise LatexError(r"`\log` takes one base", position(subs[0]))
        base = self.scalar(subs[0].children[0], r"the base of `\log` must be a scalar")
        label = source(self.text, item)

        def log_base(x: sp.Expr) -> sp.Expr:
            shapes.require(x, shapes.POSITIVE)
            shapes.require(base, shapes.POSITIVE)
            shapes.require(base - 1, shapes.NONZERO)
            return sp.log(x) / sp.log(base)

        return Prefix(label, lambda arg: shapes.scalar_function(log_base, label, arg), item)

    def word(self, item: Tree[Token], primary: Tree[Token], scripts: list[Node]) -> Element:
        r"""A function's name written without its backslash: ``log x`` is ``\log x``, noted."""
        spelled = tokens(primary)[0]
        key = words.function_key(spelled, self.scope)
        self.note(f"read `{spelled.value}` as `{key}`")
        if key == r"\log":
            return self.log(item, primary, scripts)
        power = self.power(item, scripts)
        if key in PREFIXES and power is not None:
            raise LatexError(
                f"ambiguous power on `{spelled.value}`: write `({spelled.value} x)^{{2}}`",
                position(item.children[1]),
            )
        if key in PREFIXES:
            function = PREFIXES[key]
            return Prefix(key, lambda arg: shapes.entrywise(function, arg), item)
        callee = function_callee(self.scope, key, power, item)
        assert callee is not None  # a built-in or a declared function
        return Callee(key, callee.arity, callee.apply, None, power, item, prefix=callee.arity == 1)

    def frac(self, item: Tree[Token], primary: Tree[Token], power: Operand | None) -> Element:
        r"""Return a quotient, or a derivative written with ``d``.

        A ``\frac`` whose denominator is ``d`` (or ``\mathrm{d}``) and one variable,
        repeated (``dx^2``, ``dx\,dy``), and whose numerator is ``d`` or ``d^n`` alone or
        followed by what it differentiates, is a derivative (:mod:`orders`):
        ``\frac{d^2 y}{dx^2}``; ``\frac{d}{dx}`` is the operator form, applied to the
        rest of the product. Any other ``\frac{A}{B}`` is ``A / B``.
        """
        numerator, denominator = subtrees(primary)
        written = source(self.text, primary)
        is_d, sup = orders.numerator_mark(numerator)
        dvars = orders.d_variables(self.text, denominator, sup is not None) if is_d else None
        rest = numerator.children[1:]
        if dvars is not None and (sup is not None or not rest or isinstance(rest[0], Tree)):
            variables = self.ordered(dvars)
            said = orders.order(self.text, sup, "d")
            orders.check(said, len(variables), position(primary), "d")
            if not rest:
                if power is not None:
                    raise LatexError("unsupported power on a derivative operator", position(item))
                return DiffOp(tuple(variables), item)
            if isinstance(rest[0], Token):
                raise LatexError(orders.D_FORM.format(written=written), position(primary))
            body = factors.fold([self.element(child) for child in rest], self.text, self.note)
            written_body = span(self.text, rest[0], rest[-1])
            value = orders.nest(Operand(body, written_body, position(rest[0])), variables)
            return Value(self.raised(value, power, written, item), item)
        quotient = shapes.product(
            self.operand(numerator), self.operand(denominator), "/", position(denominator)
        )
        return Value(self.raised(quotient, power, written, item), item)

    def partial(self, node: Tree[Token]) -> Any:
        r"""``\frac{\partial^2 E}{\partial x \partial y}``, or the operator form before a body."""
        parts = subtrees(node)
        sup = parts.pop(0) if parts[0].data == "sup" else None
        if node.data == "pderiv_op":
            body, dvars = parts[-1], parts[:-1]
        else:
            body, dvars = parts[0], parts[1:]
        variables = self.ordered(dvars)
        said = orders.order(self.text, sup, r"\partial")
        orders.check(said, len(variables), position(node), r"\partial")
        return orders.nest(self.operand(body), variables)

    def ordered(self, nodes: list[Tree[Token]]) -> list[Operand]:
        """The variables of a denominator, each repeated as often as its power says."""
        variables: list[Operand] = []
        for node in nodes:
            var, times = self.ordered_variable(node)
            variables += [var] * times
        return variables

    def ordered_variable(self, node: Tree[Token]) -> tuple[Operand, int]:
        r"""A variable of differentiation and its order: ``x^2`` in ``\partial x^2`` is x, 2."""
        if node.data == "item" and is_name(node):
            name = read_name(self.text, self.scope, node)
            if name.power is not None:
                times = orders.order(self.text, name.power, source(self.text, node.children[0]))
                bare = [child for child in node.children if child is not name.power]
                var = self.variable(Tree("item", bare, node.meta))
                cut = name.power.meta.start_pos - node.meta.start_pos
                return replace(var, written=var.written[:cut].rstrip()), times
        return self.variable(node), 1

    def variable(self, node: Node) -> Operand:
        """Return a variable of differentiation: a scalar name, an element or a vector."""
        what = source(self.text, node)
        prefixed = node if isinstance(node, Tree) and node.data == "prefixed" else None
        item = node if prefixed is None else prefixed.children[1]
        if isinstance(item, Tree) and is_name(item):
            name = read_name(self.text, self.scope, item, prefixed)
            plain = name.power is None and name.exclude is None
            value = name_value(name, self.scope) if plain else None
            if isinstance(value, sp.Indexed | sp.MatrixSymbol | sp.IndexedBase):
                self.uses.append((value, position(node)))
                if isinstance(value, sp.MatrixSymbol) and symbols.by_matrix(value):
                    self.note(
                        f"read the derivative by the matrix `{what}` as the matrix of "
                        f"`∂/∂{what}_{{ab}}`, the shape of `{what}` (denominator layout)"
                    )
                return Operand(value, what, position(node))
            if isinstance(value, sp.Symbol) and value.is_integer is not True:
                self.uses.append((value, position(node)))
                return Operand(value, what, position(node))
            if isinstance(value, sp.Symbol):
                raise LatexError(
                    f"cannot differentiate with respect to the index or size `{what}`",
                    position(node),
                )
        raise LatexError(
            f"cannot differentiate with respect to `{what}`: use one name or element, "
            "e.g. `x`, `z_j` or `w_{ij}`",
            position(node),
        )

    def big(self, node: Tree[Token]) -> sp.Expr:
        r"""Return a ``\sum`` or ``\prod`` with its limits and exclusions.

        An index the front matter does not declare is bound over the range its limits
        give (:func:`derive.reading.latex.bounds.undeclared`) while the body is read.
        """
        added, notes = undeclared(self, node)
        if not added:
            return self.bound(node)
        outer = self.scope
        self.scope = replace(outer, indices={**outer.indices, **added})
        for note in notes:
            self.note(note)
        try:
            return self.bound(node)
        finally:
            self.scope = outer

    def bound(self, node: Tree[Token]) -> sp.Expr:
        """The big operator once every index it binds is in scope."""
        limits = read_limits(self, node)
        for var, _, hi in limits.ranges:
            self.uses.append((sp.Tuple(var, hi), position(node)))
        start = shapes.mark()
        body = self.scalar(node.children[-1], "a sum or product takes a scalar body")
        shapes.inside(start, limits.ranges, limits.excluded)
        if node.data == "bigmax":
            return over_index(node, limits, body, source(self.text, node.children[-1]))
        if node.data == "sum":
            for excluded in limits.excluded:
                body = body * (1 - excluded)
            return sp.Sum(body, *limits.ranges)
        outside(node, body, {var for var, _, _ in limits.ranges})
        for excluded in limits.excluded:
            body = body ** (1 - excluded)
        return sp.Product(body, *limits.ranges)


def outside(node: Tree[Token], body: sp.Expr, bound: set[sp.Symbol]) -> None:
    r"""Refuse ``\prod_k a_k \prod_k b_k``: among several factors, one free of ``k``.

    The product takes the rest of the product as its body, so such a factor would be
    raised to the power of the range's length, where its author most likely meant it
    outside.

    Raises:
        LatexError: Several factors, one of them (not a number) free of the indices.
    """
    term = node.children[-1]
    if not isinstance(term, Tree) or term.data != "product":
        return
    if len([c for c in term.children if isinstance(c, Tree)]) < 2:
        return
    names = ", ".join(sorted(f"`{v}`" for v in bound))
    for factor in sp.Mul.make_args(body):
        if not factor.is_number and not factor.free_symbols & bound:
            raise LatexError(
                f"a factor after `\\prod` does not depend on {names}, so it would be "
                "raised to the power of the range's length: write "
                "`\\left(\\prod_k a_k\\right) b` for a factor outside the product, "
                "`\\prod_k (a_k b)` for one inside",
                position(node),
            )


def _item_of(token: Token) -> Tree[Token]:
    """The ``item`` tree of a one-token name, placed where the token is."""
    inner: Tree[Token] = Tree("greek" if token.type == "GREEK" else "letter", [token])
    item: Tree[Token] = Tree("item", [inner])
    for tree in (item, item.children[0]):
        assert isinstance(tree, Tree)
        meta = tree.meta
        meta.empty = False
        meta.line, meta.column = token.line or 1, token.column or 1
        meta.start_pos, meta.end_pos = token.start_pos or 0, token.end_pos or 0
    return item
