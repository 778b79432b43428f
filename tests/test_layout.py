"""Imports go one way, down the pipeline's stages (STYLE.md: the pipeline is visible in the tree).

From the top: entry points (``derive``, ``cli``, ``api``, ``pytest_plugin``,
``commands/``) → ``presenting/`` → ``checking/`` → ``proving/`` → ``evaluating/`` →
``meaning/`` → ``reading/`` → the shared leaves (``errors``, ``defaults``, ``symbols``,
``model``, ``verdict``, ``printing/``). A module may import its own stage or any stage
below it. ``evaluating/`` is the second opinion the prover asks: it shares no code with
``proving/`` and never imports it.

Every import counts: at the top of a module, inside a function, under ``TYPE_CHECKING``.
"""

from __future__ import annotations

import ast
from pathlib import Path

import derive

PACKAGE = Path(derive.__file__).resolve().parent

ENTRY = "entry points"
# Each stage with its rank: an import must go to a lower rank, or stay in its stage.
RANKS = {
    ENTRY: 7,
    "presenting": 6,
    "checking": 5,
    "proving": 4,
    "evaluating": 3,
    "meaning": 2,
    "reading": 1,
    "shared": 0,
}
TOP = {
    "derive": ENTRY,  # the package itself: the public API, re-exports only
    "derive.__main__": ENTRY,
    "derive.cli": ENTRY,
    "derive.api": ENTRY,
    "derive.pytest_plugin": ENTRY,
    "derive.errors": "shared",
    "derive.defaults": "shared",
    "derive.symbols": "shared",
    "derive.model": "shared",
    "derive.verdict": "shared",  # what a check found: made by proving, read by all above
    "derive.memo": "shared",  # bounded memos, and the one call that clears them all
}
FOLDERS = {
    "commands": ENTRY,
    "presenting": "presenting",
    "checking": "checking",
    "evaluating": "evaluating",
    "proving": "proving",
    "meaning": "meaning",
    "reading": "reading",
    "printing": "shared",
}

# Imports against the order that moving files cannot undo: a module calls, or builds on,
# something a stage above it owns. Each is (importing module, imported module). This list
# only shrinks: an import against the order that is not here fails the test, and so does
# an entry here that no longer happens.
KNOWN_EXCEPTIONS: set[tuple[str, str]] = {
    # A notebook shows a result by calling its class's own `_repr_html_`: the results
    # live in checking, their HTML in presenting. Imported inside the two methods only.
    ("derive.checking.results", "derive.presenting.html.inline"),
}


def module_name(path: Path) -> str:
    """``derive/proving/expand.py`` → ``derive.proving.expand``; a package's ``__init__``."""
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    """Every module of derive, by name."""
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def is_package(name: str) -> bool:
    """Whether ``name`` is a package of derive (a folder with ``__init__.py``)."""
    return (PACKAGE.parent / name.replace(".", "/") / "__init__.py").is_file()


def stage(name: str) -> str:
    """The stage a module of derive belongs to."""
    if name in TOP:
        return TOP[name]
    parts = name.split(".")
    if len(parts) >= 2 and parts[1] in FOLDERS:
        return FOLDERS[parts[1]]
    raise AssertionError(f"{name} belongs to no stage: add it to TOP or put it in a stage")


def imported(name: str, path: Path) -> set[str]:
    """The modules of derive that ``name`` imports, each named as precisely as written."""
    known = modules()
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "derive")
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                here = name if is_package(name) else name.rpartition(".")[0]
                for _ in range(node.level - 1):
                    here = here.rpartition(".")[0]
                base = f"{here}.{base}" if base else here
            if base.split(".")[0] != "derive":
                continue
            for alias in node.names:
                submodule = f"{base}.{alias.name}"
                found.add(submodule if submodule in known else base)
    return found


def against_the_order() -> set[tuple[str, str]]:
    """Every (importer, imported) pair of derive's modules that goes up or across."""
    found = set()
    for name, path in modules().items():
        here = stage(name)
        for target in imported(name, path):
            there = stage(target)
            if here == there:
                continue
            if RANKS[there] >= RANKS[here]:
                found.add((name, target))
    return found


def test_every_module_has_a_stage() -> None:
    """Each module of derive is in one stage (a new top-level module must say which)."""
    for name in modules():
        assert stage(name) in RANKS


def test_imports_go_down_the_stages() -> None:
    """No import goes up the pipeline, or across between evaluating and proving."""
    found = against_the_order()
    unexpected = sorted(found - KNOWN_EXCEPTIONS)
    assert unexpected == [], "imports against the order (importer, imported): " + ", ".join(
        f"{a} -> {b}" for a, b in unexpected
    )
    gone = sorted(KNOWN_EXCEPTIONS - found)
    assert gone == [], "no longer imported: remove from KNOWN_EXCEPTIONS: " + ", ".join(
        f"{a} -> {b}" for a, b in gone
    )


def test_evaluating_shares_no_code_with_proving() -> None:
    """The second opinion imports nothing of the prover (the prover may ask it)."""
    for name, path in modules().items():
        if stage(name) == "evaluating":
            assert not [t for t in imported(name, path) if stage(t) == "proving"], name


# What the prover offers the stages above it: prove_claim and the names it re-exports
# (``derive.proving``), derive diff's derivative (``derive.proving.gradient``), and a
# residual written in the document's names (``derive.proving.residuals``).
PROVER_ENTRIES = {"derive.proving", "derive.proving.gradient", "derive.proving.residuals"}


def test_no_module_outside_the_prover_imports_its_internals() -> None:
    """Above the prover, only its entry points are imported."""
    for name, path in modules().items():
        if stage(name) != "proving":
            inside = {t for t in imported(name, path) if stage(t) == "proving"}
            assert inside <= PROVER_ENTRIES, f"{name} imports {sorted(inside - PROVER_ENTRIES)}"


# How a verdict is said: each of these opens a verdict's words somewhere in derive.
VERDICT_WORDS = ("proved for ", "verified ", "refuted: ", "holds under ", "not understood: ")
WORDS = "derive.presenting.words"


def test_one_module_words_verdicts() -> None:
    """The words a verdict is said in are written in one module, presenting/words.py."""
    for name, path in modules().items():
        if name == WORDS:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                said = [w for w in VERDICT_WORDS if node.value.lower().startswith(w)]
                assert not said, f"{name}:{node.lineno} words a verdict: {node.value!r}"


def test_the_top_level_stays_small() -> None:
    """Only the entry points and the shared leaves are modules at the top of derive."""
    top = {f"derive.{path.stem}" for path in PACKAGE.glob("*.py") if path.stem != "__init__"}
    assert top == set(TOP) - {"derive"}
