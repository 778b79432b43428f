r"""Read a parse tree of ``grammar.lark`` into SymPy, top down.

Top down (rather than a bottom-up lark ``Transformer``) because the meaning of a subtree
depends on where it stands: ``w_{ij}`` is two indices, not ``i*j``; ``^{(2)}`` after a
name is a layer tag, not a power; ``\frac{d}{dx}`` is an operator, not a quotient.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError
from derive.latex import factors
from derive.latex.bounds import read_limits
from derive.latex.factors import Args, Callee, DiffOp, Element, Indicator, One, Op, Prefix, Value
from derive.latex.names import TEXT, is_name, name_value, read_name, simple_value
from derive.latex.nodes import Node, is_bare, position, source, subtrees, tokens
from derive.latex.scope import Scope

FUNCTIONS: dict[str, Callable[[sp.Expr], sp.Expr]] = {
    r"\ln": sp.log,
    r"\exp": sp.exp,
    r"\sin": sp.sin,
    r"\cos": sp.cos,
    r"\tan": sp.tan,
    r"\sinh": sp.sinh,
    r"\cosh": sp.cosh,
    r"\tanh": sp.tanh,
}
SIGMA = r"\sigma"
NEQ = frozenset({r"\ne", r"\neq"})
MAX_DIGITS = 1000


class Reader:
    """Evaluate the trees of one text against one scope."""

    def __init__(self, text: str, scope: Scope) -> None:
        """Remember the source (for messages) and the declared names."""
        self.text = text
        self.scope = scope

    def value(self, node: Node) -> sp.Expr:
        """Return the SymPy expression for an ``expr``-level tree."""
        if isinstance(node, Token):
            return self.script(node)
        kind = node.data
        if kind == "expr":
            result = self.value(node.children[0])
            for sign, term in zip(node.children[1::2], node.children[2::2], strict=True):
                right = self.value(term)
                result = result + right if sign == "+" else result - right
            return result
        if kind == "neg":
            return -self.value(node.children[1])
        if kind == "pos":
            return self.value(node.children[1])
        if kind == "product":
            return factors.fold([self.element(child) for child in node.children])
        if kind in ("sum", "prod"):
            return self.big(node)
        if kind == "pderiv_op":
            var, body = node.children
            assert isinstance(var, Tree)
            return sp.Derivative(self.value(body), self.variable(var), evaluate=False)
        raise LatexError(f"unsupported construct `{source(self.text, node)}`", position(node))

    def script(self, token: Token) -> sp.Expr:
        """Return the value of a one-token script such as the ``2`` of ``x^2``."""
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
            return Op("/" if node.type == "DIV" else "*", node)
        if node.data != "item":
            return Value(self.value(node), node)
        if is_name(node):
            return self.name(node)
        primary, *scripts = node.children
        assert isinstance(primary, Tree)
        if primary.data == "log":
            return self.log(node, primary, scripts)
        power = self.power(node, scripts)
        return self.primary(node, primary, power)

    def power(self, item: Tree[Token], scripts: list[Node]) -> sp.Expr | None:
        """Return the superscript of a non-name factor; subscripts and primes are errors."""
        for script in scripts:
            if isinstance(script, Token) or script.data == "sub":
                what = "`'`" if isinstance(script, Token) else "subscript"
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
        return self.value(sup.children[0])

    def primary(self, item: Tree[Token], primary: Tree[Token], power: sp.Expr | None) -> Element:
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
            return Prefix(label, FUNCTIONS[label], item)
        if kind == "paren":
            return Args(tuple(self.value(part) for part in parts), power, item)
        if kind == "braces" and len(parts) == 2:
            if power is not None:
                raise LatexError("unsupported power on an indicator", position(item))
            return Indicator(self.indicator(primary), True, item)
        if kind == "braces":
            value = self.value(parts[0])
            return Indicator(
                value if power is None else factors.power(value, power, item), False, item
            )
        if kind == "frac":
            return self.frac(item, primary, power)
        value = self.plain(primary)
        return Value(value if power is None else factors.power(value, power, item), item)

    def plain(self, primary: Tree[Token]) -> sp.Expr:
        """Return the value of a number, root, group or partial derivative."""
        kind, parts = primary.data, subtrees(primary)
        if kind == "number":
            return self.number(tokens(primary)[0])
        if kind == "sqrt":
            return sp.sqrt(self.value(parts[0]))
        if kind == "root":
            return sp.root(self.value(parts[1]), self.value(parts[0]))
        if kind == "pderiv":
            return sp.Derivative(self.value(parts[0]), self.variable(parts[1]), evaluate=False)
        return self.value(parts[0])  # a group

    def indicator(self, braces: Tree[Token]) -> sp.Expr:
        r"""Return the delta of ``\{k = i\}`` (or one minus it for ``\neq``)."""
        left, relation, right = braces.children
        assert isinstance(relation, Token)
        delta = sp.KroneckerDelta(self.value(left), self.value(right))
        if relation.value == "=":
            return delta
        if relation.value in NEQ or relation.value.startswith(r"\not"):
            return 1 - delta
        raise LatexError(
            f"unsupported condition `{relation.value}` in an indicator: use `=` or `\\neq`",
            position(relation),
        )

    def name(self, item: Tree[Token]) -> Element:
        """Return a name's factor: a value, or a function waiting for its arguments."""
        name = read_name(self.text, self.scope, item)
        power = None if name.power is None else self.value(name.power.children[0])
        declared = self.scope.functions.get(name.key)
        if name.indices is None and (declared is not None or name.key == SIGMA):
            if declared is None:
                return Callee(SIGMA, 1, symbols.sigmoid, symbols.scalar(SIGMA), power, item)
            function = sp.Function(name.key)
            return Callee(name.key, declared, function, None, power, item)
        value = name_value(name, self.scope)
        return Value(value if power is None else factors.power(value, power, item), item)

    def log(self, item: Tree[Token], primary: Tree[Token], scripts: list[Node]) -> Element:
        r"""Return ``\log`` (natural) or ``\log_a`` (base ``a``) as a prefix function."""
        subs = [s for s in scripts if isinstance(s, Tree) and s.data == "sub"]
        if len(subs) != len(scripts) or len(subs) > 1:
            raise LatexError(
                r"unsupported script on `\log`: write `(\log x)^{2}`", position(scripts[0])
            )
        if not subs:
            return Prefix(r"\log", sp.log, item)
        if len(subs[0].children) != 1:
            raise LatexError(r"`\log` takes one base", position(subs[0]))
        base = self.value(subs[0].children[0])
        label = source(self.text, item)
        return Prefix(label, lambda x: sp.log(x) / sp.log(base), item)

    def frac(self, item: Tree[Token], primary: Tree[Token], power: sp.Expr | None) -> Element:
        r"""Return a quotient, or a derivative written with ``d``.

        A ``\frac`` whose denominator is exactly ``d`` (or ``\mathrm{d}``) followed by one
        variable, and whose numerator is ``d`` alone or starts with ``d``, is a
        derivative: ``\frac{dy}{dx}``; ``\frac{d}{dx}`` is the operator form, applied to
        the rest of the product. Any other ``\frac{A}{B}`` is ``A / B``.
        """
        numerator, denominator = subtrees(primary)
        var = _d_variable(denominator)
        if var is not None and _starts_with_d(numerator):
            rest = numerator.children[1:]
            if not rest:
                if power is not None:
                    raise LatexError("unsupported power on a derivative operator", position(item))
                return DiffOp(self.variable(var), item)
            if not isinstance(rest[0], Token):
                body = factors.fold([self.element(child) for child in rest])
                value = sp.Derivative(body, self.variable(var), evaluate=False)
                return Value(value if power is None else factors.power(value, power, item), item)
        value = self.value(numerator) / self.value(denominator)
        return Value(value if power is None else factors.power(value, power, item), item)

    def variable(self, item: Tree[Token]) -> sp.Expr:
        """Return a variable of differentiation: a scalar name or a tensor element."""
        what = source(self.text, item)
        if is_name(item):
            name = read_name(self.text, self.scope, item)
            value = None if name.power is not None else name_value(name, self.scope)
            if isinstance(value, sp.Indexed):
                return value
            if isinstance(value, sp.Symbol) and value.is_integer is not True:
                return value
            if isinstance(value, sp.Symbol):
                raise LatexError(
                    f"cannot differentiate with respect to the index or size `{what}`",
                    position(item),
                )
        raise LatexError(
            f"cannot differentiate with respect to `{what}`: use one name or element, "
            "e.g. `x`, `z_j` or `w_{ij}`",
            position(item),
        )

    def big(self, node: Tree[Token]) -> sp.Expr:
        r"""Return a ``\sum`` or ``\prod`` with its limits and exclusions."""
        limits = read_limits(self, node)
        body = self.value(node.children[-1])
        if node.data == "sum":
            for excluded in limits.excluded:
                body = body * (1 - excluded)
            return sp.Sum(body, *limits.ranges)
        for excluded in limits.excluded:
            body = body ** (1 - excluded)
        return sp.Product(body, *limits.ranges)


def _d_variable(denominator: Tree[Token]) -> Tree[Token] | None:
    parts = denominator.children if denominator.data == "product" else []
    if len(parts) == 2 and all(isinstance(p, Tree) and p.data == "item" for p in parts):
        mark, var = parts
        assert isinstance(mark, Tree) and isinstance(var, Tree)
        return var if _is_d(mark) else None
    return None


def _starts_with_d(numerator: Tree[Token]) -> bool:
    if numerator.data != "product":
        return False
    first = numerator.children[0]
    return isinstance(first, Tree) and first.data == "item" and _is_d(first)


def _is_d(item: Tree[Token]) -> bool:
    r"""Tell whether ``item`` is the differential ``d`` or ``\mathrm{d}``."""
    if is_bare(item, "letter", "d"):
        return True
    primary = item.children[0]
    if not isinstance(primary, Tree) or not is_bare(item, "textname"):
        return False
    match = TEXT.fullmatch(str(tokens(primary)[0].value))
    return match is not None and match.group("content").strip() == "d"
