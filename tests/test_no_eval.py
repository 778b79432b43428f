"""No derivation text may reach an eval-based function: none is called in the package."""

import ast
from pathlib import Path

import derive

FORBIDDEN = {"eval", "exec", "sympify", "parse_expr", "parse_latex", "lambdify", "S"}


def calls(path: Path) -> list[str]:
    """Names of forbidden functions called in ``path``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name in FORBIDDEN:
                found.append(f"{path.name}:{node.lineno} {name}(")
    return found


def test_no_eval_based_calls() -> None:
    """The package calls none of eval, exec, sympify, parse_expr, parse_latex, lambdify."""
    package = Path(derive.__file__).parent
    found = [c for path in sorted(package.rglob("*.py")) for c in calls(path)]
    assert found == []
