"""The layout keeps its promises (README, Development): blueprints stay apart, vectors have one home."""

from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"
BLUEPRINTS = ("auth", "dashboard", "webhooks")


def _imported_modules(path: Path) -> set[str]:
    """Absolute names of what a module imports (relative imports resolved against its package)."""
    package = ["app", *path.relative_to(APP).parent.parts]
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            names.update(f"{module}.{alias.name}" for alias in node.names)
    return names


def test_does_any_blueprint_import_another():
    crossing = [
        f"{path.relative_to(APP)} imports {name}"
        for blueprint in BLUEPRINTS
        for path in (APP / blueprint).rglob("*.py")
        for name in _imported_modules(path)
        for other in BLUEPRINTS
        if other != blueprint and (name + ".").startswith(f"app.{other}.")
    ]
    assert crossing == []


def test_is_the_vector_space_defined_in_one_module():
    names = {
        "namespace_for",
        "vector_id_for",
        "call_id_of",
        "pack",
        "unpack",
        "rank_matches",
        "nearest_calls",
    }
    defined = sorted(
        f"{path.relative_to(APP)}:{node.name}"
        for path in APP.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.FunctionDef) and node.name in names
    )
    assert defined == sorted(f"services/vectors.py:{name}" for name in names)
    namespaces = [str(p.relative_to(APP)) for p in APP.rglob("*.py") if 'f"tenant-{' in p.read_text()]
    assert namespaces == ["services/vectors.py"]
