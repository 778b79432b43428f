"""An adversary's finds in derive's reading of real notes, each kept as a regression.

Each document under ``tests/data/adversary/`` is a small set of notes written to make
derive misread them; each test checks the document and asserts what a careful reader
would say of each step.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from derive import api
from derive.errors import DeriveError, DocumentError

DATA = Path(__file__).parent / "data" / "adversary"


def steps(name: str) -> list[tuple[int, str, str]]:
    """Check ``name`` and return each step's line, status and message."""
    report = api.check(api.load(str(DATA / name)))
    return [(s.step.right.line, s.status, s.message) for s in report.steps]


def test_overlapping_cases_before_otherwise_are_refused() -> None:
    """Two rows that both hold are not made exclusive by an ``otherwise`` row."""
    found = steps("cases-overlap.md")
    overlap, exclusive = found
    assert overlap[1] == "unparsed", found
    assert "two conditions hold" in overlap[2]
    assert exclusive[1] == "proved", found


def test_ellipsis_over_names_defined_one_by_one_is_refused() -> None:
    r"""``h_1 + \dots + h_3`` with each ``h_n`` defined is no vector's entries: refused."""
    found = steps("dots-over-names.md")
    written, summed, row = found
    assert written[1] == "proved", found
    for step in (summed, row):
        assert step[1] == "unparsed", found
        assert "one subscript at a time" in step[2] or "name of its own" in step[2]


def test_arguments_that_would_substitute_are_not_documentation() -> None:
    r"""``L(p, t)``, ``L(t, 0)``, ``L(u, p)`` for ``L(t, p)`` are refused; ``s(a_k)`` is at ``k``.

    The head ``s(a_i)`` takes an entry of a defined vector: it is a function of that
    entry, so ``q_k = s(a_k)`` is the softmax at ``k``, not at the definition's ``i``.
    """
    found = steps("documented-arguments.md")
    statuses = [status for _, status, _ in found]
    assert statuses == ["proved", "unparsed", "unparsed", "unparsed", "proved", "refuted"], found
    assert "read `L(t, p)` as `L`" in found[0][2]
    for _, _, message in found[1:4]:
        assert "would apply it to other values" in message


def test_the_letter_t_over_a_scalar_is_not_silently_a_power() -> None:
    r"""``w^T`` of a scalar is refused unless ``T`` is a size; then it is a power, noted."""
    (transposed, _, message), plain = steps("transpose-of-a-scalar.md")
    assert transposed == 9 and "a transpose, or a power" in message
    assert plain[1] == "proved"
    ((_, status, message),) = steps("power-to-a-size-t.md")
    assert status == "proved" and "as a power, `T` being a size" in message


def test_unless_negates_and_a_joined_condition_is_not_dropped() -> None:
    r"""``\text{unless } i = j`` is ``i \neq j``; a joined condition is not dropped.

    ``(i = j \text{ and } j = k)`` is a condition (not read), never a remark set aside
    from a step then checked without it.
    """
    report = api.check(api.load(str(DATA / "conditions-negated-and-joined.md")))
    found = [(s.step.right.line, s.status) for s in report.steps]
    assert found == [(14, "proved"), (18, "refuted")], found
    assert [(u.line, u.reason) for u in report.unread] == [(22, "condition")]


def test_whole_vectors_multiplied_or_inside_functions_are_refused() -> None:
    r"""``\mathbf{p} \mathbf{q}``, ``\mathbf{p}^2``, ``\ln \mathbf{p}`` are not read silently.

    A product of two whole vectors was compared at one entry as the entrywise product
    (it may be the inner product), and ``\sigma(\mathbf{a})`` as a function of a scalar
    symbol ``a``; a sum of scalar multiples of whole vectors still reads.
    """
    found = steps("vectors-multiplied.md")
    statuses = [status for _, status, _ in found]
    assert statuses == ["unparsed"] * 4 + ["proved"], found
    assert "entrywise, inner or outer" in found[0][2]
    assert "a norm" in found[1][2]
    assert "entrywise, inner or outer" in found[2][2]
    assert "inside a function" in found[3][2]
    assert "compared the vectors at entry j" in found[4][2]


def test_a_vectors_own_entry_letter_does_not_take_the_only_index() -> None:
    r"""``\nabla_u R = \mathbf{u}`` with ``n`` the one index over ``N`` is compared at ``n``.

    The vector ``∂R/∂\mathbf{u}`` writes its entries with a letter of its own named
    ``n``; it was counted as a use of the declared ``n``, and the step was refused.
    """
    found = steps("vectors-one-index.md")
    assert [status for _, status, _ in found] == ["proved", "refuted"], found
    assert all("compared the vectors at entry n" in message for _, _, message in found)


def test_an_entry_defined_on_its_own_and_in_a_vector_is_refused() -> None:
    """``g_m = v_m^2`` and ``g_1 = 4`` contradict each other: ``g_1 = 4`` held."""
    with pytest.raises(DocumentError, match=r"entry-defined-twice\.md:10:10: `g_\{1\}` is defined"):
        api.load(str(DATA / "entry-defined-twice.md"))


def test_a_defined_delta_with_subscripts_is_refused() -> None:
    r"""``\delta_{pq}`` defined as ``u_p v_q`` was the Kronecker delta in the body.

    ``\delta_{pq} = \delta_{qp}`` held; the definition is refused, and one with a layer
    tag, ``\delta^{(2)}_{pq}``, is a name of its own.
    """
    with pytest.raises(DeriveError, match=r"delta-defined\.md:10:2: `\\delta` with subscripts"):
        api.load(str(DATA / "delta-defined.md"))
    found = steps("delta-defined-tagged.md")
    assert [status for _, status, _ in found] == ["proved", "refuted"], found


def test_the_derivative_of_a_whole_vector_is_refused() -> None:
    r"""``\frac{\partial \mathbf{s}}{\partial \mathbf{u}}`` is a Jacobian, not read as a gradient.

    It was read as the vector of ``∂s/∂u_b`` with ``s`` a plain symbol, then left
    undecided far from the reading; it is refused where it is written.
    """
    found = steps("jacobian-of-a-vector.md")
    assert [status for _, status, _ in found] == ["unparsed", "unparsed", "proved"], found
    assert all("a Jacobian" in message for _, _, message in found[:2])
