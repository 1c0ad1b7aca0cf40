"""F8 (supervisors): what agents who are not coming back left waiting on this workstation.

An agent's offline work leaves only in their own session, so the visits of one who left
the job, or was deactivated, would wait here forever. A supervisor signed in at this
counter picks an author and sends their entries (T: recorded under the supervisor's
session, each note naming who entered it offline) or, after a confirmation, discards them
(E: kept in the journal file, marked with who did it and when).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label, Static

from counter_client.host import CounterHost
from counter_client.journal import LeftBehind, SyncReport
from counter_client.messages import JournalChanged
from crm_core.client.tui import labels
from crm_core.client.tui.fast_table import FastTable
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals
from crm_core.client.tui.message_line import MessageLine

ONLY_SUPERVISORS = ("Réservé aux responsables d'accueil : les éléments d'un autre agent"
                    " partent à sa prochaine connexion sur ce poste.")


def _items(count: int) -> str:
    return f"{count} élément{'s' if count > 1 else ''}"


class ConfirmDiscardScreen(ModalScreen[bool]):
    """True: discard; False (Escape, the safe choice): keep them waiting."""

    BINDINGS = with_capitals(
        Binding("o", "discard", "Oui, écarter"),
        Binding("escape", "keep", "Non, garder"),
    )

    def __init__(self, waiting: LeftBehind) -> None:
        super().__init__()
        self.waiting = waiting

    def compose(self) -> ComposeResult:
        with Vertical(classes="form") as box:
            box.border_title = "Écarter sans envoyer ?"
            yield Static(f"{_items(self.waiting.count)} de {self.waiting.agent_name} ne"
                         " seront jamais envoyés au serveur.", classes="strong")
            yield Static("Ils restent dans le journal de ce poste, marqués écartés par vous."
                         " Écarter (O) ou garder (Échap) ?")
        yield KeyBar()

    def action_discard(self) -> None:
        self.dismiss(True)

    def action_keep(self) -> None:
        self.dismiss(False)


class LeftBehindScreen(ModalScreen[None]):
    BINDINGS = with_capitals(
        Binding("t", "send", "Transmettre"),
        Binding("e", "discard", "Écarter"),
        Binding("escape", "close", "Fermer"),
        Binding("f8", "close", "Fermer", show=False),
    )

    @property
    def counter(self) -> CounterHost:
        assert isinstance(self.app, CounterHost)
        return self.app

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="left-behind") as box:
            box.border_title = "En attente d'autres agents"
            yield Label("T transmettre en votre nom (l'auteur est cité dans la note)"
                        " · E écarter")
            yield FastTable(id="authors", cursor_type="row", zebra_stripes=True)
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#authors", FastTable)
        table.add_columns("Saisi par", "Identifiant", "Éléments", "Depuis le")
        self._fill()
        table.focus()

    def _waiting(self) -> list[LeftBehind]:
        session = self.counter.session
        return self.counter.journal.left_behind(session.username if session else None)

    def _fill(self) -> None:
        table = self.query_one("#authors", FastTable)
        table.clear()
        for waiting in self._waiting():
            table.add_row(waiting.agent_name, waiting.agent, str(waiting.count),
                          labels.local_datetime(waiting.since, zone=self.counter.city.zone),
                          key=waiting.agent)
        if not table.row_count:
            self.say("Rien n'attend d'autres agents sur ce poste.")

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error=error)

    def _selected(self) -> LeftBehind | None:
        table = self.query_one("#authors", FastTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return next((w for w in self._waiting() if w.agent == row_key.value), None)

    def action_send(self) -> None:
        waiting = self._selected()
        if waiting is None:
            return
        self.say(f"Envoi de {_items(waiting.count)} de {waiting.agent_name}…")

        def done(report: SyncReport) -> None:
            if not self.is_attached:
                return
            self._fill()
            if report.unreachable or report.auth_expired:
                self.say("Serveur injoignable : rien n'est perdu, réessayez à son retour.",
                         error=True)
            elif report.rejected:
                self.say(f"{_items(len(report.sent))} envoyé(s), {len(report.rejected)}"
                         " refusé(s) : F7 pour voir le motif.", error=True)
            else:
                self.say(f"{_items(len(report.sent))} de {waiting.agent_name} envoyé(s)"
                         " en votre nom, avec son nom dans la note.")

        self.counter.sender.send_left_behind(waiting.agent, done)

    def action_discard(self) -> None:
        waiting = self._selected()
        if waiting is None:
            return

        def answered(discard: bool | None) -> None:
            session = self.counter.session
            if not discard or session is None:
                return
            count = self.counter.journal.discard_left_behind(
                author=waiting.agent, by=session.display_name)
            self.app.post_message(JournalChanged())
            self._fill()
            self.say(f"{_items(count)} de {waiting.agent_name} écarté(s) : gardé(s) dans le"
                     " journal de ce poste.")

        self.app.push_screen(ConfirmDiscardScreen(waiting), answered)

    def action_close(self) -> None:
        self.dismiss(None)
