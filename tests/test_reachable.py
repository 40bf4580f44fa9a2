"""Every capability in core is reachable by the people who need it: each public function of
core is called from a front end (tui/ today; the web and the check-in server when they
exist), directly or through other core functions that are, or it is in ALLOWED below
with the reason. A new service nobody can reach then fails here.

The references are read from the source (imports, `module.name` and plain names), so a
function named anywhere in a reachable function counts as reached: a close enough reading
for services, which are called by name."""

from __future__ import annotations

import ast
from collections import defaultdict, deque
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
# hardware is reached from tui (printing, the camera) and calls core itself
FRONT_ENDS = ("tui", "web", "gateserver", "hardware")

# Public functions of core that no front end reaches, each with why that is right.
ALLOWED: dict[str, str] = {
    **{f"core.migrations.{step.stem}:apply": "run in order by the registry in "
       "core.migrations, through store.schema.migrate"
       for step in (Path(__file__).parent.parent / "core" / "migrations").glob("m[0-9]*.py")},
    "core.concessions.stock:check_stock": "the stock ledger's invariant, asserted by the "
    "tests after stock changes; no command offers it yet",
    "core.store.db:integrity_errors": "tests: a CHECK, unique index or trigger refusal "
    "on either engine",
    "core.gate.codes:decode_unverified": "diagnostics and tests: a code's record unchecked",
    "core.gate.codes:normalise_scan": "tests: what verify_token does to scanned text",
    "core.venue.best_available:best_available": "the plain reference the index (used by "
    "carts) is tested against",
    "core.seatmap.pretix:convert_pretix_plan": "the parsed-plan form of convert_pretix_json "
    "(which `boxoffice seatmap import-pretix` calls), for tests",
    "core.venue.inventory:hold_area_places": "no way in yet: holding general-admission "
    "places (the window's hold painter and `hold` work on seats; a follow-up)",
    "core.gate.keys:import_public_keys": "the gate side of export_public_keys: for a gate "
    "device that loads a key file (gate packs carry their keys in the pack)",
}


def module_name(path: Path) -> str:
    return ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")


class Source:
    """One module: its public functions, what each refers to, and its import table."""

    def __init__(self, path: Path, core_modules: set[str]) -> None:
        self.name = module_name(path)
        self.tree = ast.parse(path.read_text(), str(path))
        self.aliases: dict[str, str] = {}       # local name -> "module" or "module:function"
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    local = alias.asname or alias.name
                    self.aliases[local] = full if full in core_modules else (
                        f"{node.module}:{alias.name}")
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    self.aliases[alias.asname or alias.name] = alias.name
        self.functions = {node.name: node for node in self.tree.body
                          if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
        self.classes = {node.name: node for node in self.tree.body
                        if isinstance(node, ast.ClassDef)}

    def references(self, node: ast.AST) -> set[str]:
        """"module:function" names `node` refers to."""
        found = set()
        for inner in ast.walk(node):
            if isinstance(inner, ast.Attribute) and isinstance(inner.value, ast.Name):
                target = self.aliases.get(inner.value.id)
                if target and ":" not in target:
                    found.add(f"{target}:{inner.attr}")
            elif isinstance(inner, ast.Name):
                target = self.aliases.get(inner.id)
                if target and ":" in target:
                    found.add(target)
                elif inner.id in self.functions or inner.id in self.classes:
                    found.add(f"{self.name}:{inner.id}")
        return found


def sources(package: str, core_modules: set[str]) -> list[Source]:
    root = REPO / package
    return [Source(path, core_modules) for path in sorted(root.rglob("*.py"))] if (
        root.exists()) else []


def reachability() -> tuple[set[str], set[str]]:
    """(every public core function, the ones a front end reaches)."""
    core_modules = {module_name(path) for path in (REPO / "core").rglob("*.py")}
    core = sources("core", core_modules)
    public = {f"{src.name}:{name}" for src in core for name in src.functions
              if not name.startswith("_")}
    edges: dict[str, set[str]] = defaultdict(set)
    for src in core:
        for name, node in src.functions.items():
            edges[f"{src.name}:{name}"] |= src.references(node)
        for name, cls in src.classes.items():   # methods and properties call services too
            edges[f"{src.name}:{name}"] |= src.references(cls)
        for local, target in src.aliases.items():   # a name a package re-exports
            if ":" in target:
                edges[f"{src.name}:{local}"].add(target)
    start = set()
    for package in FRONT_ENDS:
        for src in sources(package, core_modules):
            start |= src.references(src.tree)
    reached, queue = set(start), deque(start)
    while queue:
        for other in edges.get(queue.popleft(), ()):
            if other not in reached:
                reached.add(other)
                queue.append(other)
    return public, reached


def test_every_public_core_function_is_reached_from_a_front_end_or_allowed() -> None:
    public, reached = reachability()
    unreached = sorted(public - reached - set(ALLOWED))
    assert unreached == [], "reach these from a screen or a command, or allow them: " + (
        ", ".join(unreached))


def test_the_allow_list_names_only_functions_that_exist_and_are_unreached() -> None:
    public, reached = reachability()
    assert sorted(set(ALLOWED) - public) == []          # renamed or removed
    assert sorted(set(ALLOWED) & reached) == []         # reached now: take it off
    assert all(reason.strip() for reason in ALLOWED.values())
