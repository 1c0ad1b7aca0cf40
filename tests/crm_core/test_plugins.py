"""The core finds the integrations (and `relais bench`) through entry points: it imports
none of them, and no domain imports the demo."""

from __future__ import annotations

import ast
from pathlib import Path

import crm_core
from crm_core.config import get_settings
from crm_core.plugins import plugins
from crm_core.space.accounts import NoOnlineAccounts, online_accounts

CORE = Path(crm_core.__file__).parent
# The composition roots may load the demo (in demo mode only); nothing else may.
DEMO_ALLOWED = {"app/main.py", "app/cli.py", "app/launcher.py"}


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
    return names


def test_the_core_imports_neither_integrations_nor_benchmarks() -> None:
    offending = {
        str(path.relative_to(CORE)): sorted(name for name in _imported(path)
                                            if name.split(".")[0] in ("integrations",
                                                                      "benchmarks"))
        for path in CORE.rglob("*.py")
    }
    assert {path: names for path, names in offending.items() if names} == {}


def test_no_domain_imports_the_demo() -> None:
    offending = [
        str(path.relative_to(CORE)) for path in CORE.rglob("*.py")
        if path.relative_to(CORE).parts[0] != "demo"
        and str(path.relative_to(CORE)) not in DEMO_ALLOWED
        and any(name.startswith("crm_core.demo") for name in _imported(path))
    ]
    assert offending == []


def test_the_integrations_are_found_as_a_plugin() -> None:
    (integrations,) = plugins()
    assert integrations.name == "integrations"
    assert integrations.models == "integrations.models"
    assert [route for router in integrations.routers() for route in router.routes]
    assert not isinstance(online_accounts(get_settings()), NoOnlineAccounts)
