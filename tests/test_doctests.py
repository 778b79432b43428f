"""The examples in the API's docstrings run as written."""

import doctest
import importlib

import pytest

MODULES = [
    "derive",
    "derive.api",
    "derive.proving.gradient",
    "derive.reading.latex.api",
    "derive.printing.texsafe",
    "derive.presenting.html.scope",
    "derive.presenting.html.inline",
    "derive.presenting.html.mathml",
    "derive.presenting.html.page",
    "derive.presenting.written",
    "derive.printing.notation",
    "derive.commands.incremental",
]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name: str) -> None:
    """Every example in the module's docstrings gives the output shown."""
    module = importlib.import_module(name)
    result = doctest.testmod(module, optionflags=doctest.ELLIPSIS)
    assert result.attempted > 0 and result.failed == 0
