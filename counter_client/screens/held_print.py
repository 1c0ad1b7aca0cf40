"""A waiting print job the app will not print by itself: the agent decides."""

from __future__ import annotations

from datetime import UTC, datetime

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from badge.printing import PrintJob
from crm_core.client.tui import labels
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals


class HeldPrintScreen(ModalScreen[bool]):
    """Dismissed with True (print it now) or False (discard it)."""

    BINDINGS = with_capitals(
        Binding("i", "print_now", "Imprimer ici maintenant"),
        Binding("x", "discard", "Ne pas imprimer"),
    )

    def __init__(self, job: PrintJob, *, max_wait_minutes: float, city: CityTime) -> None:
        super().__init__()
        self.city = city
        self.job = job
        self.max_wait_minutes = max_wait_minutes

    def compose(self) -> ComposeResult:
        minutes = int((datetime.now(UTC) - self.job.created_at).total_seconds() // 60)
        made = labels.local_datetime(self.job.created_at.isoformat(), zone=self.city.zone)
        with Vertical(classes="form") as box:
            box.border_title = "Impression en attente"
            yield Static(Text(f"« {self.job.label} » attend l'imprimante depuis le {made}"
                              f" ({minutes} min)."), classes="strong")
            if minutes >= self.max_wait_minutes:
                why = f"Il attend depuis plus de {self.max_wait_minutes:g} min"
            else:
                why = "Il a été préparé pour une personne qui n'est plus affichée à l'écran"
            yield Static(f"{why} : la personne est peut-être partie. L'imprimer ici"
                         " maintenant, ou ne pas l'imprimer ?")
        yield KeyBar()

    def action_print_now(self) -> None:
        self.dismiss(True)

    def action_discard(self) -> None:
        self.dismiss(False)
