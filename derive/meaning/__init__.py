r"""The meaning stage: what a read document's names are, checked before anything is proved.

Between reading (:mod:`derive.reading.frontmatter`) and proving, every document is checked here
(:func:`check_document`), so that ``check``, ``diff``, ``report``, the API and the pytest
plugin all refuse the same documents, with one line at ``file:line:col``:

- a definition of one element (``p_{2} = x^2``) is refused: a definition names every
  element, with index subscripts;
- definitions that refer to themselves, directly or in a cycle, are refused;
- every name has one type (:mod:`derive.meaning.names`): the number of its subscripts
  and the size of each axis, the same in every use; a bare name beside its entries, an
  index over the wrong range, a sum past its index's range are refused.
"""

from __future__ import annotations

from collections.abc import Iterator

import sympy as sp

from derive import symbols
from derive.errors import DocumentError, Position
from derive.meaning import reach
from derive.meaning.names import Mistake, Names, Type, is_index
from derive.memo import OwnedMemo
from derive.model import Definition, Document
from derive.reading.document import Text
from derive.reading.latex import Scope, locate_use

__all__ = ["Names", "axes_of", "check_document", "check_expression", "names_of"]


def check_document(doc: Document) -> None:
    """Check the meaning of ``doc`` and of each of its parts.

    Raises:
        DocumentError: an element definition, a cycle of definitions, or a use that
            contradicts a name's type, at its place in the file.
    """
    for reading in (doc, *(part.document for part in doc.parts)):
        names_of(reading, claims=reading is doc)


def names_of(doc: Document, *, claims: bool = False) -> Names:
    """The types of ``doc``'s names, from its definitions, assumptions (and claims).

    Raises:
        DocumentError: as :func:`check_document`.
    """
    for definition in doc.definitions.values():
        element_definition(definition)
    cycles(doc)
    names = Names(doc)
    for definition in doc.definitions.values():
        local = {
            p.label if isinstance(p, sp.IndexedBase) else p
            for p in definition.params
            if not is_index(p)
        }
        names.source = (definition.text, definition.position)
        found = first(names, definition.body, local)
        if found is not None:
            raise placed(found, definition.text, definition.position, doc.scope)
    for assumption in doc.assumptions.values():
        names.source = (assumption.text, assumption.position)
        for side in (assumption.lhs, assumption.rhs):
            found = names.check(side)
            if found is not None:
                raise placed(found, assumption.text, assumption.position, doc.scope)
    if claims:
        for claim in doc.claims:
            names.source = (claim.text, claim.position)
            for side in (claim.lhs, claim.rhs):
                found = names.check(side)
                if found is not None:
                    raise placed(found, claim.text, claim.position, doc.scope)
        found = reach.unsized_padding(names)
        if found is not None and found.source is not None:
            raise placed(found, *found.source, doc.scope)
    return names


def check_expression(doc: Document, *exprs: sp.Basic) -> str | None:
    """The message of the first use in ``exprs`` that ``doc``'s types refuse, if any.

    For the body's steps: the types come from the front matter (remembered per
    document), and each step's own new names are its own.
    """
    names = Names(doc)
    names.types = {n: Type(list(t.axes), t.first, t.fixed) for n, t in known_types(doc).items()}
    for expr in exprs:
        mistake = names.check(expr)
        if mistake is not None:
            return mistake.message
    return None


def axes_of(doc: Document) -> dict[str, tuple[str | None, ...]]:
    """The size of each axis of every name (``None`` where no use says)."""
    types = known_types(doc)
    return {name: tuple(t.axes) for name, t in types.items()}


def known_types(doc: Document) -> dict[str, Type]:
    """The types the front matter gives ``doc``'s names (remembered per document)."""
    found = TYPES.get(doc, None)
    if found is None:
        try:
            found = names_of(doc, claims=True).types
        except DocumentError:
            found = {}
        TYPES.put(doc, None, found)
    return found


TYPES: OwnedMemo[Document, None, dict[str, Type]] = OwnedMemo("meaning.TYPES", 64)


def first(names: Names, body: sp.Basic, local: set[sp.Basic]) -> Mistake | None:
    """The first mistake in a definition's body; its parameters are its own names."""
    if not local:
        return names.check(body)
    hidden = {p: sp.Dummy() for p in local if isinstance(p, sp.Symbol)}
    try:
        renamed = body.replace(
            lambda n: isinstance(n, sp.IndexedBase) and n.label in hidden,
            lambda n: sp.IndexedBase(hidden[n.label]),
        ).xreplace(hidden)
    except TypeError:  # a function class among the arguments SymPy cannot walk
        return None  # nothing to say here: the prover says what it cannot evaluate
    return names.check(renamed)


def element_definition(definition: Definition) -> None:
    """A definition with a number among its subscripts is refused."""
    literal = [p for p in definition.params if isinstance(p, sp.Integer)]
    if literal:
        raise DocumentError(
            f"`{definition.name}` is defined for the element {literal[0]} only: a definition "
            f"names every element, with index subscripts such as `{definition.name}_k` "
            "(declared under [indices]); for one value, name it apart, e.g. "
            f"`{definition.name}_k` with a condition, or another name",
            definition.position,
        )


def cycles(doc: Document) -> None:
    """Refuse definitions that refer to themselves, directly or through others."""
    graph = {name: sorted(references(doc, d.body)) for name, d in doc.definitions.items()}
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(name: str, path: list[str]) -> None:
        state[name] = 1
        for used in graph.get(name, []):
            if state.get(used) == 1:
                loop = [*path[path.index(used) :], used] if used in path else [name, used]
                step = recurrence(doc, name) if used == name else None
                if step is not None:
                    raise DocumentError(
                        f"`{name}` is defined by a recurrence (`{step}` in its own "
                        "definition): derive does not unroll recurrences; name the earlier "
                        "state as an input (e.g. `s_{t-1}`) and define one step from it",
                        doc.definitions[used].position,
                    )
                what = (
                    f"`{name}` is defined in terms of itself"
                    if used == name
                    else "the definitions refer to each other in a cycle: "
                    + " → ".join(f"`{n}`" for n in loop)
                )
                raise DocumentError(
                    f"{what}; a definition may use only names defined without it",
                    doc.definitions[used].position,
                )
            if state.get(used) is None:
                visit(used, [*path, used])
        state[name] = 2

    for name in graph:
        if state.get(name) is None:
            visit(name, [name])


def recurrence(doc: Document, name: str) -> str | None:
    """``h_{t-1}`` in ``h_t``'s own definition: an entry of it at an earlier subscript."""
    from derive.meaning.names import shown

    for node in doc.definitions[name].body.atoms(sp.Indexed):
        if symbols.base_name(node) == name and not all(
            isinstance(i, sp.Symbol) for i in node.indices
        ):
            return shown(node)
    return None


def references(doc: Document, body: sp.Basic) -> set[str]:
    """The defined names a definition's body uses (through a loss's argument too)."""
    found: set[str] = set()
    for name in mentioned(body):
        if name in doc.definitions:
            found.add(name)
        decl = doc.functions.get(name)
        if decl is not None and decl.opaque:
            for param in decl.params:
                label = symbols.base_name(param)
                if label is not None and label in doc.definitions:
                    found.add(label)
    return found


def mentioned(node: sp.Basic) -> Iterator[str]:
    """Every name written in ``node``."""
    if isinstance(node, type) or not isinstance(node, sp.Basic):
        return
    name = symbols.base_name(node) if not isinstance(node, sp.Derivative) else None
    if name is not None:
        yield name.rstrip("'")
    if isinstance(node, sp.MatrixSymbol):
        yield str(node.name)
    for arg in node.args:
        yield from mentioned(arg)


def placed(found: Mistake, text: str, start: Position, scope: Scope) -> DocumentError:
    """The error for a mistake in ``text``, at the use's place in the file."""
    if found.source is not None:  # written earlier than the use that showed it wrong
        text, start = found.source
    inner = locate_use(text, scope, found.at)
    where = start if inner is None else Text(text, start).locate(inner.line, inner.col)
    return DocumentError(found.message, where)
