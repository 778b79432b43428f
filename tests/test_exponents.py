r"""Symbolic exponents: ``(1 - p)^\gamma`` (the focal loss) proved, and its slip refuted.

A proof by the normal form must be confirmed by the second opinion at a point where both
sides are defined; for a real power of ``1 - p`` and a logarithm of ``p`` that point
needs ``0 < p < 1``, which the second opinion draws too.
"""

from pathlib import Path

from derive import api

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
