"""``derive diff DOC EXPR WRT``: a derivative in the document's own names."""

from __future__ import annotations

import argparse
import json
from typing import TYPE_CHECKING, TextIO

from derive.commands import options

if TYPE_CHECKING:  # imported when the command runs: `derive --help` stays light
    from derive.proving.gradient import Gradient

EPILOG = """\
The form shown is proved equal to the raw derivative by the same prover that checks
claims; the last line says what was established.

exit codes:
  0  the form shown is proved (or verified) equal to the derivative
  2  bad input: the message says where (EXPR:1:col, WRT:1:col) and what to do
  3  the equality could not be established in time; the plain normal form is shown

examples:
  derive diff softmax-ce E z_j --assume targets
  derive diff softmax y_k z_j --latex
  derive diff two-layer-net E 'W^{(2)}_{uv}' --assume targets --json
"""


def add_parser(sub: argparse._SubParsersAction[options.Parser]) -> None:
    """Add the ``diff`` command to the top-level parser."""
    diff = sub.add_parser(
        "diff",
        help="differentiate an expression of a document, in the document's own names",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=EPILOG,
        description="Compute ∂EXPR/∂WRT from the document's definitions and print it in "
        "its own names (y_j for the softmax, σ(x) for the logistic, a defined "
        "quantity's name for its expansion).",
    )
    diff.add_argument("document", metavar="NAME|PATH")
    diff.add_argument("expression", metavar="EXPR", help="LaTeX in the document's notation: E")
    diff.add_argument("wrt", metavar="WRT", help="the variable, in LaTeX: z_j, W^{(1)}_{uv}")
    diff.add_argument(
        "--assume",
        nargs="+",
        default=[],
        metavar="NAME",
        help="assumptions of the document to use, such as targets",
    )
    form = diff.add_mutually_exclusive_group()
    form.add_argument("--latex", action="store_true", help="print the result as LaTeX")
    form.add_argument("--json", action="store_true", help="print one JSON object")

    options.add_timeout(diff, "seconds for the equality check")


def run(args: argparse.Namespace, stdout: TextIO) -> int:
    """Differentiate and print; return the exit code."""
    from derive import api
    from derive.presenting import words
    from derive.proving.gradient import differentiate

    doc = api.load(args.document)
    gradient = differentiate(
        doc, args.expression, args.wrt, tuple(args.assume), timeout=args.timeout
    )
    if args.json:
        print(json.dumps(as_json(gradient), ensure_ascii=False, indent=2), file=stdout)
    elif args.latex:
        print(gradient.latex, file=stdout)
    else:
        print(gradient.statement, file=stdout)
        said = words.established(gradient.verdict, gradient.assume, gradient.stated_in)
        print(f"  {said}", file=stdout)
    return 0 if gradient.verdict.status in ("proved", "verified") else 3


def as_json(gradient: Gradient) -> dict[str, object]:
    """The ``--json`` object."""
    from derive.printing import notation

    v = gradient.verdict
    return {
        "expression": gradient.expression,
        "wrt": gradient.wrt,
        "assume": list(gradient.assume),
        "result": notation.latex(gradient.result),
        "unicode": notation.unicode(gradient.result),
        "statement": gradient.latex,
        "status": v.status,
        "stated_in": gradient.stated_in or None,
        "sizes": v.sizes,
        "method": v.method,
        "ms": round(v.ms, 1),
    }
