"""An in-memory card reader for application tests (the counter app).

The test plays the resident and the technician: :meth:`FakeCardReader.tap` puts a card on
the reader, :meth:`~FakeCardReader.remove` takes it away, :meth:`~FakeCardReader.unplug`
and :meth:`~FakeCardReader.plug` pull the cable, :meth:`~FakeCardReader.fail_next_read`
makes the next card unreadable. Events come out of :meth:`~FakeCardReader.next_event` in
the same order and with the same meaning as from the real PC/SC reader.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from badge.card.base import CardEvent, CardEventKind, CardReader
from badge.errors import CardAbsent, CardError, CardReaderUnavailable

__all__ = ["FakeCardReader"]


class FakeCardReader(CardReader):
    def __init__(self, *, name: str = "Lecteur de test 00 00", plugged: bool = True) -> None:
        self.name = name
        self._events: deque[CardEvent] = deque()
        self._cond = threading.Condition()
        self._plugged = False
        self._uid: bytes | None = None
        self._next_error: CardError | None = None
        self._cancelled = False
        self._closed = False
        if plugged:
            self.plug()

    # --- the test's side -------------------------------------------------------------

    def plug(self) -> None:
        with self._cond:
            if not self._plugged:
                self._plugged = True
                self._emit(CardEvent(CardEventKind.READER_CONNECTED, self.name))
                if self._uid is not None:
                    self._emit_insertion()

    def unplug(self) -> None:
        with self._cond:
            if self._plugged:
                self._plugged = False
                if self._uid is not None:
                    self._emit(CardEvent(CardEventKind.CARD_REMOVED, self.name))
                self._emit(CardEvent(CardEventKind.READER_DISCONNECTED, self.name))

    def tap(self, uid: bytes) -> None:
        """Put a card on the reader (a card already there is removed first)."""
        with self._cond:
            if self._uid is not None:
                self.remove()
            self._uid = uid
            if self._plugged:
                self._emit_insertion()

    def remove(self) -> None:
        with self._cond:
            if self._uid is not None:
                self._uid = None
                if self._plugged:
                    self._emit(CardEvent(CardEventKind.CARD_REMOVED, self.name))

    def fail_next_read(self, error: CardError) -> None:
        """The next card put on the reader cannot be read and reports ``error``."""
        with self._cond:
            self._next_error = error

    # --- the CardReader interface ----------------------------------------------------

    def next_event(self, *, timeout: float) -> CardEvent | None:
        deadline = time.monotonic() + timeout
        with self._cond:
            while not self._events and not self._cancelled and not self._closed:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._cond.wait(remaining)
            if self._cancelled or self._closed:
                self._cancelled = False
                return None
            return self._events.popleft()

    def read_uid(self, *, reader: str | None = None) -> bytes:
        with self._cond:
            if not self._plugged or (reader is not None and reader != self.name):
                raise CardReaderUnavailable(detail=f"fake reader {reader!r} not plugged")
            if self._uid is None:
                raise CardAbsent()
            return self._uid

    def cancel(self) -> None:
        with self._cond:
            self._cancelled = True
            self._cond.notify_all()

    def close(self) -> None:
        with self._cond:
            self._closed = True
            self._cond.notify_all()

    # --- internals -------------------------------------------------------------------

    def _emit(self, event: CardEvent) -> None:
        self._events.append(event)
        self._cond.notify_all()

    def _emit_insertion(self) -> None:
        error, self._next_error = self._next_error, None
        if error is not None:
            self._emit(CardEvent(CardEventKind.READ_FAILED, self.name, error=error))
        else:
            self._emit(CardEvent(CardEventKind.CARD_INSERTED, self.name, uid=self._uid))
