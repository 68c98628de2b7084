"""The apps form layers: each imports only the apps below it, so they never import each other in a
circle, and reads (selectors) never call writes (services).

The graph counts every `import` and `from ... import` of an app's code, at the top of a module or
inside a function, except those under `if TYPE_CHECKING:` (type annotations only: they never run).
Tests and migrations are left out; the top-level modules (`relais/urls.py`, `relais/api.py`,
`relais/settings.py`) compose every app and may import them all. See docs/architecture.md.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

RELAIS = Path(__file__).resolve().parents[2]

# From the bottom up: an app may import the apps before it in this list, never those after it.
LAYERS = [
    "core",
    "accounts",
    "projects",
    "work",
    "bench",
    "funding",
    "billing",
    "campaigns",
    "matching",
    "impact",
    "site",
]

LEFT_OUT = {"tests", "migrations", "templates", "static", "locale", "__pycache__"}


@dataclass(frozen=True)
class Import:
    source: str  # the importing app
    target: str  # the imported app
    module: str  # the imported module, e.g. relais.bench.models
    where: str  # path:line of the import statement

    def __str__(self) -> str:
        return f"{self.where}: {self.source} imports {self.module}"


def app_names() -> list[str]:
    return sorted(
        path.parent.name for path in RELAIS.glob("*/apps.py") if path.parent.name not in LEFT_OUT
    )


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _runtime_imports(tree: ast.AST) -> list[ast.Import | ast.ImportFrom]:
    """Every import statement of the tree, except those under `if TYPE_CHECKING:`."""
    found: list[ast.Import | ast.ImportFrom] = []

    def visit(node: ast.AST) -> None:
        if isinstance(node, ast.If) and _is_type_checking(node):
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import | ast.ImportFrom):
            found.append(node)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def _imported_modules(node: ast.Import | ast.ImportFrom, package: list[str]) -> list[str]:
    """The dotted modules an import statement may load (`from a import b` may load `a.b`)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = package[: len(package) - node.level + 1] if node.level else []
    module = ".".join([*base, *([node.module] if node.module else [])])
    return [module] + [f"{module}.{alias.name}" for alias in node.names]


def app_modules() -> list[tuple[str, Path]]:
    """(app, file) for every module of every app, tests and migrations left out."""
    modules = []
    for app in app_names():
        for path in sorted((RELAIS / app).rglob("*.py")):
            if LEFT_OUT.intersection(path.relative_to(RELAIS / app).parts[:-1]):
                continue
            modules.append((app, path))
    return modules


def imports_between_apps() -> list[Import]:
    apps = set(app_names())
    edges = []
    for app, path in app_modules():
        relative = path.relative_to(RELAIS.parent)
        package = list(relative.with_suffix("").parts)
        if path.name != "__init__.py":
            package = package[:-1]
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in _runtime_imports(tree):
            for module in _imported_modules(node, package):
                parts = module.split(".")
                if len(parts) > 1 and parts[0] == "relais" and parts[1] in apps:
                    if parts[1] != app:
                        edges.append(Import(app, parts[1], module, f"{relative}:{node.lineno}"))
                    break
    return edges


def _circles(edges: list[Import]) -> list[set[str]]:
    """The groups of apps that import each other in a circle (strongly connected, two or more)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        graph.setdefault(edge.source, set()).add(edge.target)

    def reachable(start: str) -> set[str]:
        seen, todo = set(), [start]
        while todo:
            for target in graph.get(todo.pop(), ()):
                if target not in seen:
                    seen.add(target)
                    todo.append(target)
        return seen

    reach = {app: reachable(app) for app in graph}
    circles: list[set[str]] = []
    for app in sorted(graph):
        circle = {other for other in reach[app] if app in reach.get(other, set())}
        if circle and circle not in circles:
            circles.append(circle)
    return circles


def test_every_app_has_a_declared_layer():
    undeclared = sorted(set(app_names()) - set(LAYERS))
    assert not undeclared, f"Add these apps to LAYERS (and to docs/architecture.md): {undeclared}"


def test_the_graph_sees_imports_inside_functions_and_relative_ones():
    tree = ast.parse(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from relais.bench.models import Mission\n"
        "def f():\n"
        "    from relais.work import selectors\n"
        "from ..projects.models import Project\n"
    )
    found = [
        module
        for node in _runtime_imports(tree)
        for module in _imported_modules(node, ["relais", "accounts"])
    ]
    assert "relais.work.selectors" in found
    assert "relais.projects.models" in found
    assert not any(module.startswith("relais.bench") for module in found)


def upward(edges: list[Import]) -> list[Import]:
    """The imports of an app above the importing one (an undeclared app counts as the top)."""
    rank = {app: index for index, app in enumerate(LAYERS)}
    top = len(rank)
    return [edge for edge in edges if rank.get(edge.target, top) > rank.get(edge.source, top)]


def services_imports(source: str, package: list[str]) -> list[int]:
    """The lines of a module's source that import a services module."""
    return [
        node.lineno
        for node in _runtime_imports(ast.parse(source))
        if any(m.split(".")[-1] == "services" for m in _imported_modules(node, package))
    ]


def test_the_checks_catch_an_upward_import_a_circle_and_a_selector_calling_a_service():
    # Two of the imports that made every app one circle before the layers were drawn.
    edges = [
        Import("work", "bench", "relais.bench.models", "relais/work/selectors.py:11"),
        Import("bench", "work", "relais.work.services", "relais/bench/services.py:49"),
        Import("projects", "accounts", "relais.accounts.models", "relais/projects/models.py:9"),
    ]
    assert [edge.where for edge in upward(edges)] == ["relais/work/selectors.py:11"]
    assert _circles(edges) == [{"bench", "work"}]
    source = "from relais.bench.services import terms_at\nfrom . import services\n"
    assert services_imports(source, ["relais", "bench"]) == [1, 2]
    assert services_imports("from relais.bench import returns\n", ["relais", "bench"]) == []


def test_no_app_imports_an_app_above_it():
    wrong = [str(edge) for edge in upward(imports_between_apps())]
    assert not wrong, "Imports against the layers " + " ← ".join(LAYERS) + ":\n" + "\n".join(wrong)


def test_apps_never_import_each_other_in_a_circle():
    edges = imports_between_apps()
    circles = _circles(edges)
    report = []
    for circle in circles:
        report.append("Circle of " + ", ".join(sorted(circle)) + ":")
        report.extend(
            f"    {edge}" for edge in edges if edge.source in circle and edge.target in circle
        )
    assert not circles, "Apps importing each other in a circle:\n" + "\n".join(report)


def test_selectors_never_import_services():
    offending = []
    for _app, path in app_modules():
        if path.stem != "selectors" and path.parent.name != "selectors":
            continue
        relative = path.relative_to(RELAIS.parent)
        package = list(relative.with_suffix("").parts)[:-1]
        lines = services_imports(path.read_text(encoding="utf-8"), package)
        offending.extend(f"{relative}:{line}" for line in lines)
    assert not offending, "A selector reads; it never imports a services module:\n" + "\n".join(
        offending
    )


# The queryset methods that write: `Model.objects.….update(…)` and the like.
QUERYSET_WRITES = {"create", "update", "delete", "bulk_create", "bulk_update"}
QUERYSET_WRITES |= {"get_or_create", "update_or_create"}


def foreign_writes(source: str, app: str, where: str) -> list[str]:
    """The writes through `Model.objects` (or a queryset of it) in `source`, code of `app`, to a
    model of another app imported by name from its `models` module."""
    tree = ast.parse(source)
    owner: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("relais."):
            parts = (node.module or "").split(".")
            if len(parts) == 3 and parts[2] == "models":
                owner.update({alias.asname or alias.name: parts[1] for alias in node.names})
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        if node.func.attr not in QUERYSET_WRITES:
            continue
        # Down the chain `Model.objects.filter(…).update` to the name it starts from.
        base: ast.AST = node.func.value
        while isinstance(base, ast.Call | ast.Attribute):
            base = base.func if isinstance(base, ast.Call) else base.value
        if isinstance(base, ast.Name) and owner.get(base.id, app) != app:
            found.append(
                f"{where}:{node.lineno}: {app} writes {owner[base.id]}.{base.id} "
                f"(.{node.func.attr}) instead of calling the {owner[base.id]} app's services"
            )
    return found


def test_the_write_check_catches_a_write_to_another_apps_model():
    source = (
        "from relais.accounts.models import Invitation\n"
        "from relais.bench.models import Mission\n"
        "Invitation.objects.filter(pk=1).update(payload={})\n"
        "Mission.objects.create()\n"
    )
    assert foreign_writes(source, "bench", "x.py") == [
        "x.py:3: bench writes accounts.Invitation (.update) instead of calling the accounts app's "
        "services"
    ]


def test_an_app_changes_another_apps_data_only_through_its_services():
    wrong = []
    for app, path in app_modules():
        wrong += foreign_writes(path.read_text(), app, str(path.relative_to(RELAIS.parent)))
    assert not wrong, "Writes to another app's models:\n" + "\n".join(wrong)
