"""Imports point down: no import cycle inside core, tui or hardware (counting imports made
inside functions, which is how cycles hide), and no private name imported from another
module. pyproject.toml's import-linter contracts (`make lint`) check the layers between
packages; this checks the modules.

Imports under `if TYPE_CHECKING:` are not counted: they never run, and a screen naming its
app's type for `self.app` (Textual's app -> screen -> app) is a type, not a dependency."""

from __future__ import annotations

import ast
import subprocess
import sys
from collections import defaultdict
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PROJECT = ("core", "tui", "hardware")


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


def project_modules() -> dict[str, Path]:
    return {module_name(path): path for package in PROJECT
            for path in (REPO / package).rglob("*.py")}


def imports_of(path: Path, modules: dict[str, Path]) -> tuple[set[str], list[str]]:
    """The project modules `path` imports, anywhere in it, and the private names it takes
    from another module."""
    me = module_name(path)
    found: set[str] = set()
    private: list[str] = []
    tree = ast.parse(path.read_text(), str(path))
    type_only = {id(inner) for node in ast.walk(tree)
                 if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)
                 for inner in ast.walk(node)}
    for node in ast.walk(tree):
        if id(node) in type_only:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names if alias.name in modules)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] not in PROJECT:
                continue
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.add(target if target in modules else node.module)
                if alias.name.startswith("_") and node.module != me:
                    private.append(f"{me}: from {node.module} import {alias.name}")
    found.discard(me)
    return {name for name in found if name in modules}, private


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph[node]):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def graph_and_private() -> tuple[dict[str, set[str]], list[str]]:
    modules = project_modules()
    graph: dict[str, set[str]] = defaultdict(set)
    private: list[str] = []
    for name, path in modules.items():
        targets, taken = imports_of(path, modules)
        graph[name] |= targets
        private += taken
    return graph, private


def test_no_import_cycle_in_core_tui_or_hardware() -> None:
    graph, _ = graph_and_private()
    assert len(graph) > 100
    assert cycles(graph) == []


def test_no_private_name_is_imported_from_another_module() -> None:
    _, private = graph_and_private()
    assert private == []


def test_the_cycle_check_finds_a_cycle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert cycles(graph) == [["a", "b", "c"]]


@pytest.mark.parametrize("package", ["core"])
def test_walking_every_module_loads_no_ui_or_device_library(package: str) -> None:
    probe = (
        "import importlib, pkgutil, sys\n"
        f"import {package}\n"
        f"for info in pkgutil.walk_packages({package}.__path__, '{package}.'):\n"
        "    importlib.import_module(info.name)\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('textual', 'rich', 'escpos', 'cv2', 'zxingcpp', 'pyzbar', 'tui', 'hardware'))\n"
        "print(len([m for m in sys.modules if m.startswith('core')]), ','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, check=True)
    loaded, bad = result.stdout.strip().partition(" ")[::2]
    assert int(loaded) > 60 and bad == ""


# The data other layers import, and what it may import in turn: nothing but other data.
MODELS = ("core.sales.models", "core.till.models", "core.people.models", "core.money",
          "core.times", "core.report_model", "core.errors")


@pytest.mark.parametrize("model", MODELS)
def test_importing_a_type_pulls_in_no_service(model: str) -> None:
    probe = (f"import sys, {model}\n"
             "print(','.join(sorted(m for m in sys.modules if m.startswith('core.'))))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, check=True)
    loaded = set(filter(None, result.stdout.strip().split(",")))
    packages = {name.rsplit(".", 1)[0] for name in MODELS if name.count(".") > 1}
    assert loaded - set(MODELS) - packages == set()
