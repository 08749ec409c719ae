"""Data flows one way, collect → model → rules → evaluate → result → reporters.

The collector decides no rule question itself: what it may skip comes in from the command
(collect/reads_needed.py). So no module under auditor/collect imports the layers after it,
not even lazily inside a function.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

COLLECT = Path(__file__).resolve().parents[1] / "auditor" / "collect"
LATER_LAYERS = ("auditor.rules", "auditor.evaluate", "auditor.report")


def imported_modules(source: str, package: str) -> set[str]:
    """Every module ``source`` (a module of ``package``) imports, at any depth, relative ones resolved."""
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(parent + ([base] if base else []))
            modules.add(base)
            # ``from auditor import rules`` imports the module auditor.rules.
            modules.update(f"{base}.{alias.name}" for alias in node.names)
    return modules


def later_layer_imports(source: str, package: str = "auditor.collect") -> list[str]:
    return sorted(
        module
        for module in imported_modules(source, package)
        if any(module == layer or module.startswith(layer + ".") for layer in LATER_LAYERS)
    )


@pytest.mark.parametrize("path", sorted(COLLECT.rglob("*.py")), ids=lambda path: path.name)
def test_no_collect_module_imports_a_later_layer(path: Path) -> None:
    assert later_layer_imports(path.read_text(encoding="utf-8")) == []


@pytest.mark.parametrize(
    "source",
    [
        "import auditor.rules.facts",
        "from auditor.rules.facts import functions_needed",
        "def lazy():\n    from auditor.evaluate import evaluate",
        "from auditor import report",
        "from ..rules import RULES",
    ],
)
def test_the_check_sees_every_form_of_import(source: str) -> None:
    assert later_layer_imports(source) != []


def test_the_collect_package_is_where_the_check_looks() -> None:
    assert (COLLECT / "inventory.py").is_file()
