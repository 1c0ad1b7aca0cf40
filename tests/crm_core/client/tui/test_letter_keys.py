"""With Caps Lock on, the one-key actions still answer (outside test: « V » did nothing)."""

from __future__ import annotations

import importlib
import pkgutil

import pytest
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen

from crm_core.client.tui.letter_keys import is_letter_key, with_capitals

PACKAGES = ("counter_client", "phone_desk", "crm_core.client.tui")


def _classes_with_bindings() -> list[type]:
    for package_name in PACKAGES:
        package = importlib.import_module(package_name)
        for module in pkgutil.walk_packages(package.__path__, package_name + "."):
            importlib.import_module(module.name)
    found: list[type] = []
    pending: list[type] = [Screen, App]
    while pending:
        cls = pending.pop()
        pending.extend(cls.__subclasses__())
        if cls.__module__.startswith(PACKAGES) and "BINDINGS" in vars(cls):
            found.append(cls)
    return found


def test_every_one_letter_binding_has_its_hidden_capital_twin() -> None:
    """A new screen that forgets `with_capitals` fails here."""
    classes = _classes_with_bindings()
    assert {c.__name__ for c in classes} >= {"ResidentScreen", "WaitingScreen",
                                               "LinkNumberScreen", "DiscardScreen"}
    for cls in classes:
        bindings = [b for b in vars(cls)["BINDINGS"] if isinstance(b, Binding)]
        twins = {(b.key, b.action) for b in bindings if not b.show}
        for binding in bindings:
            if is_letter_key(binding.key):
                assert (binding.key.upper(), binding.action) in twins, (cls, binding.key)


def test_the_twins_are_hidden_and_only_for_single_letters() -> None:
    bindings = with_capitals(Binding("v", "visit", "Visite"), Binding("f5", "next", "Suivant"),
                             Binding("ctrl+s", "save", "Enregistrer", priority=True),
                             Binding("escape", "back", "Retour"))
    added = bindings[4:]
    assert added == [Binding("V", "visit", "Visite", show=False)]


@pytest.mark.parametrize("key", ["v", "é", "f1", "V", "ctrl+a"])
def test_what_counts_as_a_letter_key(key: str) -> None:
    assert is_letter_key(key) == (key in ("v", "é"))
