"""The packages of portal/ import one way: base below, domain packages above it, reporting
above them, the audiences (the blueprints and commands) on top; and no package imports another
that imports it back, directly or round a longer loop. Read from the source, so a new import
that crosses fails here before anyone has to untangle it (docs/architecture.md, "Layers").

An import made only for type checking (under `if TYPE_CHECKING:`) is left out: it names a
class for a type hint, as a relationship names its class by a string, and runs nothing."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

PORTAL = Path(__file__).resolve().parent.parent / "portal"

# The blueprints and commands, and the web wiring only the app factory uses (Jinja set-up,
# health checks and logging, the server's settings).
AUDIENCES = {"public", "school", "officer", "admin", "auth", "cli", "templating", "ops"}
AUDIENCES |= {"gunicorn_config"}
REPORTING = {"reporting", "publications"}
DOMAIN = {
    "strategy",
    "consultations",
    "responses",
    "schools",
    "panel",
    "comments",
    "safeguarding",
    "privacy",
    "areas",
    "accounts",
    "feedback",
}
# Everything else under portal/ (clock, codes, extensions, config, audit, mail, security...)
# is base: it may import only base.


def _layer(package: str) -> int:
    if package in AUDIENCES:
        return 3
    if package in REPORTING:
        return 2
    if package in DOMAIN:
        return 1
    return 0


def _package(module: str) -> str | None:
    """portal.responses.service -> responses; portal.clock -> clock; portal -> None."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "portal" else None


def _type_checking_only(tree: ast.Module) -> set[ast.AST]:
    hidden: set[ast.AST] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for inner in node.body:
                hidden.update(ast.walk(inner))
    return hidden


def _imports() -> dict[str, dict[str, set[str]]]:
    """package -> imported package -> the modules that import it."""
    found: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for path in PORTAL.rglob("*.py"):
        module = ".".join(path.relative_to(PORTAL.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        source = _package(module)
        # The app factory and the list of every model bring everything together on purpose.
        if source is None or module == "portal.models":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        hidden = _type_checking_only(tree)
        for node in ast.walk(tree):
            if node in hidden:
                continue
            # Relative imports would slip past this check: the portal has none, and keeps none.
            assert not (isinstance(node, ast.ImportFrom) and node.level), (
                f"{module} imports relatively; name the package"
            )
            if isinstance(node, ast.ImportFrom) and node.module:
                names = (
                    [f"portal.{alias.name}" for alias in node.names]
                    if node.module == "portal"
                    else [node.module]
                )
            elif isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            else:
                continue
            for name in names:
                target = _package(name)
                if target is not None and target != source:
                    found[source][target].add(module)
    return found


def _cycles(imports: dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected groups of more than one package (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(package: str) -> None:
        index[package] = low[package] = len(index)
        stack.append(package)
        on_stack.add(package)
        for target in imports.get(package, {}):
            if target not in index:
                visit(target)
                low[package] = min(low[package], low[target])
            elif target in on_stack:
                low[package] = min(low[package], index[target])
        if low[package] == index[package]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == package:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for package in sorted(imports):
        if package not in index:
            visit(package)
    return groups


def test_no_package_imports_one_that_imports_it_back():
    imports = _imports()
    described = [
        f"{', '.join(group)} import one another round a loop; the imports against the layers' "
        "order (or between packages of one layer):\n"
        + "\n".join(
            f"  {a} imports {b} in {', '.join(sorted(imports[a][b]))}"
            for a in group
            for b in group
            if b in imports.get(a, {}) and _layer(b) >= _layer(a)
        )
        for group in _cycles(imports)
    ]
    assert not described, "\n".join(described)


def test_nothing_but_the_factory_imports_every_model():
    """portal/models.py imports every package: a module importing it would depend on all."""
    importers = [
        module
        for targets in _imports().values()
        for target, modules in targets.items()
        if target == "models"
        for module in modules
    ]
    assert not importers


def test_imports_go_down_the_layers_never_up():
    imports = _imports()
    upward = [
        f"{source} imports {target} in {', '.join(sorted(modules))}"
        for source, targets in sorted(imports.items())
        for target, modules in sorted(targets.items())
        if _layer(target) > _layer(source)
    ]
    assert not upward, "\n".join(upward)


def test_the_check_sees_a_cycle_and_an_upward_import():
    """The check itself: a loop of three and a domain package reaching up are both found."""
    imports = {
        "responses": {"schools": {"portal.responses.x"}},
        "schools": {"panel": {"portal.schools.y"}},
        "panel": {"responses": {"portal.panel.z"}},
        "clock": {},
    }
    assert _cycles(imports) == [["panel", "responses", "schools"]]
    assert _layer("reporting") > _layer("responses") > _layer("clock")
    assert _layer("officer") > _layer("reporting")
