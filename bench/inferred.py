"""Verdicts with a written front matter against the same body with none (`make inferred`).

For each document given, the body is checked twice: as written, and with its front
matter cut off, so that derive infers sizes, indices and definitions from the body's
display math. A step is matched by its two sides as written. Printed per document: the
steps whose verdict is the same, the false alarms (a step that holds with the front
matter, refuted without it), the misses (a step refuted with it, not without), and
each difference. ``WRITTEN=RAW`` compares a document with notes kept apart as they
were written (the raw seed beside its transcription), instead of its own body.

    python3 bench/inferred.py tests/data/notes/*.md \
        derivations/seed-004.md=../shared/seeds/004-two-layer-network.md
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from derive import api
from derive.checking.results import Report

HOLDS = ("proved", "verified")


def body_of(text: str) -> str:
    """The text after the front matter (between the first two ``+++`` lines)."""
    lines = text.split("\n")
    fences = [n for n, line in enumerate(lines) if line.strip() == "+++"][:2]
    return "\n".join(lines[fences[1] + 1 :]) if len(fences) == 2 else text


def statuses(report: Report) -> list[tuple[tuple[str, str], str]]:
    """Each step's two sides as written (spacing folded) and its status, in order."""
    return [
        ((" ".join(s.step.left.text.split()), " ".join(s.step.right.text.split())), s.status)
        for s in report.steps
    ]


def matched(
    written: list[tuple[tuple[str, str], str]], inferred: list[tuple[tuple[str, str], str]]
) -> list[tuple[tuple[str, str], str, str]]:
    """Each written step with the status of the same step read without front matter.

    Steps are matched in order by their sides (the same text can be a step twice).
    """
    out, at = [], 0
    for key, status in written:
        found = next((n for n in range(at, len(inferred)) if inferred[n][0] == key), None)
        if found is None:
            out.append((key, status, "missing"))
        else:
            out.append((key, status, inferred[found][1]))
            at = found + 1
    return out


def compare(given: str, folder: Path) -> tuple[int, int, int, int]:
    """Print the comparison for one document; return (same, steps, alarms, misses)."""
    written_path, _, raw = given.partition("=")
    path = Path(written_path)
    bare = Path(raw) if raw else folder / path.name
    if not raw:
        bare.write_text(body_of(path.read_text(encoding="utf-8")), encoding="utf-8")
    written = statuses(api.check(api.load(str(path))))
    inferred = statuses(api.check(api.load(str(bare))))
    same = alarms = misses = 0
    differences = []
    for key, status, got in matched(written, inferred):
        same += got == status
        alarms += status in HOLDS and got == "refuted"
        misses += status == "refuted" and got != "refuted"
        if got != status:
            differences.append(f"    {status:>8} -> {got:<8} {key[0][:40]} = {key[1][:50]}")
    print(
        f"{given}: {same}/{len(written)} same ({100 * same / max(1, len(written)):.0f}%), "
        f"{alarms} false alarms, {misses} misses"
    )
    if differences:
        print("\n".join(differences))
    return same, len(written), alarms, misses


def main(paths: list[str]) -> int:
    """Compare every document given; print the totals."""
    totals = [0, 0, 0, 0]
    with tempfile.TemporaryDirectory() as folder:
        for path in paths:
            for n, value in enumerate(compare(path, Path(folder))):
                totals[n] += value
    same, steps, alarms, misses = totals
    print(f"all: {same}/{steps} same, {alarms} false alarms, {misses} misses")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
