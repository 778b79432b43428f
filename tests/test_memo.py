"""derive's memos: each bounded, served to its own document only, all cleared by one call.

And a verdict is remembered under the time limit it was reached under.
"""

from __future__ import annotations

import ast
import gc
import weakref
from collections.abc import Sequence
from pathlib import Path

import pytest

import derive
from derive import api, memo, proving
from derive.memo import Memo, OwnedMemo
from derive.model import Claim, Document
from derive.proving import prove_claim
from derive.proving.limits import limit_in_force, time_limit
from derive.verdict import Verdict

# Every memo derive keeps (what `derive.memo.clear` must reach).
EXPECTED = {
    "expand.MEANINGS",
    "expand.LEFT_FREE",
    "proving.DECIDED",
    "folding.NORMALS",
    "meaning.TYPES",
    "opinion.LONGEST",
    "evaluate.RELEVANT",
    "evaluate.SORTED",
    "evaluate.EXPONENTS",
    "evaluate.SKIPPING",
    "arithmetic.PRIMES",
    "body.READINGS",
}
# Module-level tables that are deliberately not memos (each says why where it is defined).
EXEMPT = {
    ("derive.symbols", "_UNDEFINED"),  # a registry: its classes make names equal
    ("derive.reading.latex.parser", "parser"),  # built once per process, from no input
    ("derive.checking.store", "code_fingerprint"),  # the code running, once per process
}


class Owner:
    """A stand-in for a document: compared by identity, and weakly referable."""


def test_the_first_entry_put_in_is_forgotten_past_the_bound() -> None:
    m: Memo[int, str] = Memo("test.bound", 3)
    for n in range(5):
        m[n] = str(n)
    assert list(m) == [2, 3, 4]
    m[3] = "again"  # a key already there takes no room
    assert list(m) == [2, 3, 4]
    m.setdefault(5, "5")
    m.update({6: "6"})
    m |= {7: "7"}
    assert list(m) == [5, 6, 7]
    assert len(m) == m.bound


def test_an_owned_memo_is_bounded_over_all_owners() -> None:
    m: OwnedMemo[Owner, str, int] = OwnedMemo("test.owned-bound", 2)
    owners = [Owner() for _ in range(3)]
    for n, owner in enumerate(owners):
        m.put(owner, "k", n)
    assert len(m) == 2
    assert m.get(owners[0], "k") is None
    assert [m.get(o, "k") for o in owners[1:]] == [1, 2]


def test_a_new_owner_with_an_old_owners_id_is_not_served_its_value() -> None:
    m: OwnedMemo[Owner, str, str] = OwnedMemo("test.identity", 8)
    old, new = Owner(), Owner()
    m.put(old, "k", "old's")
    # As if `old` were gone and `new` had been made at its address: the entry under
    # new's id still refers to old.
    m.entries[(id(new), "k")] = (weakref.ref(old), "old's")
    assert m.get(new, "k") is None
    assert m.get(old, "k") == "old's"
    # And for real, where CPython hands a freed address out again.
    for _ in range(50):
        owner = Owner()
        m.put(owner, "k", "stale")
        address = id(owner)
        del owner
        fresh = Owner()
        if id(fresh) == address:
            assert m.get(fresh, "k") is None
        m.put(fresh, "k", "fresh")
        assert m.get(fresh, "k") == "fresh"


def test_an_owned_memo_keeps_no_owner_alive() -> None:
    m: OwnedMemo[Owner, str, int] = OwnedMemo("test.alive", 4)
    owner = Owner()
    m.put(owner, "k", 1)
    gone = weakref.ref(owner)
    del owner
    gc.collect()
    assert gone() is None


def test_one_call_empties_every_memo_derive_keeps() -> None:
    api.check(api.load("seed-004"))  # a document whose check uses every memo
    registered = {m.name: m for m in memo.memos()}
    assert EXPECTED <= set(registered)
    assert len(registered) == len(memo.memos())  # no two memos share a name
    assert [name for name in sorted(EXPECTED) if not registered[name]] == []
    memo.clear()
    assert [m.name for m in memo.memos() if m] == []


def test_no_module_keeps_a_memo_of_its_own() -> None:
    """A module-level ``{}`` or ``functools.cache`` outside derive.memo is a memo it misses."""
    package = Path(derive.__file__).resolve().parent
    found = set()
    for path in package.rglob("*.py"):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        if module == "derive.memo":  # the facility itself: its registry of memos
            continue
        for node in ast.parse(path.read_text("utf-8")).body:
            if isinstance(node, ast.Assign | ast.AnnAssign) and is_empty_table(node.value):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                found |= {(module, t.id) for t in targets if isinstance(t, ast.Name)}
            if isinstance(node, ast.FunctionDef) and any(map(is_cache, node.decorator_list)):
                found.add((module, node.name))
    assert found == EXEMPT


def is_empty_table(value: ast.expr | None) -> bool:
    """``{}``, ``dict()``, ``set()``, ``[]``: a table that is filled as the program runs."""
    if isinstance(value, ast.Dict | ast.List | ast.Set):
        return not (getattr(value, "keys", None) or getattr(value, "elts", None))
    return (
        isinstance(value, ast.Call)
        and isinstance(value.func, ast.Name)
        and value.func.id in {"dict", "set", "list", "OrderedDict"}
        and not value.args
    )


def is_cache(decorator: ast.expr) -> bool:
    """``@cache``, ``@functools.cache``, ``@lru_cache(...)`` and the like."""
    if isinstance(decorator, ast.Call):
        decorator = decorator.func
    name = decorator.attr if isinstance(decorator, ast.Attribute) else getattr(decorator, "id", "")
    return name in {"cache", "lru_cache", "cached_property"}


def test_the_time_limit_in_force_is_known_inside_it() -> None:
    assert limit_in_force() is None
    with time_limit(30):
        assert limit_in_force() == 30
    with time_limit(None):
        assert limit_in_force() is None
    assert limit_in_force() is None


def test_a_verdict_is_remembered_under_its_time_limit_only(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    worked: list[float | None] = []

    def afresh(doc: Document, claim: Claim, sizes: Sequence[int], assume: object) -> Verdict:
        worked.append(limit_in_force())
        return Verdict("proved")

    monkeypatch.setattr(proving, "decide_afresh", afresh)
    doc = api.load("softmax")
    claim = doc.claim("jacobian")
    memo.clear()
    for seconds in (30, 30, 60, None, 30, None):
        with time_limit(seconds):
            assert proving.decide(doc, claim, (1, 2), ()).status == "proved"
    assert worked == [30, 60, None]


def test_a_verdict_reached_under_a_long_limit_is_not_served_under_a_short_one() -> None:
    """Under 5 ms this claim runs out of time; a proof found under 60 s is not its answer.

    (The reverse needs no memo: a check that runs out of time leaves nothing remembered.)
    """
    doc = api.load("softmax-bce")
    claim = doc.claim("one-sample")  # about 100 ms, even with its meaning remembered
    memo.clear()
    assert prove_claim(doc, claim, timeout=60).status == "proved"
    short = prove_claim(doc, claim, timeout=0.005)
    assert (short.status, short.timed_out) == ("undecided", True)
    assert prove_claim(doc, claim, timeout=60).status == "proved"  # remembered, at 60 s
