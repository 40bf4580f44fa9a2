"""The layers: core imports no UI or device library; nothing outside tui imports tui."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.constants import REPO

FORBIDDEN_IN_CORE = ("textual", "rich", "escpos", "cv2", "zxingcpp", "pyzbar", "tui",
                     "hardware")


def modules(package: str) -> list[str]:
    root = REPO / package
    return sorted(
        ".".join(path.relative_to(REPO).with_suffix("").parts).removesuffix(".__init__")
        for path in root.rglob("*.py"))


@pytest.mark.parametrize("module", modules("core"))
def test_importing_a_core_module_loads_no_ui_or_device_library(module: str) -> None:
    probe = (
        f"import sys, {module}\n"
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {FORBIDDEN_IN_CORE!r})\n"
        "print(','.join(bad))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            cwd=REPO, check=True)
    assert result.stdout.strip() == "", f"{module} pulled in {result.stdout.strip()}"


def imported_names(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("package", ["core", "hardware", "seatmaps", "tools"])
def test_no_layer_below_the_ui_imports_tui(package: str) -> None:
    offenders = [str(path.relative_to(REPO)) for path in (REPO / package).rglob("*.py")
                 if "tui" in imported_names(path)]
    assert offenders == []

