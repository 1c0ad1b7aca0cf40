"""The contactless card reader interface, its events, and UID handling shared by backends.

A card badge is identified by the card's UID (ISO 14443 anticollision identifier), read
with the PC/SC pseudo-APDU GET DATA ``FF CA 00 00 00``. The UID is not secret (any reader
can read it) and it is a stable identifier of a person's card, so it is never stored as
such: the server keeps :func:`hash_card_uid` of it, keyed with a server-side secret, which
lets it recognise the card without being able to list or replay UIDs from a database dump.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from types import TracebackType
from typing import Self

from badge.errors import CardError, CardRemovedDuringRead, CardUnsupported

__all__ = [
    "GET_UID_APDU",
    "CardEvent",
    "CardEventKind",
    "CardReader",
    "hash_card_uid",
    "parse_uid_response",
]

GET_UID_APDU = bytes.fromhex("FFCA000000")
_UID_HASH_CONTEXT = b"relais/card-uid/v1\x00"
MIN_SECRET_BYTES = 16


class CardEventKind(StrEnum):
    READER_CONNECTED = "reader_connected"
    READER_DISCONNECTED = "reader_disconnected"
    CARD_INSERTED = "card_inserted"  # ``uid`` is set
    CARD_REMOVED = "card_removed"
    READ_FAILED = "read_failed"  # a card came but its UID could not be read; ``error`` set


@dataclass(frozen=True, slots=True)
class CardEvent:
    kind: CardEventKind
    reader: str
    uid: bytes | None = None
    error: CardError | None = None


def hash_card_uid(uid: bytes, *, secret: bytes) -> str:
    """Keyed hash of a card UID (HMAC-SHA256, lowercase hex): what the server stores."""
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"the card UID secret must be at least {MIN_SECRET_BYTES} bytes")
    if not uid:
        raise ValueError("empty card UID")
    # The context string keeps these hashes apart from any other use of the same secret.
    return hmac.new(secret, _UID_HASH_CONTEXT + uid, hashlib.sha256).hexdigest()


def parse_uid_response(response: bytes) -> bytes:
    """The UID from a GET DATA response (``UID || SW1 SW2``), or a :class:`CardError`."""
    if len(response) < 2:
        raise CardRemovedDuringRead(detail=f"short response {response.hex()}")
    uid, sw = response[:-2], response[-2:]
    if sw != b"\x90\x00":
        raise CardUnsupported(detail=f"GET DATA status word {sw.hex().upper()}")
    if not 4 <= len(uid) <= 10:
        raise CardUnsupported(detail=f"unexpected UID length {len(uid)}")
    if len(uid) == 4 and uid[0] == 0x08:
        # ISO 14443-3: a single-size UID starting 0x08 is random, new at each tap
        # (bank cards, passports): it cannot recognise anyone.
        raise CardUnsupported(detail="random UID")
    return uid


class CardReader(ABC):
    """A source of card events. Real: :class:`~badge.card.pcsc.PcscCardReader`.

    Meant to be driven from one worker thread calling :meth:`next_event` in a loop; another
    thread may call :meth:`cancel` to wake it up, and :meth:`close` at the end.
    """

    @abstractmethod
    def next_event(self, *, timeout: float) -> CardEvent | None:
        """Wait up to ``timeout`` seconds for the next event; ``None`` if nothing happened.

        Never raises for hardware trouble: an unplugged reader or a stopped PC/SC service
        becomes a ``READER_DISCONNECTED`` event, and reading resumes by itself when the
        reader comes back.
        """

    @abstractmethod
    def read_uid(self, *, reader: str | None = None) -> bytes:
        """UID of the card lying on ``reader`` (or on any reader) right now.

        Raises :class:`~badge.errors.CardAbsent`, :class:`~badge.errors.CardRemovedDuringRead`,
        :class:`~badge.errors.CardUnsupported` or :class:`~badge.errors.CardReaderUnavailable`.
        """

    @abstractmethod
    def cancel(self) -> None:
        """Make a :meth:`next_event` blocked in another thread return ``None`` soon."""

    @abstractmethod
    def close(self) -> None:
        """Release the reader. The object cannot be used afterwards."""

    def wait_for_card(self, *, timeout: float) -> bytes | None:
        """UID of the next card put on a reader within ``timeout`` seconds, else ``None``.

        Other events are skipped; a card that could not be read raises its
        :class:`~badge.errors.CardError`.
        """
        deadline = time.monotonic() + timeout
        while True:
            event = self.next_event(timeout=max(0.0, deadline - time.monotonic()))
            if event is None:  # timed out or cancelled
                return None
            if event.kind is CardEventKind.CARD_INSERTED:
                return event.uid
            if event.kind is CardEventKind.READ_FAILED and event.error is not None:
                raise event.error

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()
