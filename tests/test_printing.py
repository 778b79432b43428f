"""Names and constants as a reader writes them, in the terminal and in LaTeX."""

from __future__ import annotations

import sympy as sp

from derive.printing.notation import latex, name, unicode
from derive.verdict import Counterexample


def test_pi_prints_as_pi() -> None:
    r"""``\pi`` prints as ``π`` and ``\pi``; it was ``\text{\Pi}``, which LaTeX refused."""
    assert unicode(sp.pi - 3) in {"π − 3", "−3 + π"}
    assert r"\pi" in latex(sp.pi - 3)
    assert r"\Pi" not in latex(sp.pi - 3)


def test_every_greek_name_is_a_letter() -> None:
    r"""``\epsilon``, ``\lambda``, ``\varepsilon`` and the capitals print as letters."""
    assert name(r"\epsilon") == "ε"
    assert name(r"\varepsilon") == "ε"
    assert name(r"\lambda") == "λ"
    assert name(r"\Omega") == "Ω"
    assert name(r"\xi") == "ξ"


def test_a_counterexample_names_its_inputs_as_letters() -> None:
    """The values of a counterexample are named as the residual names them."""
    shown = Counterexample({}, {}, {r"\epsilon": "2"}, "0", "1").describe()
    assert shown.startswith("ε=2")
