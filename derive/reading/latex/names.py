r"""Names as written (``y_k``, ``w^{(L)}_{ij}``, ``\hat{y}``, ``\text{soft}``) and their symbols.

A name's *key* is the string the rest of derive uses for it: the base as written
(``"y"``, ``r"\gamma"``, ``r"\hat{y}"``, ``r"\text{soft}"`` for both ``\text`` and
``\operatorname``), then any primes (``"y'"``), then any layer tag (``"z^{(2)}"``).
A ``\mathbf{z}`` is the whole vector ``z``: key ``"z"``, value ``tensor("z")``.

A pre-superscript is a sample index that comes first: ``{}^r y_t`` is ``y[r, t]``, and
``{}^r \mathbf{z}`` the whole vector of sample r, ``VectorView(z, (r,), ())``. A
subscript ``_{\neq t}`` leaves out a component: ``\mathbf{z}_{\neq t}`` is
``VectorView(z, (), (t,))``. A name in ``Scope.shapes`` written without a subscript is
a ``MatrixSymbol``; with one it is an element that takes one index per dimension that
is not 1.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import partial

import sympy as sp
from lark import Token, Tree

from derive import symbols
from derive.errors import LatexError, UnknownNameError
from derive.model import Scope
from derive.reading.latex import affine, shapes
from derive.reading.latex.nodes import Node, only_item, position, source, tokens

NAME_KINDS = frozenset({"letter", "greek", "accent", "bold", "textname", "cal"})
CAL_LETTER = re.compile(r"([a-zA-Z])\s*\}?$")
TEXT = re.compile(r"\\(?P<command>[a-zA-Z]+\*?)\s*\{(?P<content>[^{}]*)\}")
PLAIN_NAME = re.compile(r"[A-Za-z][A-Za-z0-9]*")
DELTA = r"\delta"
NEQ = frozenset({r"\ne", r"\neq"})
WIDE = {r"\overline": r"\bar", r"\widehat": r"\hat", r"\widetilde": r"\tilde"}


@dataclass(frozen=True)
class Name:
    r"""One written name with its scripts sorted out.

    Attributes:
        key: The name's key, e.g. ``"z^{(2)}"``.
        kind: The primary it was written with (``letter``, ``greek``, ``accent``,
            ``bold`` or ``textname``).
        indices: The subscript as index symbols and integers; None without a subscript.
        power: The superscript tree when it is a power rather than a layer tag.
        item: The whole ``item`` tree (or ``prefixed`` tree), for positions and messages.
        prefix: The indices of a pre-superscript ``{}^r``; empty without one.
        exclude: The indices of a subscript ``_{\neq t}``; None without one.
        sub: The subscript tree, for positions.
    """

    key: str
    kind: str
    indices: tuple[sp.Basic, ...] | None
    power: Tree[Token] | None
    item: Tree[Token]
    prefix: tuple[sp.Basic, ...] = ()
    exclude: tuple[sp.Basic, ...] | None = None
    sub: Tree[Token] | None = None


def is_name(item: Tree[Token]) -> bool:
    """Tell whether an ``item`` tree is a name (possibly with scripts)."""
    primary = item.children[0]
    return isinstance(primary, Tree) and primary.data in NAME_KINDS


def text_content(token: Token) -> str:
    r"""Return the plain name inside ``\text{...}``, or raise if it is not one."""
    if str(token.value) == "\\det":  # `\det` is `\operatorname{det}`
        return "det"
    match = TEXT.fullmatch(str(token.value))
    content = match.group("content").strip() if match else ""
    if not PLAIN_NAME.fullmatch(content):
        raise LatexError(
            f"unsupported text `{token.value}`: only a name such as `\\text{{soft}}` can be "
            "written in `\\text{}`; put prose outside the expression",
            position(token),
        )
    return content


def read_name(
    text: str,
    scope: Scope,
    item: Tree[Token],
    prefixed: Tree[Token] | None = None,
    *,
    parameter: bool = False,
) -> Name:
    r"""Read a name ``item``: its key, subscript indices and any power.

    A subscript that is one letter and no declared index, ``h_\theta``, is part of the
    name (key ``h_{\theta}``) when that name is a declared or defined function.

    Args:
        text: The source, for messages.
        scope: The declared indices.
        item: The ``item`` tree of the name.
        prefixed: The ``prefixed`` tree around ``item`` when it has a ``{}^r``.
        parameter: Take such a subscript as part of the name whatever the scope says
            (the head of a function's definition, ``h_\theta(x)``).

    Raises:
        LatexError: Doubled scripts, or a subscript that is not a list of indices.
        UnknownNameError: A subscript letter is not a declared index or size.
    """
    primary, *scripts = item.children
    assert isinstance(primary, Tree)
    kind, key = _base(primary)
    owner = item if prefixed is None else prefixed
    subs = [s for s in scripts if isinstance(s, Tree) and s.data in ("sub", "without")]
    sups = [s for s in scripts if isinstance(s, Tree) and s.data == "sup"]
    primes = sum(1 for s in scripts if isinstance(s, Token))
    _no_condition(text, scripts, item)
    if len(subs) > 1:
        raise LatexError(f"double subscript in `{source(text, item)}`", position(subs[1]))
    if len(sups) > 1:
        raise LatexError(f"double superscript in `{source(text, item)}`", position(sups[1]))
    sub = subs[0] if subs else None
    label = _parameter(scope, key, sub, parameter)
    if label is not None:
        key, sub = label, None
    key += "'" * primes + _star(text, scripts, sups, item)
    power = sups[0] if sups else None
    is_euler = kind == "letter" and key == "e"
    tag = None if power is None or is_euler else _layer_tag(text, power)
    if tag is not None:
        _not_a_sample(text, scope, item, tag)
        key, power = f"{key}^{{{tag}}}", None
    if power is not None and f"{key}^{{{script_key(text, power)}}}" in scope.names:
        key, power = f"{key}^{{{script_key(text, power)}}}", None  # `\sigma^2`, declared
    indices = None if sub is None or sub.data != "sub" else read_indices(text, scope, sub, owner)
    if indices and prefixed is None and literal_key(key, indices) in scope.names:
        key, indices = literal_key(key, indices), None  # `h_1`, defined one by one
    elif indices and any(n.startswith(f"{key}_{{") for n in scope.names):
        raise LatexError(
            f"`{source(text, item)}`: the front matter defines `{key}` one subscript at a time "
            f"(as `{min(n for n in scope.names if n.startswith(f'{key}_{{'))}`), but not this "
            "one: define it too, or name the vector otherwise",
            position(item),
        )
    exclude = None if sub is None or sub.data != "without" else _excluded(text, scope, sub, owner)
    prefix = () if prefixed is None else read_indices(text, scope, _presup(prefixed), owner)
    return Name(key, kind, indices, power, owner, prefix, exclude, sub)


def literal_key(key: str, indices: tuple[sp.Basic, ...]) -> str:
    """The key of a name written with numbers as its subscript, ``h_{1}`` or ``w_{1,2}``.

    Notes define ``h_1``, ``h_2``, ``h_3`` one by one: each is a name of its own (not an
    element of a vector ``h``) when the front matter defines it so.
    """
    if not indices or not all(isinstance(i, sp.Integer) for i in indices):
        return ""
    return f"{key}_{{{','.join(str(i) for i in indices)}}}"


def _parameter(scope: Scope, key: str, sub: Tree[Token] | None, anyway: bool) -> str | None:
    r"""The key ``h_{\theta}`` of a function named with a parameter subscript, or None."""
    if sub is None or sub.data != "sub" or len(sub.children) != 1:
        return None
    part = sub.children[0]
    item = only_item(part) if isinstance(part, Tree) else None
    if item is not None and len(item.children) == 1 and isinstance(item.children[0], Tree):
        part = item.children[0]
        if part.data in ("letter", "greek"):
            part = tokens(part)[0]
    if not isinstance(part, Token) or part.type not in ("LETTER", "GREEK"):
        return None
    letter = str(part.value)
    if letter in scope.indices or letter in scope.sizes:
        return None
    label = f"{key}_{{{letter}}}"
    return label if anyway or label in scope.functions else None


def _no_condition(text: str, scripts: list[Node], item: Tree[Token]) -> None:
    r"""Refuse a condition subscript ``_{k = j}`` on a name: only ``\mathbb{1}`` takes one."""
    for script in scripts:
        if isinstance(script, Tree) and script.data == "condition":
            raise LatexError(
                f"unsupported condition subscript on `{source(text, item.children[0])}`: "
                r"an indicator is written `\mathbb{1}_{k = j}` or `1\{k = j\}`",
                position(script),
            )


def _star(text: str, scripts: list[Node], sups: list[Tree[Token]], item: Tree[Token]) -> str:
    r"""Return ``"^*"`` for a name written ``t^*`` (a name of its own), else ``""``."""
    stars = [s for s in scripts if isinstance(s, Tree) and s.data == "star"]
    if not stars:
        return ""
    mark = tokens(stars[0])[0]
    if mark.value != "*" or len(stars) > 1 or sups:
        raise LatexError(
            f"unsupported superscript in `{source(text, item)}`: `^*` names a quantity "
            "of its own, as in `t^*`, and takes no other superscript",
            position(stars[-1] if mark.value == "*" else mark),
        )
    return "^*"


def _presup(prefixed: Tree[Token]) -> Tree[Token]:
    presup = prefixed.children[0]
    assert isinstance(presup, Tree)
    return presup


def _excluded(
    text: str, scope: Scope, without: Tree[Token], owner: Tree[Token]
) -> tuple[sp.Basic, ...]:
    relation = without.children[0]
    assert isinstance(relation, Token)
    if relation.value not in NEQ and not relation.value.startswith(r"\not"):
        raise LatexError(
            f"unsupported subscript `{relation.value}` in `{source(text, owner)}`: write "
            "`_{\\neq t}` for the vector without component t",
            position(relation),
        )
    return _indices_of(text, scope, without.children[1:], source(text, owner))


def name_value(name: Name, scope: Scope, *, check: bool = True) -> sp.Expr:
    r"""Return the SymPy value of a name, without its power.

    Args:
        name: The name as read by :func:`read_name`.
        scope: What the document declares.
        check: Require ``\text`` names to be defined (off for a definition's own head).

    Raises:
        LatexError: ``\delta`` with other than two indices.
        UnknownNameError: An undefined ``\text`` name.
    """
    if name.kind == "textname" and check:
        if name.key not in scope.names and name.key not in scope.functions:
            raise UnknownNameError(
                f"unknown name `{name.key}`: define it under [definitions] "
                "or declare it under [functions]",
                position(name.item),
            )
    if name.key == DELTA and (name.indices is not None or name.prefix):
        if len(name.indices or ()) != 2 or name.prefix:
            raise LatexError(
                "the Kronecker delta takes two indices, e.g. `\\delta_{kj}`",
                position(name.item),
            )
        return sp.KroneckerDelta(*(name.indices or ()))
    if name.exclude is not None:
        return symbols.VectorView(symbols.tensor(name.key), name.prefix, name.exclude)
    if name.indices is not None:
        _check_count(name, scope)
        return symbols.tensor(name.key)[name.prefix + name.indices]
    if name.prefix and (name.kind == "bold" or name.key in scope.shapes):
        return symbols.VectorView(symbols.tensor(name.key), name.prefix, ())
    if name.prefix:
        return symbols.tensor(name.key)[name.prefix]
    if name.kind == "bold" and name.key not in scope.shapes:
        return symbols.tensor(name.key)
    return simple_value(name.key, scope)


def _check_count(name: Name, scope: Scope) -> None:
    """A shaped name's element takes one index per dimension that is not 1."""
    if name.key not in scope.shapes or name.indices is None:
        return
    wanted = shapes.indices_wanted(name.key, scope)
    if len(name.indices) != wanted:
        rows, cols = scope.shapes[name.key]
        what = {0: "no index", 1: "one index", 2: "two indices"}[wanted]
        where: Node = name.item if name.sub is None else name.sub
        raise LatexError(f"`{name.key}` is {rows} x {cols}: write {what}", position(where))


def simple_value(key: str, scope: Scope) -> sp.Expr:
    """Return the value of an unscripted name: a constant, size, index or scalar."""
    if key == "e":
        return sp.E
    if key == r"\pi":
        return sp.pi
    if key in scope.sizes:
        return symbols.size(key)
    if key in scope.indices:
        return symbols.index(key)
    if key in scope.shapes:
        return shapes.matrix(key, scope)
    return symbols.scalar(key)


def read_indices(
    text: str, scope: Scope, sub: Tree[Token], owner: Tree[Token]
) -> tuple[sp.Basic, ...]:
    """Return the indices of a subscript: ``_k``, ``_{ij}``, ``_{i,j}``, ``_{10}``, ``_{t'}``.

    Raises:
        LatexError: The subscript holds anything but index letters and integers.
        UnknownNameError: A letter is not a declared index (or size).
    """
    return _indices_of(text, scope, sub.children, source(text, owner))


def _indices_of(
    text: str, scope: Scope, children: list[Tree[Token] | Token], written: str
) -> tuple[sp.Basic, ...]:
    found: list[sp.Basic] = []
    for child in children:
        if isinstance(child, Token):
            if child.type == "NUMBER" and len(child.value) > 1:
                raise LatexError(
                    f"ambiguous subscript in `{written}`: LaTeX reads `_{child.value}` as "
                    f"`_{child.value[0]}` followed by `{child.value[1:]}`; write "
                    f"`_{{{child.value}}}`",
                    position(child),
                )
            found.append(_index(child, str(child.value), scope, written))
            continue
        if affine.is_arithmetic(child):
            index_of = partial(_index, scope=scope, written=written)
            found.append(affine.read_affine(text, child, index_of, written))
            continue
        parts = child.children if child.data == "product" else [child]
        for part in parts:
            found.append(_subscript_part(text, scope, part, written))
    return tuple(found)


def _subscript_part(text: str, scope: Scope, part: Tree[Token] | Token, written: str) -> sp.Basic:
    if isinstance(part, Tree) and part.data == "item":
        primary, *scripts = part.children
        assert isinstance(primary, Tree)
        primes = all(isinstance(s, Token) for s in scripts)
        token = tokens(primary)[0] if tokens(primary) else None
        if token is not None and primary.data in ("letter", "greek") and primes:
            return _index(token, str(token.value) + "'" * len(scripts), scope, written)
        if token is not None and primary.data == "number" and not scripts:
            if "." not in token.value:
                return sp.Integer(int(token.value))
    raise LatexError(
        f"unsupported subscript `{source(text, part)}` in `{written}`: a subscript lists "
        "indices, integers or sums of them, e.g. `w_{ij}`, `w_{i,j}`, `z_{10}` or `x_{i+k-1}`",
        position(part),
    )


def _index(token: Token, key: str, scope: Scope, written: str) -> sp.Basic:
    if token.type == "NUMBER":
        return sp.Integer(int(token.value))
    if key in scope.indices:
        return symbols.index(key)
    if key in scope.sizes:
        return symbols.size(key)
    raise UnknownNameError(
        f"undefined index `{key}` in `{written}`: declare it under [indices]", position(token)
    )


def _base(primary: Tree[Token]) -> tuple[str, str]:
    parts = [str(t.value) for t in tokens(primary)]
    if primary.data == "accent":
        accent = WIDE.get(parts[0], parts[0])  # `\overline{x}` is `\bar{x}`, as printed
        return "accent", f"{accent}{{{parts[1]}}}"
    if primary.data == "bold":
        return "bold", parts[1]
    if primary.data == "cal":  # `{\cal C}` is `\mathcal{C}`
        letter = CAL_LETTER.search(parts[0])
        assert letter is not None
        return "accent", f"\\mathcal{{{letter.group(1)}}}"

    if primary.data == "textname":
        content = text_content(tokens(primary)[0])
        if content == "e" and not parts[0].startswith(("\\text{", "\\operatorname")):
            return "letter", "e"
        return "textname", f"\\text{{{content}}}"
    return str(primary.data), parts[0]


def _not_a_sample(text: str, scope: Scope, item: Tree[Token], tag: str) -> None:
    r"""Refuse ``x^{(i)}`` with ``i`` an index: the i-th sample, not a layer tag.

    As a tag, every ``x^{(i)}`` of a sum over ``i`` would be one and the same name.

    Raises:
        LatexError: the tag is an index of the scope.
    """
    letter = tag[1:-1]
    if letter in scope.indices:
        raise LatexError(
            f"`{source(text, item)}`: `{letter}` is an index, so this is the {letter}-th "
            f"sample, which derive does not read in a superscript (it would be one name for "
            f"every `{letter}`); write the sample as a subscript, e.g. `x_{{{letter}}}`",
            position(item),
        )


def _layer_tag(text: str, sup: Tree[Token]) -> str | None:
    r"""Return the tag of ``^{(L-1)}`` or ``^{[l]}`` as written (spaces dropped), or None.

    The tag keeps its parentheses or brackets: ``(L-1)``, ``[l]``. A superscript in
    brackets is a layer tag as in ``a^{[l]}``, never a power.
    """
    inner = sup.children[0]
    item = only_item(inner)
    if item is None or len(item.children) != 1:
        return None
    paren = item.children[0]
    if not isinstance(paren, Tree) or len(paren.children) != 1:
        return None
    bracket = paren.data == "group" and source(text, paren).lstrip().startswith(("[", "\\left["))
    if paren.data != "paren" and not bracket:
        return None
    tag = _compact(source(text, paren.children[0]))
    return f"[{tag}]" if bracket else f"({tag})"


def script_key(text: str, sup: Tree[Token]) -> str:
    r"""A superscript as written, spaces dropped, for a name such as ``\sigma^{2}``."""
    return _compact(source(text, sup.children[0]))


def _compact(written: str) -> str:
    """Drop spaces, keeping one only where dropping it would glue a command to a letter."""
    return re.sub(r"\s+", lambda m: " " if _glues(written, m) else "", written)


def _glues(written: str, match: re.Match[str]) -> bool:
    before = re.search(r"\\[a-zA-Z]+$", written[: match.start()])
    return before is not None and written[match.end() : match.end() + 1].isalpha()
