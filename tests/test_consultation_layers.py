"""Consultations sit above the strategy and below the responses (the domain layer's order:
strategy, consultations, responses): neither imports the package above it, so neither pair
can become an import cycle again."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PORTAL = Path(__file__).resolve().parent.parent / "portal"


def imported_modules(package: str) -> dict[str, set[str]]:
    """Every portal module each file of the package imports, at any depth of the file."""
    found: dict[str, set[str]] = {}
    for path in sorted((PORTAL / package).rglob("*.py")):
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom) and node.module:
                names.add(node.module)
            elif isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
        found[str(path.relative_to(PORTAL.parent))] = names
    return found


@pytest.mark.parametrize(
    ("package", "above"),
    [("consultations", "portal.responses"), ("strategy", "portal.consultations")],
)
def test_a_package_never_imports_the_one_above_it(package: str, above: str) -> None:
    crossing = {
        path: sorted(name for name in names if name == above or name.startswith(above + "."))
        for path, names in imported_modules(package).items()
    }
    assert {path: names for path, names in crossing.items() if names} == {}
