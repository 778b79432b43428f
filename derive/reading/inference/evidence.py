"""What the body's math says of its names: sums' ranges, subscripts, distributions."""

from __future__ import annotations

from dataclasses import dataclass, field

from lark import Token, Tree

from derive.reading.inference.trees import (
    LAYERISH,
    axis_letters,
    names_in,
    plain_name,
    script,
    single_index,
    sub_letters,
    subs_in,
    tokens_in,
)

LOGS = frozenset({"log", "func", "word"})
BINDERS = frozenset({"sum", "prod", "bigmax"})  # `\\sum_k`, `\\prod_k`, `\\max_k` bind `k`


# the letters notes give a distribution (targets, probabilities) that sums to one
DISTRIBUTIONS = frozenset({"t", "y", "p", "q"})


@dataclass
class Evidence:
    """What the body's math says of its names, gathered side by side."""

    ranges: dict[str, list[str | int]] = field(default_factory=dict)  # index -> sums' limits
    axes: dict[tuple[str, int], set[str]] = field(default_factory=dict)  # (name, axis) -> letters
    summed: set[str] = field(default_factory=set)  # names summed or weighting a logarithm
    bound: set[str] = field(default_factory=set)  # every letter a sum binds
    tagged: set[str] = field(default_factory=set)  # `a^L_j`: a layer written as a superscript
    written: set[str] = field(default_factory=set)  # every letter and name the body writes


def gather(tree: Tree[Token], text: str, evidence: Evidence) -> None:
    """Record the sums' ranges, each name's subscripts, and what is summed or weighted."""
    evidence.written |= {str(t) for t in tokens_in(tree) if t.type == "LETTER"}
    evidence.written |= names_in(tree, text)
    for node in tree.iter_subtrees():
        if node.data in BINDERS:
            bounds(node, evidence)
        elif node.data == "item":
            subscripts(node, evidence, text)
        elif node.data == "product":
            weights(node, evidence)


def bounds(node: Tree[Token], evidence: Evidence) -> None:
    r"""``\\sum_{k=1}^{K}``: ``k`` ranges over ``K``; ``\\sum_k`` binds ``k`` (range unknown)."""
    parts = [c for c in node.children[1:-1] if isinstance(c, Tree)]
    lower = next((p for p in parts if p.data == "lower"), None)
    upper = next((p for p in parts if p.data == "upper"), None)
    if lower is None:
        return
    letters = [str(c) for c in lower.children if isinstance(c, Token)]
    for cond in (c for c in lower.children if isinstance(c, Tree)):
        ivars = [v for v in cond.children if isinstance(v, Tree) and v.data == "ivar"]
        ivar = cond.children[0] if cond.data == "cond" else next(iter(ivars), None)
        if isinstance(ivar, Tree) and len(ivar.children) == 1:
            letters.append(str(ivar.children[0]))
    evidence.bound.update(letters)
    top = None if upper is None else list(tokens_in(upper))
    top = span_top(lower) if top is None else top
    if top is None or len(top) != 1 or len(letters) != 1:
        return
    (token,) = top
    if token.type == "LETTER" and token.value.isupper():
        evidence.ranges.setdefault(letters[0], []).append(str(token.value))
    elif token.type == "NUMBER" and token.value.isdigit():
        evidence.ranges.setdefault(letters[0], []).append(int(token.value))
    body = node.children[-1]  # `\sum_k t_k`: a vector summed alone
    factors = body.children if isinstance(body, Tree) and body.data == "product" else []
    if len(factors) == 1 and isinstance(factors[0], Tree) and factors[0].data == "item":
        name = plain_name(factors[0])
        if name == "t" and single_index(factors[0]) == letters[0]:
            evidence.summed.add(name)  # targets, by the usual letter


def span_top(lower: Tree[Token]) -> list[Token] | None:
    r"""``\\max_{1 \\le k \\le K}``: the tokens of ``K``, the span's upper end from 1."""
    spans = [c for c in lower.children if isinstance(c, Tree) and c.data == "span"]
    if len(spans) != 1 or len(spans[0].children) != 5:
        return None
    first, low, _, high, last = spans[0].children
    ops = {str(low), str(high)}
    if not isinstance(first, Token) or str(first) != "1" or not ops <= {r"\le", r"\leq"}:
        return None
    return list(tokens_in(last)) if isinstance(last, Tree) else None


def subscripts(item: Tree[Token], evidence: Evidence, text: str) -> None:
    """Each subscript letter of a name, by axis: ``w_{ij}`` puts ``i`` on axis 0.

    A subscripted name with a superscript that reads as a layer, ``a^L_j`` or
    ``a^{L-1}_k``, is a name of its own: the superscript is part of it.
    """
    name = plain_name(item)
    if name is None:
        return
    sups = [s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sup"]
    has_sub = any(isinstance(s, Tree) and s.data == "sub" for s in item.children[1:])
    if has_sub and len(sups) == 1 and LAYERISH.fullmatch(script(text, sups[0])):
        name = f"{name}^{{{script(text, sups[0])}}}"
        evidence.tagged.add(name)
    for sub in (s for s in item.children[1:] if isinstance(s, Tree) and s.data == "sub"):
        letters = axis_letters(sub)
        for axis, letter in enumerate(letters):
            if letter is not None:
                kronecker = name == r"\delta" and not sups  # `\delta_{ik}`: i, k alike
                evidence.axes.setdefault((name, 0 if kronecker else axis), set()).add(letter)


def weights(product: Tree[Token], evidence: Evidence) -> None:
    r"""``t_k \\ln y_k``: a vector weighting a logarithm is a candidate to sum to one."""
    kinds = [
        c.children[0].data
        for c in product.children
        if isinstance(c, Tree) and c.data == "item" and isinstance(c.children[0], Tree)
    ]
    if not any(k in LOGS for k in kinds):
        return
    for item in (c for c in product.children if isinstance(c, Tree) and c.data == "item"):
        name = plain_name(item)
        if name in DISTRIBUTIONS and single_index(item) is not None:
            evidence.summed.add(name)  # `t_k \ln y_k`: targets; `n_k \ln p_k` counts: not


def free_letters(tree: Tree[Token]) -> set[str | None]:
    """The index letters of ``tree``'s subscripts that no sum in it binds."""
    bound = Evidence()
    for node in tree.iter_subtrees():
        if node.data in BINDERS:
            bounds(node, bound)
    letters = set().union(*(sub_letters(s) for s in subs_in(tree)))
    return {x for x in letters if x is None or x not in bound.bound}
