"""Write ``logistic.ipynb``, the notebook tests/test_sources.py reads (run it from here).

A code cell comes second, so the Markdown cells are not numbered as if it were not there.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

CELLS = [
    new_markdown_cell("# A logistic unit\n\nOne input $a$, one label $y$."),
    new_code_cell("total = 1 + 2\nprint(total)"),
    new_markdown_cell(
        "The unit and its loss:\n\n$$\ns = \\frac{1}{1 + e^{-a}}\n$$\n\n"
        "$$\nL = -y \\ln s - (1 - y) \\ln(1 - s)\n$$"
    ),
    new_markdown_cell(
        "Its slope, then the loss's:\n\n$$\n\\frac{\\partial s}{\\partial a} = s (1 - s)\n$$\n\n"
        "$$\n\\frac{\\partial L}{\\partial a} = s + y\n$$\n\nThe sign of $y$ slipped above."
    ),
]


def main() -> None:
    """Write the notebook next to this script."""
    notebook = new_notebook(cells=CELLS)
    nbformat.write(notebook, str(Path(__file__).with_name("logistic.ipynb")))


if __name__ == "__main__":
    main()
