"""The package is laid out by stage, and imports only flow downwards.

The stages, lowest first: the shared modules at the root (config, schemas, io, errors, params,
engine, progress), then ingest, privacy, coding, analysis, report, and last the drivers
(prepare, batch, cli).
A module may import its own stage or a lower one, never a higher one, and no chain of imports
may come back to where it started. Function-level imports count: they run too.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "engagement"
STAGES = ("ingest", "privacy", "coding", "analysis", "report")
SHARED = ("config", "schemas", "io", "errors", "params", "engine", "progress")
DRIVERS = ("prepare", "batch", "cli")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def rank(module: str) -> int:
    """0 for the shared modules, 1-5 for the stages in data-flow order, then the drivers."""
    parts = module.split(".")
    if len(parts) == 1:
        return -1                                   # the package facade: lazy names only
    top = parts[1]
    if top in SHARED:
        return 0
    if top in STAGES:
        return 1 + STAGES.index(top)
    if top in DRIVERS:
        return 1 + len(STAGES) + DRIVERS.index(top)
    raise AssertionError(f"{module} is neither a stage, a shared module nor a driver")


def imports_of(path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules that ``path`` imports anywhere in its body (resolved to modules)."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join(anchor + ([base] if base else []))
            targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
        for target in targets:
            if target in modules and target != own:
                found.add(target)
            elif target.rpartition(".")[0] in modules and target.rpartition(".")[0] != own:
                found.add(target.rpartition(".")[0])
    return {t for t in found if t.startswith("engagement.")}


def import_graph() -> dict[str, set[str]]:
    modules = all_modules()
    return {name: imports_of(path, modules) for name, path in modules.items() if name != "engagement"}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle as a list of modules (first == last), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_the_import_graph_has_no_cycle():
    cycle = find_cycle(import_graph())
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_no_stage_imports_a_later_stage_or_a_driver():
    upward = sorted(f"{a} imports {b}" for a, targets in import_graph().items() for b in targets
                    if rank(b) > rank(a))
    assert not upward, "upward imports (a lower stage must not import a higher one):\n" + "\n".join(upward)


def test_the_checks_catch_a_cycle_and_an_upward_import():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
    assert rank("engagement.ingest.clean") < rank("engagement.coding.run") < rank("engagement.cli")


def test_the_root_holds_only_shared_modules_and_drivers():
    root = sorted(p.stem for p in PACKAGE.glob("*.py") if p.name != "__init__.py")
    assert set(root) <= set(SHARED + DRIVERS), root
    assert len(root) <= 10


@pytest.mark.parametrize("stage", STAGES)
def test_each_stage_folder_says_what_it_reads_writes_and_must_not_touch(stage):
    init = PACKAGE / stage / "__init__.py"
    doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8")))
    assert doc and len(doc.split()) >= 40, f"{init} needs a paragraph saying what the stage does"
    lowered = doc.lower()
    assert "read" in lowered and "writ" in lowered and "never" in lowered, init


def test_public_api_imports_from_the_package_root():
    import engagement

    for name in engagement.__all__:
        assert getattr(engagement, name) is not None, name
    with pytest.raises(AttributeError):
        engagement.no_such_function  # noqa: B018


def test_the_notebooks_ship_with_the_package():
    """`engagement batch` runs them from the package, so a project folder needs no copy of its own."""
    import tomllib

    from engagement.batch import NOTEBOOKS, PACKAGE_NOTEBOOKS

    assert all((PACKAGE_NOTEBOOKS / name).is_file() for name in NOTEBOOKS.values())
    data = tomllib.loads((PACKAGE.parent / "pyproject.toml").read_text())["tool"]["setuptools"]["package-data"]
    assert "notebooks/*.ipynb" in data["engagement"]
    for folder in ("coding/data", "report/templates", "privacy/data"):
        if (PACKAGE / folder).is_dir():
            assert any(pattern.startswith(folder + "/") for pattern in data["engagement"]), folder
