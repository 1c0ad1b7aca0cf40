"""The card reader's side of the counter app: a thread worker waits for taps, and each
card tapped opens the resident it belongs to (or goes to the badge screen enrolling it)."""

from __future__ import annotations

from badge.card import CardEventKind
from counter_client.host import CounterHost
from counter_client.messages import ShowResident
from crm_core.client.types import ResidentSummary


class CardWatching(CounterHost):
    def _watch_card_reader(self) -> None:
        """Background worker: each card tap opens the resident it belongs to."""
        from textual.worker import get_current_worker

        reader = self.card_reader
        assert reader is not None
        worker = get_current_worker()
        while not worker.is_cancelled:
            event = reader.next_event(timeout=0.5)
            if event is None:
                continue
            if event.kind is CardEventKind.CARD_INSERTED and event.uid:
                self.call_from_thread(self.card_tapped, event.uid.hex().upper())
            elif event.kind is CardEventKind.READ_FAILED and event.error is not None:
                self.say_later(event.error.message_fr, error=True)
            elif event.kind is CardEventKind.READER_DISCONNECTED:
                self.say_later("Lecteur de cartes débranché ou arrêté.", error=True)

    def card_tapped(self, uid_hex: str) -> None:
        from counter_client.screens.badge import BadgeScreen

        if isinstance(self.screen, BadgeScreen) and self.screen.enrolling:
            self.screen.card_read(uid_hex)
            return
        self.gc_pause.hold()
        self.say_later("Carte lue, recherche de l'usager…")

        def found(summary: ResidentSummary) -> None:
            self.post_message(ShowResident(summary))

        self.call_server(lambda: self.client.lookup(card=uid_hex), found,
                         group="open", exclusive=True)
