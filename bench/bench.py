"""Benchmark: derive against the naive route, side by side in one run (`make bench`).

Prints four tables, medians of several runs:

1. per catalogue claim: derive's all-K proof; derive's concrete-K check (exact
   evaluation mod p) at K = 2, 5, 10, 50; and the naive route,
   ``sympy.simplify(left − right) == 0`` on the claim written out at the same K, with a
   time cap; the ratio naive / derive at each K;
2. the whole catalogue, process start to exit, against ``python -c "import sympy"``:
   every document checked (one worker, then one per CPU), and every document unchanged;
3. how the concrete-K check grows with K (10, 50, 100, 200), with the fitted exponent
   of ``time ∝ K^p``;
4. the concrete-K check against one bare evaluation modulo p of the same claim, written
   out and differentiated by SymPy beforehand (that cost shown apart), at K = 10, 32, 64;
5. each catalogue document's time per claim and per step, from one
   ``derive check --all --json --no-cache --jobs 1`` run (its ``ms`` fields);
6. derive's whole decision on a few claims of the grown catalogue (piecewise functions,
   norms, products, shifted subscripts, the LSTM cell), each alone.

``--tables 5,6`` runs only the tables named.

Every memo is cleared (``derive.memo.clear``) before every timed run, so no run profits
from an earlier one; only the run's moduli, drawn once per run, are drawn again untimed.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import sympy as sp

from derive import api, memo, symbols
from derive.defaults import run_seed
from derive.model import Claim, Document
from derive.proving import concrete_problem, decide_afresh, sizes_in
from derive.proving.arithmetic import primes
from derive.proving.expand import claim_meaning
from derive.proving.limits import TimeLimit, time_limit
from derive.proving.modular import POINTS, assignments, check_sizes

CLAIMS = [  # (document, claim): each has one size, K or m^{(L)}
    ("softmax", "jacobian"),
    ("softmax-ce", "gradient"),
    ("softmax-ce", "general-gradient"),
    ("softmax-bce", "one-sample"),
]
NEW_CLAIMS: list[tuple[str, str]] = [  # (document, claim) of the grown catalogue
    ("activations", "leaky-relu-derivative"),
    ("margin-losses", "stable-bce"),
    ("margin-losses", "huber-derivative"),
    ("convolution", "kernel-gradient"),
    ("logistic-regression", "matrix-gradient"),
    ("log-softmax", "ce-hessian"),
    ("batch-norm", "input-gradient"),
    ("losses", "focal-logit-gradient-paper"),
    ("recurrent", "lstm-state-jacobian"),
    ("recurrent", "lstm-state-jacobian-without-forget-path"),
]
CONCRETE = (2, 5, 10, 50)
GROWTH = (10, 50, 100, 200)
AGAINST_MOD_P = (10, 32, 64)


def clear() -> None:
    """Forget everything derive remembers: meanings, verdicts, evaluated nodes' indices.

    The run's moduli are drawn again at once, untimed: a run draws them once for its
    seed (30-200 ms), not once per check, so no timed check should pay for them.
    """
    memo.clear()
    primes(run_seed())


def median_ms(run: Callable[[], object], repeat: int) -> float:
    """The median wall time of ``run`` in milliseconds, caches cleared before each."""
    times = []
    for _ in range(repeat):
        clear()
        start = time.perf_counter()
        run()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def all_k(doc: Document, claim: Claim) -> None:
    """Derive's whole decision for every K (proof by the normal form)."""
    verdict = decide_afresh(doc, claim, range(1, 9), claim.assume)
    assert verdict.status == "proved", verdict


def concrete(doc: Document, claim: Claim, k: int) -> None:
    """Derive's exact check modulo p at one concrete size."""
    lhs, rhs = claim_meaning(claim, doc)
    problem = concrete_problem(doc, claim, lhs, rhs, claim.assume)
    found = check_sizes(problem, [dict.fromkeys(sizes_in(doc, problem), k)])
    assert found.checked and not found.failures, found


def written_out(doc: Document, claim: Claim, k: int) -> sp.Expr:
    """``left − right`` written out by SymPy at K = k (its own sums and ``diff``)."""
    lhs, rhs = claim_meaning(claim, doc)
    sizes = {symbols.size(s): k for s in doc.sizes}
    indices = {symbols.index(i): 1 for i in doc.indices}
    difference = (lhs - rhs).xreplace({**sizes, **indices}).doit()
    for name in claim.assume:
        a = doc.assumptions[name]
        total = a.lhs.xreplace(sizes).doit()
        first = sorted(total.atoms(sp.Indexed), key=str)[0]
        difference = difference.subs(first, sp.solve(total - a.rhs, first)[0])
    return difference


def naive(doc: Document, claim: Claim, k: int, cap: float) -> float | None:
    """``simplify(left − right) == 0`` on the claim written out at K = k; None past the cap."""
    difference = written_out(doc, claim, k)
    start = time.perf_counter()
    try:
        with time_limit(cap):
            assert sp.simplify(difference) == 0
    except TimeLimit:
        return None
    return (time.perf_counter() - start) * 1000


PRIME = 2**61 - 1


def mod_p(expr: sp.Expr, rng: random.Random) -> int:
    """One evaluation of an explicit expression modulo p at a random point.

    Every input gets a random residue and every ``e^{z}`` of an input another one (its
    ``u``), as a plain evaluator would; each distinct subexpression is evaluated once.
    """
    values: dict[sp.Basic, int] = {}

    def leaf(node: sp.Basic) -> int:
        if node not in values:
            values[node] = rng.randrange(1, PRIME)
        return values[node]

    def go(node: sp.Basic) -> int:
        found = values.get(node)
        if found is not None:
            return found
        if isinstance(node, sp.Integer):
            out = int(node) % PRIME
        elif isinstance(node, sp.Rational):
            out = int(node.p) * pow(int(node.q), -1, PRIME) % PRIME
        elif isinstance(node, sp.Indexed | sp.Symbol):
            out = leaf(node)
        elif isinstance(node, sp.exp):
            out = 1
            for term in sp.Add.make_args(node.args[0]):
                coeff, var = term.as_coeff_Mul()
                if not (coeff.is_Integer and isinstance(var, sp.Indexed)):
                    raise ValueError(f"not an exponential of inputs: {node}")
                out = out * pow(leaf(sp.exp(var, evaluate=False)), int(coeff), PRIME) % PRIME
        elif isinstance(node, sp.Add):
            out = sum(go(a) for a in node.args) % PRIME
        elif isinstance(node, sp.Mul):
            out = 1
            for a in node.args:
                out = out * go(a) % PRIME
        elif isinstance(node, sp.Pow) and node.exp.is_Integer:
            out = pow(go(node.base), int(node.exp), PRIME)
        else:
            raise ValueError(f"no modular value for {type(node).__name__}")
        values[node] = out
        return out

    return go(expr)


def bare_ms(difference: sp.Expr, repeat: int) -> float:
    """Median time of one modular evaluation of ``difference`` (already written out)."""
    times = []
    for seed in range(repeat):
        rng = random.Random(seed)
        start = time.perf_counter()
        mod_p(difference, rng)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def evaluations(doc: Document, claim: Claim, k: int) -> int:
    """How many times derive's concrete check at K = k evaluates each side."""
    lhs, rhs = claim_meaning(claim, doc)
    problem = concrete_problem(doc, claim, lhs, rhs, claim.assume)
    sizes = dict.fromkeys(sizes_in(doc, problem), k)
    return POINTS * sum(1 for _ in assignments(problem, sizes))


def shown(ms: float | None, cap: float) -> str:
    """A time for the table."""
    if ms is None:
        return f"> {cap:g} s"
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.1f} ms"


def process_ms(
    command: list[str],
    repeat: int,
    env: dict[str, str] | None = None,
    before: Callable[[], object] = lambda: None,
) -> float:
    """Median wall time of a command, process start to exit (``before`` is not timed)."""
    times = []
    for _ in range(repeat):
        before()
        start = time.perf_counter()
        subprocess.run(command, capture_output=True, check=False, env=env)
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def catalogue_runs(repeat: int) -> list[list[str]]:
    """``derive check --all`` from process start to exit: every document checked, or none.

    A store of its own first learns how long each document takes (what shares the
    documents out among the workers); "checked" runs then find no kept results in it.
    """
    check = [sys.executable, "-m", "derive", "check", "--all"]
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "DERIVE_CACHE_DIR": folder}
        subprocess.run(check, capture_output=True, check=False, env=env)

        def forget() -> None:
            for kept in Path(folder).glob("*.json"):
                if kept.name != "times.json":
                    kept.unlink()

        checked = "derive check --all, every document checked"
        rows: list[tuple[str, list[str], Callable[[], object] | None]] = [
            ("python -c 'import sympy'", [sys.executable, "-c", "import sympy"], None),
            (f"{checked}, --jobs 1", [*check, "--jobs", "1"], forget),
            (f"{checked}, --jobs {os.cpu_count()} (the CPUs)", check, forget),
            ("derive check --all, every document unchanged (results kept)", check, None),
        ]
        return [
            [label, shown(process_ms(command, repeat, env, before or (lambda: None)), 0)]
            for label, command, before in rows
        ]


def per_document() -> list[list[str]]:
    """Each document's claims and steps, median and slowest, from one ``--json`` run."""
    command = [sys.executable, "-m", "derive", "check", "--all", "--json", "--no-cache"]
    done = subprocess.run([*command, "--jobs", "1"], capture_output=True, text=True, check=False)
    rows = []
    every: dict[str, list[float]] = {"claims": [], "steps": []}
    for doc in json.loads(done.stdout)["documents"]:
        row = [doc["name"]]
        for part in ("claims", "steps"):
            times = [float(c["ms"]) for c in doc[part] if c.get("ms") is not None]
            every[part] += times
            row += timings(times)
        rows.append(row)
    rows.append(["all", *timings(every["claims"]), *timings(every["steps"])])
    return rows


def timings(times: list[float]) -> list[str]:
    """How many, the median and the slowest, for the table."""
    if not times:
        return ["0", "—", "—"]
    return [str(len(times)), shown(statistics.median(times), 0), shown(max(times), 0)]


def new_claims(repeat: int) -> list[list[str]]:
    """Derive's whole decision on each of :data:`NEW_CLAIMS`, with its verdict."""
    rows = []
    for name, claim_name in NEW_CLAIMS:
        doc = api.load(name)
        claim = doc.claim(claim_name)
        verdict = decide_afresh(doc, claim, range(1, 9), claim.assume)
        ms = median_ms(partial(decide_afresh, doc, claim, range(1, 9), claim.assume), repeat)
        rows.append([f"{name}:{claim_name}", verdict.status, shown(ms, 0)])
    return rows


def slope(points: list[tuple[int, float]]) -> float:
    """The least-squares exponent p of ``time ∝ K^p``."""
    xs = [math.log(k) for k, _ in points]
    ys = [math.log(ms) for _, ms in points]
    mx, my = statistics.mean(xs), statistics.mean(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> int:
    """Run the benchmark and print the tables."""
    options = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    options.add_argument("--repeat", type=int, default=5, help="runs per derive timing")
    options.add_argument("--cap", type=float, default=20.0, help="seconds for naive simplify")
    options.add_argument(
        "--tables", default="1,2,3,4,5,6", help="which tables to run, e.g. 5,6 (default: all)"
    )
    args = options.parse_args()
    wanted = {int(part) for part in args.tables.split(",")}
    print(
        f"derive benchmark: medians of {args.repeat} runs; naive simplify capped at {args.cap:g} s"
    )
    print()
    if wanted & {1, 2, 3, 4}:
        classic(args, wanted)
    if 5 in wanted:
        header = ["document", "claims", "median", "slowest", "steps", "median", "slowest"]
        table(header, per_document())
        print()
    if 6 in wanted:
        table(["claim", "verdict", "whole decision"], new_claims(args.repeat))
    return 0


def classic(args: argparse.Namespace, wanted: set[int]) -> None:
    """Tables 1 to 4: derive against the naive route, the process, growth, the bare route."""
    if 1 in wanted:
        against_naive(args)
    if 2 in wanted:
        table(["process, start to exit (median of 3)", "wall"], catalogue_runs(3))
        print()
    if 3 in wanted:
        growth(args)
    if 4 in wanted:
        against_bare(args)


def against_naive(args: argparse.Namespace) -> None:
    """Table 1: each claim's all-K proof and concrete check against ``simplify``."""
    header = ["claim", "all-K proof"]
    for k in CONCRETE:
        header += [f"derive K={k}", f"naive K={k}", "ratio"]
    rows = []
    for name, claim_name in CLAIMS:
        doc = api.load(name)
        claim = doc.claim(claim_name)
        row = [f"{name}:{claim_name}", shown(median_ms(partial(all_k, doc, claim), args.repeat), 0)]
        for k in CONCRETE:
            ours = median_ms(partial(concrete, doc, claim, k), args.repeat)
            clear()
            theirs = naive(doc, claim, k, args.cap)
            ratio = "—" if theirs is None else f"{theirs / ours:.0f}×"
            if theirs is None:
                ratio = f"> {args.cap * 1000 / ours:.0f}×"
            row += [shown(ours, 0), shown(theirs, args.cap), ratio]
        rows.append(row)
        print(" | ".join(row), flush=True)
    print()
    table(header, rows)
    print()


def growth(args: argparse.Namespace) -> None:
    """Table 3: how the concrete-K check grows with K."""
    grown = []
    for name, claim_name in CLAIMS[:2] + CLAIMS[3:]:
        doc = api.load(name)
        claim = doc.claim(claim_name)
        runs = max(1, args.repeat // 2)
        points = [(k, median_ms(partial(concrete, doc, claim, k), runs)) for k in GROWTH]
        grown.append(
            [f"{name}:{claim_name}"]
            + [shown(ms, 0) for _, ms in points]
            + [f"K^{slope(points):.2f}"]
        )
    table(["concrete-K check"] + [f"K={k}" for k in GROWTH] + ["fitted growth"], grown)
    print()


def against_bare(args: argparse.Namespace) -> None:
    """Table 4: the concrete-K check against one bare evaluation modulo p."""
    rows = []
    for name, claim_name in CLAIMS:
        doc = api.load(name)
        claim = doc.claim(claim_name)
        for k in AGAINST_MOD_P:
            ours = median_ms(partial(concrete, doc, claim, k), args.repeat)
            clear()
            start = time.perf_counter()
            difference = written_out(doc, claim, k)
            built = (time.perf_counter() - start) * 1000
            try:
                one = bare_ms(difference, args.repeat)
            except ValueError as err:
                rows.append(
                    [f"{name}:{claim_name}", str(k), shown(ours, 0)] + ["—"] * 4 + [str(err)]
                )
                continue
            count = evaluations(doc, claim, k)
            rows.append(
                [
                    f"{name}:{claim_name}",
                    str(k),
                    shown(ours, 0),
                    str(count),
                    shown(built, 0),
                    shown(one, 0),
                    f"{ours / one:.1f}×",
                    f"{ours / (one * count):.2f}×",
                ]
            )
    table(
        [
            "claim",
            "K",
            "derive concrete-K check",
            "its evaluations",
            "SymPy write-out + diff",
            "one bare mod-p evaluation",
            "ratio",
            "ratio per evaluation",
        ],
        rows,
    )
    print()


def table(header: list[str], rows: list[list[str]]) -> None:
    """A Markdown table."""
    print("| " + " | ".join(header) + " |")
    print("|" + "|".join(" --- " for _ in header) + "|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


if __name__ == "__main__":
    sys.exit(main())
