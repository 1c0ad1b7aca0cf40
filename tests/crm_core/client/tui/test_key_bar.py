"""The key bar names keys as printed on French keyboards and follows the screen's bindings."""

from __future__ import annotations

import pytest
from textual.app import App, ComposeResult
from textual.binding import Binding

from crm_core.client.tui.key_bar import KeyBar, key_label


@pytest.mark.parametrize(("shown", "label"), [
    ("v", "V"), ("f5", "F5"), ("f10", "F10"), ("^s", "Ctrl+S"), ("esc", "Échap"),
    ("enter", "Entrée"), ("delete", "delete"),
])
def test_key_labels(shown: str, label: str) -> None:
    assert key_label(shown) == label


class _Bar(App[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("v", "visit", "Visite"), Binding("r", "reload", "Actualiser", show=False),
        Binding("escape", "back", "Retour"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyBar()


@pytest.mark.anyio
async def test_the_bar_lists_the_shown_bindings_only() -> None:
    app = _Bar()
    async with app.run_test(size=(60, 5)) as pilot:
        await pilot.pause()
        text = str(app.query_one(KeyBar).render())
    assert "V  Visite" in text and "Échap  Retour" in text
    assert "Actualiser" not in text


class _Crowded(App[None]):
    BINDINGS = [  # noqa: RUF012
        *[Binding(key, f"a{key}", label) for key, label in [
            ("v", "Visite"), ("n", "Demande"), ("s", "Statut"), ("c", "Coordonnée"),
            ("b", "Badge"), ("p", "Reçu"), ("f5", "Suivant"), ("escape", "Retour"),
            ("f2", "Contraste"), ("f7", "Refusés")]],
        Binding("f1", "help", "Aide"), Binding("f10", "sign_out", "Déconnexion"),
    ]

    def compose(self) -> ComposeResult:
        yield KeyBar()


@pytest.mark.anyio
async def test_at_80_columns_help_and_sign_out_are_always_on_the_bar() -> None:
    # issue 19: the bar ended « F1 Aide F2 » and F10 was cut off.
    app = _Crowded()
    async with app.run_test(size=(80, 5)) as pilot:
        await pilot.pause()
        text = str(app.query_one(KeyBar).render())
    assert len(text.rstrip()) <= 80 and "…" not in text
    assert text.startswith(" V  Visite ")  # the screen's keys first, in order
    assert text.rstrip().endswith("F1  Aide  F10  Déconnexion")
