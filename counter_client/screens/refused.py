"""F7: what the server refused from the offline journal, with its reason.

A refused visit or request is never dropped silently: the agent reads why, then sends it
again (once the cause is fixed, e.g. the case now exists) or sets it aside; set-aside
entries stay in the journal file for the record.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Label

from counter_client.host import CounterHost
from counter_client.journal import EntryKind, EntryState, JournalEntry
from counter_client.messages import JournalChanged
from crm_core.client.tui import labels
from crm_core.client.tui.fast_table import FastTable
from crm_core.client.tui.key_bar import KeyBar
from crm_core.client.tui.letter_keys import with_capitals
from crm_core.client.tui.message_line import MessageLine

KIND_LABELS = {EntryKind.INTERACTION: "Visite", EntryKind.CASE: "Demande"}


def describe(entry: JournalEntry) -> str:
    """What the entry was, in the agent's words: outcome and note, or the request subject."""
    payload = entry.payload
    if entry.kind is EntryKind.CASE:
        return str(payload.get("subject") or "")
    outcome = labels.label(labels.OUTCOMES, payload.get("outcome"))
    reference = payload.get("case_reference")
    return f"{outcome}" + (f" · {labels.reference(reference)}" if reference else "")


class RefusedScreen(ModalScreen[None]):
    BINDINGS = with_capitals(
        Binding("r", "retry", "Renvoyer"),
        Binding("e", "set_aside", "Écarter"),
        Binding("escape", "close", "Fermer"),
        Binding("f7", "close", "Fermer", show=False),
    )

    @property
    def counter(self) -> CounterHost:
        assert isinstance(self.app, CounterHost)
        return self.app

    def compose(self) -> ComposeResult:
        with Vertical(classes="form", id="refused") as box:
            box.border_title = "Refusés par le serveur"
            yield Label("R renvoyer une fois la cause corrigée · E écarter (gardé sur ce poste)")
            yield FastTable(id="entries", cursor_type="row", zebra_stripes=True)
            yield MessageLine()
        yield KeyBar()

    def on_mount(self) -> None:
        table = self.query_one("#entries", FastTable)
        table.add_columns("Quand", "Quoi", "Détail", "Motif du refus")
        if self._all_agents:
            table.add_column("Agent")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        table = self.query_one("#entries", FastTable)
        table.clear()
        session = self.counter.session
        for entry in self.counter.journal.entries(EntryState.REJECTED):
            # An agent sees only their own (and ownerless old ones); a supervisor, all.
            if not self._all_agents and entry.agent not in (
                    None, session.username if session else None):
                continue
            who = (entry.agent_name or "",) if self._all_agents else ()
            table.add_row(
                labels.local_datetime(entry.created_at, zone=self.counter.city.zone),
                KIND_LABELS[entry.kind],
                describe(entry), entry.error or "", *who, key=str(entry.id),
            )
        self.query_one(MessageLine).say(
            "" if table.row_count else "Aucun envoi refusé."
        )

    @property
    def _all_agents(self) -> bool:
        session = self.counter.session
        return session is not None and session.supervisor

    def _selected(self) -> int | None:
        table = self.query_one("#entries", FastTable)
        if not table.row_count:
            return None
        row_key, _ = table.coordinate_to_cell_key(table.cursor_coordinate)
        return int(str(row_key.value))

    def action_retry(self) -> None:
        entry_id = self._selected()
        if entry_id is None:
            return
        self.counter.journal.retry(entry_id)
        self.app.post_message(JournalChanged())
        self._fill()
        self.query_one(MessageLine).say("Renvoyé : il part avec les prochains envois.")

    def action_set_aside(self) -> None:
        entry_id = self._selected()
        if entry_id is None:
            return
        self.counter.journal.dismiss(entry_id)
        self.app.post_message(JournalChanged())
        self._fill()
        self.query_one(MessageLine).say("Écarté : gardé dans le journal de ce poste.")

    def action_close(self) -> None:
        self.dismiss(None)
