"""The package's shape holds: layers import only downwards, the core is pure, modules stay small."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "incident_ops"
MAX_LINES = 300
PACKAGES = (
    "core",
    "github",
    "config",
    "serving",
    "integrations",
    "cli",
    "emulator",
    "standins",
    "status_page",
)


def test_the_import_contracts_of_pyproject_hold() -> None:
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from importlinter.cli import lint_imports_command; sys.exit(lint_imports_command())",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


BLOCKER = """
import importlib, importlib.abc, pkgutil, sys

class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in {blocked}:
            raise ImportError(f"{{name}} is not installed here")
        return None

sys.meta_path.insert(0, Block())
import incident_ops.{package} as package
for info in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
    importlib.import_module(info.name)
print("imported")
"""


@pytest.mark.parametrize(
    ("package", "blocked"),
    [
        ("core", {"github", "requests", "urllib3"}),
        ("config", {"github", "requests", "urllib3", "jinja2", "markdown_it"}),
        ("serving", {"github"}),
        ("integrations", {"github"}),
        ("status_page", {"github", "requests", "urllib3"}),
        ("emulator", {"github", "requests", "yaml", "jinja2", "markdown_it", "holidays", "dateutil"}),
        ("standins", {"github", "requests", "yaml", "jinja2", "markdown_it", "holidays", "dateutil"}),
    ],
)
def test_a_layer_imports_without_what_it_must_not_use(package: str, blocked: set[str]) -> None:
    code = BLOCKER.format(blocked=sorted(blocked), package=package)
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and "imported" in done.stdout, done.stderr[-3000:]


def test_no_module_is_past_the_size_guide() -> None:
    long = {
        str(path.relative_to(ROOT)): count
        for path in PACKAGE.rglob("*.py")
        if (count := len(path.read_text(encoding="utf-8").splitlines())) > MAX_LINES
    }
    assert long == {}


@pytest.mark.parametrize("package", PACKAGES)
def test_each_package_says_what_it_is_and_what_it_may_import(package: str) -> None:
    tree = ast.parse((PACKAGE / package / "__init__.py").read_text(encoding="utf-8"))
    doc = ast.get_docstring(tree) or ""
    assert len(doc) > 60 and "import" in doc, doc


def test_late_imports_are_only_the_listed_slow_modules_and_the_subcommands() -> None:
    late: dict[str, str] = {}
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        type_only = {
            id(node)
            for block in ast.walk(tree)
            if isinstance(block, ast.If) and "TYPE_CHECKING" in ast.unparse(block.test)
            for node in ast.walk(block)
        }
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom) and id(node) not in type_only:
                    late[f"{path.relative_to(ROOT)}:{node.lineno}"] = ast.unparse(node)
    # Only the dispatcher may import a subcommand's module when that subcommand runs.
    subcommands = {
        where: text
        for where, text in late.items()
        if where.startswith("incident_ops/cli/main.py") and text.startswith("from incident_ops.cli.")
    }
    assert late == subcommands and len(subcommands) >= 3, late
