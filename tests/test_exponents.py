r"""Symbolic exponents: ``(1 - p)^\gamma`` (the focal loss) proved, and its slip refuted.

A proof by the normal form must be confirmed by the second opinion at a point where both
sides are defined; for a real power of ``1 - p`` and a logarithm of ``p`` that point
needs ``0 < p < 1``, which the second opinion draws too.
"""

from pathlib import Path

from derive import api, symbols
from derive.proving.modular import Problem, check_sizes, not_exact_power

FOCAL = r"""+++
name = "focal"

[definitions]
L = '-(1 - p)^{\gamma} \ln p'

[[claims]]
name = "gradient"
statement = '''
\frac{\partial L}{\partial p} = \gamma (1 - p)^{\gamma - 1} \ln p - \frac{(1 - p)^{\gamma}}{p}'''

[[claims]]
name = "exponent-kept"
statement = '''
\frac{\partial L}{\partial p} = \gamma (1 - p)^{\gamma} \ln p - \frac{(1 - p)^{\gamma}}{p}'''
expect = "refuted"

[[claims]]
name = "by-the-exponent"
statement = '\frac{\partial L}{\partial \gamma} = -(1 - p)^{\gamma} \ln(1 - p) \ln p'
+++
"""


def test_focal_loss_gradient_is_proved_and_its_slip_refuted(tmp_path: Path) -> None:
    """The gradient with a symbolic exponent is proved; keeping the exponent is refuted."""
    path = tmp_path / "focal.md"
    path.write_text(FOCAL, encoding="utf-8")
    report = api.check(api.load(str(path)))
    statuses = {r.claim.name: r.verdict.status for r in report.results}
    assert statuses == {
        "gradient": "proved",
        "exponent-kept": "refuted",
        "by-the-exponent": "proved",
    }, [r.verdict.message for r in report.results]
    slip = next(r for r in report.results if r.claim.name == "exponent-kept").verdict
    assert slip.counterexample is not None


FOCAL_LOGIT = r"""+++
name = "focal-logit"

[definitions]
P = '\sigma(u)'

[[claims]]
name = "merge-minus-one"
statement = '(1 - P) (1 - P)^{\gamma - 1} = (1 - P)^{\gamma}'

[[claims]]
name = "logit-gradient"
statement = '''
\frac{d}{du} \left(-(1 - P)^{\gamma} \ln P\right) = (1 - P)^{\gamma} (\gamma P \ln P + P - 1)'''

[[claims]]
name = "merge-one-too-many"
statement = '(1 - P) (1 - P)^{\gamma - 1} = (1 - P)^{\gamma + 1}'
expect = "refuted"

[[claims]]
name = "logit-sign-slip"
statement = '''
\frac{d}{du} \left(-(1 - P)^{\gamma} \ln P\right) = (1 - P)^{\gamma} (\gamma P \ln P - P + 1)'''
expect = "refuted"
+++
"""


def test_focal_logit_gradient_is_proved_for_all_values(tmp_path: Path) -> None:
    """Powers of 1 − σ(u) with exponents γ − 1 and γ meet; Lin et al.'s logit gradient too.

    ``(1 − P)(1 − P)^{γ − 1} = (1 − P)^γ`` was undecided: the sides "differed at
    concrete sizes" modulo p, where ``b^{γ−1}`` is ``e^{(γ−1) ln b}`` with random ``e``
    and ``ln``. The slips are refuted with a counterexample.
    """
    path = tmp_path / "focal-logit.md"
    path.write_text(FOCAL_LOGIT, encoding="utf-8")
    report = api.check(api.load(str(path)))
    verdicts = {r.claim.name: r.verdict for r in report.results}
    assert {name: v.status for name, v in verdicts.items()} == {
        "merge-minus-one": "proved",
        "logit-gradient": "proved",
        "merge-one-too-many": "refuted",
        "logit-sign-slip": "refuted",
    }, [v.message for v in verdicts.values()]
    assert verdicts["merge-minus-one"].sizes == "all values"
    assert verdicts["logit-sign-slip"].counterexample is not None


def test_a_variable_exponent_is_evaluated_with_reals_not_modulo_p() -> None:
    """The concrete check of ``b · b^{γ − 1} = b^γ`` finds no difference, and is not exact.

    Modulo p it found one (``e`` and ``ln`` there are random functions, not inverses), a
    false difference that only the confirmation step kept from becoming a refutation.
    """
    gamma, x = symbols.scalar("gamma"), symbols.scalar("x")
    base = 1 - symbols.sigmoid(x)
    problem = Problem(base * base ** (gamma - 1), base**gamma, (), {})
    found = check_sizes(problem, [{}])
    assert found.checked and not found.failures
    assert found.prime is None
    assert not_exact_power(base**gamma) and not not_exact_power(base ** symbols.index("k"))
