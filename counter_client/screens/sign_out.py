"""Signing out with visits or requests still waiting to be sent: the agent is told first.

They stay on this workstation under this agent's name and leave at their next sign-in
here; they are never sent under another agent's name.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Static

from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals


class SignOutScreen(ModalScreen[bool]):
    """Dismissed with True (sign out anyway) or False (stay signed in)."""

    BINDINGS = with_capitals(
        Binding("d", "leave", "Se déconnecter quand même"),
        Binding("escape", "stay", "Rester connecté"),
    )

    def __init__(self, waiting: int) -> None:
        super().__init__()
        self.waiting = waiting

    def compose(self) -> ComposeResult:
        plural = "s" if self.waiting > 1 else ""
        with Vertical(classes="form") as box:
            box.border_title = "Déconnexion"
            yield Static(f"{self.waiting} élément{plural} en attente d'envoi au serveur.",
                         classes="strong")
            yield Static("Ils restent sur ce poste, à votre nom, et partiront à votre"
                         " prochaine connexion ici (jamais sous le nom d'un collègue)."
                         " Se déconnecter quand même (D) ou rester connecté (Échap) ?")
        yield KeyBar()

    def action_leave(self) -> None:
        self.dismiss(True)

    def action_stay(self) -> None:
        self.dismiss(False)
