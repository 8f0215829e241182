"""The import graph of ``workbench/``: no module-level cycles, and no import inside a function that stands in for a
module-level one a cycle would forbid.

Django's ``AppConfig.ready`` is the one place an app imports its own modules late: it runs once the models are
loaded, to register signal receivers and tasks.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "workbench"


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _modules() -> dict[str, Path]:
    return {_module_name(p): p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts}


MODULES = _modules()


def _resolve(name: str) -> str | None:
    """The workbench module an imported name lives in (``a.b.c`` may be module ``a.b`` and its attribute ``c``)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(node: ast.Import | ast.ImportFrom, importer: str) -> set[str]:
    if isinstance(node, ast.Import):
        names = [alias.name for alias in node.names]
    else:
        base = node.module or ""
        if node.level:  # relative: from the importer's package, one level up per extra dot
            package = importer if MODULES[importer].name == "__init__.py" else importer.rpartition(".")[0]
            for _ in range(node.level - 1):
                package = package.rpartition(".")[0]
            base = f"{package}.{base}" if base else package
        names = [f"{base}.{alias.name}" for alias in node.names]
    return {target for target in map(_resolve, names) if target is not None and target != importer}


class _Imports(ast.NodeVisitor):
    """Module-level imports (including those under ``if TYPE_CHECKING`` are left out) and function-level ones."""

    def __init__(self, module: str):
        self.module = module
        self.top: set[str] = set()
        self.late: list[tuple[str, str, int]] = []  # (function, target, line)
        self._function: list[str] = []
        self._class: list[str] = []

    def visit_If(self, node: ast.If) -> None:
        if isinstance(node.test, ast.Name) and node.test.id == "TYPE_CHECKING":
            return
        self.generic_visit(node)

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        self._class.append(node.name)
        self.generic_visit(node)
        self._class.pop()

    def visit_FunctionDef(self, node) -> None:
        self._function.append(".".join([*self._class, node.name]))
        self.generic_visit(node)
        self._function.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def _record(self, node) -> None:
        targets = _targets(node, self.module)
        if self._function:
            self.late += [(self._function[-1], target, node.lineno) for target in sorted(targets)]
        else:
            self.top |= targets

    visit_Import = _record
    visit_ImportFrom = _record


def _graph() -> dict[str, _Imports]:
    graph = {}
    for module, path in MODULES.items():
        imports = _Imports(module)
        imports.visit(ast.parse(path.read_text(), filename=str(path)))
        graph[module] = imports
    return graph


GRAPH = _graph()


def _reaches(start: str, goal: str, edges: dict[str, set[str]]) -> bool:
    seen, todo = set(), [start]
    while todo:
        module = todo.pop()
        if module == goal:
            return True
        if module not in seen:
            seen.add(module)
            todo.extend(edges.get(module, ()))
    return False


def _app(module: str) -> str:
    return ".".join(module.split(".")[:2])


def _is_registration(module: str, function: str) -> bool:
    return module.endswith(".apps") and function.endswith(".ready")


def test_no_module_level_import_cycle():
    edges = {module: imports.top for module, imports in GRAPH.items()}
    cycles = sorted(
        f"{module} -> {target}"
        for module, targets in edges.items()
        for target in targets
        if _reaches(target, module, edges)
    )
    assert not cycles, "\n".join(cycles)


def test_no_function_imports_a_module_of_its_own_app():
    late = sorted(
        f"{module}:{line} {function}() imports {target}"
        for module, imports in GRAPH.items()
        for function, target, line in imports.late
        if _app(target) == _app(module) and not _is_registration(module, function)
    )
    assert not late, "\n".join(late)


def test_no_function_level_import_dodges_a_cycle():
    edges = {module: imports.top for module, imports in GRAPH.items()}
    dodging = sorted(
        f"{module}:{line} {function}() imports {target}"
        for module, imports in GRAPH.items()
        for function, target, line in imports.late
        if not _is_registration(module, function) and _reaches(target, module, edges)
    )
    assert not dodging, "\n".join(dodging)


@pytest.mark.parametrize(
    ("source", "expected_late"),
    [
        ("def f():\n    from workbench.provenance import models\n", {"workbench.provenance.models"}),
        ("def f():\n    from workbench.provenance.models import Story\n", {"workbench.provenance.models"}),
        ("from workbench.provenance.models import Story\n", set()),
        ("def f():\n    from .models import Story\n", {"workbench.provenance.models"}),
    ],
)
def test_the_walk_sees_imports_inside_functions(source, expected_late):
    imports = _Imports("workbench.provenance.selectors")
    imports.visit(ast.parse(source))
    assert {target for _, target, _ in imports.late} == expected_late
