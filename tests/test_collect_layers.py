"""Data flows one way, collect → model → rules → evaluate → result → reporters.

The collector decides no rule question itself: what it may skip comes in from the command
(collect/reads_needed.py). So no module under auditor/collect imports the layers after it,
not even lazily inside a function.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

import pytest

from auditor.collect.cassettes import replaying
from auditor.collect.clients import FakeCredential
from auditor.collect.inventory import collect_inventory
from auditor.collect.reads_needed import ReadsNeeded
from auditor.model import App, DataKey, Inventory
from auditor.rules.reads_needed import READS_NEEDED

REPO = Path(__file__).resolve().parents[1]
COLLECT = REPO / "auditor" / "collect"
DEMO_SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"
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


@dataclass(frozen=True)
class _NoFunctions:
    functions_not_needed_because: str = "not needed by this test"

    def functions_needed(self, app: App) -> bool:
        return False


def _demo_inventory(reads_needed: ReadsNeeded) -> tuple[Inventory, list[str]]:
    """The demo's inventory, and the path of every recorded request the collector sent."""
    with replaying(REPO / "cassettes" / "demo") as played:
        inventory = collect_inventory([DEMO_SUBSCRIPTION], FakeCredential(), reads_needed=reads_needed)
        paths = [request.path for index, request in enumerate(played.requests) if played.play_counts[index]]
    return inventory, paths


def test_the_collector_skips_exactly_what_the_policy_it_is_given_says() -> None:
    by_rules, paths_by_rules = _demo_inventory(READS_NEEDED)
    functions_reads = [path for path in paths_by_rules if path.endswith("/functions")]
    assert functions_reads, "the demo must hold apps whose functions the rules need"

    none, paths = _demo_inventory(_NoFunctions())
    assert paths == [path for path in paths_by_rules if not path.endswith("/functions")]
    assert len(none.apps) == len(by_rules.apps)
    for app in none.apps:
        assert app.functions is None
        assert DataKey.FUNCTIONS not in app.missing
        assert app.not_read[DataKey.FUNCTIONS] == "not needed by this test"
