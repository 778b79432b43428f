"""``%%derive``: a notebook cell that is a document, checked, shown as the HTML report.

``%load_ext derive`` registers the magic (:func:`derive.load_ipython_extension`). The
cell under ``%%derive`` is read as a Markdown file is (front matter between ``+++``
lines optional), named ``<cell>``: its lines are counted from the one under
``%%derive``. The magic returns the :class:`~derive.checking.results.Report`, which a
notebook shows as the HTML report (its ``_repr_html_``). A cell derive cannot read is
one line on standard error, ``derive: <cell>:3:5: what is wrong and what to do``, as
the command line says it, and no traceback.

IPython is not a dependency of derive: nothing here imports it; the shell hands itself
to :func:`register`.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Callable
from typing import Protocol

from derive.commands import options
from derive.defaults import DEFAULT_SIZES
from derive.errors import DeriveError

__all__ = ["derive_cell", "register"]

NAME = "derive"  # %%derive


class Shell(Protocol):
    """What :func:`register` needs of IPython's shell."""

    def register_magic_function(
        self, func: Callable[..., object], magic_kind: str = ..., magic_name: str | None = ...
    ) -> None:
        """Make ``func`` the magic ``magic_name`` of kind ``magic_kind``."""


def register(shell: Shell) -> None:
    """Give ``shell`` the cell magic ``%%derive``."""
    shell.register_magic_function(derive_cell, magic_kind="cell", magic_name=NAME)


def parser() -> options.Parser:
    """The options of the magic's line: ``%%derive --timeout 5 --sizes 2..4``."""
    magic = options.Parser(prog=f"%%{NAME}", description="Check the cell as a derivation document.")
    options.add_timeout(magic, "seconds per claim")
    magic.add_argument(
        "--sizes",
        type=options.sizes,
        default=list(DEFAULT_SIZES),
        metavar="1..8",
        help="concrete sizes tried when no proof for every size is found (default 1..8)",
    )
    return magic


def derive_cell(line: str, cell: str) -> object:
    """Check ``cell`` as a document, with the options on the magic's ``line``.

    Returns:
        The report (a notebook shows its HTML), or ``None`` when the options or the
        cell cannot be read: then one line on standard error says what to do.
    """
    from derive import api  # SymPy and the prover: only when a cell is checked

    try:
        args = parser().parse_args(shlex.split(line))
    except ValueError as err:  # shlex: an unclosed quote
        print(f"%%{NAME}: cannot read the options: {err}", file=sys.stderr)
        return None
    except SystemExit:  # the parser said why (or printed --help)
        return None
    try:
        return api.check(api.load_text(cell), sizes=args.sizes, timeout=args.timeout)
    except DeriveError as err:
        print(f"derive: {err}", file=sys.stderr)
        return None
