"""Wrong variants of every true catalogue claim are refuted, with a counterexample.

The test command checks 5 mutants of each claim, in a fixed order; CI (``.ci/run``) and
`make soundness` check all of them (``DERIVE_ALL_MUTANTS=1``).
"""

import os
from dataclasses import replace

import pytest
import sympy as sp

from derive import symbols
from derive.model import Claim, Document
from derive.proving import prove_claim
from derive.proving.expand import entrywise
from tests import catalogue
from tests.numeric import differs_at, holds_numerically

DOCS = {name: catalogue.document(name) for name in catalogue.NAMES}
TRUE = [(name, c.name) for name, doc in DOCS.items() for c in doc.claims if c.expect == "proved"]


def mutants(doc: Document, claim: Claim) -> dict[str, Claim]:
    """Wrong variants of ``claim``, by name.

    Sign flip, swapped index (a transposed matrix, in index form), dropped term, wrong
    coefficient, off by one or by K, K − 1 for K, wrong exponent, missing assumption,
    and some of the same on the left side.
    """
    lhs, rhs = claim.lhs, claim.rhs
    free = sorted(
        symbols.free_symbols(lhs - rhs) & {symbols.index(i) for i in doc.indices}, key=str
    )
    others = [symbols.index(i) for i in doc.indices if symbols.index(i) not in free]
    size = symbols.size(next(iter(doc.sizes)))
    out = {
        "sign": (lhs, -rhs),
        "coefficient": (lhs, 2 * rhs),
        "plus-one": (lhs, rhs + 1),
        "minus-one": (lhs, rhs - 1),
        "size": (lhs, rhs * size if rhs != 0 else size),
        "exponent": (lhs, rhs**2),
        "lhs-sign": (-lhs, rhs),
        "lhs-plus-one": (lhs + 1, rhs),
        "lhs-coefficient": (2 * lhs, rhs),
    }
    if free and (len(free) >= 2 or others):
        swap = {free[0]: free[1], free[1]: free[0]} if len(free) >= 2 else {free[0]: others[0]}
        out["swap"] = (lhs, rhs.xreplace(swap))
    if isinstance(rhs, sp.Add):
        out["drop-term"] = (lhs, sp.Add(*rhs.args[1:]))
    elif isinstance(rhs, sp.Mul) and len(rhs.args) > 1:
        out["drop-factor"] = (lhs, sp.Mul(*rhs.args[1:]))
    if isinstance(lhs, sp.Sum):
        out["lhs-drop-sum"] = (lhs.function, rhs)
    if rhs.has(size):
        out["size-minus-one"] = (lhs, rhs.xreplace({size: size - 1}))
    variants, seen = {}, set()
    for name, (left, right) in out.items():
        if (left, right) not in seen:
            seen.add((left, right))
            variants[name] = replace(claim, lhs=left, rhs=right)
    if claim.assume:
        variants["no-assumption"] = replace(claim, assume=())
    return variants


@pytest.mark.parametrize(("doc", "claim"), TRUE)
def test_mutants_are_refuted(doc: str, claim: str) -> None:
    """At least five mutants per true claim, each refuted with evidence.

    A mutant derive does not refute must be one that still holds (checked independently,
    numerically), and is left out. Each counterexample is evaluated again,
    independently, with SymPy at 50 digits.
    """
    document = DOCS[doc]
    original = document.claim(claim)
    lhs, rhs = entrywise(original, document)  # matrix claims: mutate one entry
    original = replace(original, lhs=lhs, rhs=rhs)
    checked = 0
    enough = None if os.environ.get("DERIVE_ALL_MUTANTS") else 5  # 5 each, in a fixed order
    for name, mutant in mutants(document, original).items():
        if enough is not None and checked >= enough:
            break
        verdict = prove_claim(document, mutant, timeout=30)  # soundness here; speed in bench
        if verdict.status != "refuted":
            assert holds_numerically(document, mutant, seed="mutant"), (name, verdict)
            continue
        assert verdict.counterexample is not None
        # the counterexample, evaluated again by SymPy at 50 digits, really separates the sides
        assert differs_at(document, mutant, verdict.counterexample) is True, name
        checked += 1
    assert checked >= 5


def test_corpus_size() -> None:
    """Over the catalogue, at least 300 mutants are generated (each checked above)."""
    total = 0
    for doc, claim in TRUE:
        document = DOCS[doc]
        original = document.claim(claim)
        lhs, rhs = entrywise(original, document)
        total += len(mutants(document, replace(original, lhs=lhs, rhs=rhs)))
    assert total >= 300, total
