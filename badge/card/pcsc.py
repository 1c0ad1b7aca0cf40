"""PC/SC card reader (pcsc-lite's ``pcscd`` on Linux) through pyscard's low-level API.

The low-level ``smartcard.scard`` calls are used rather than pyscard's monitoring classes
because the counter must survive everything a desk throws at it, and each failure has to
be told apart: the reader cable pulled out and plugged back, ``pcscd`` restarted by an
upgrade, a card taken away while its UID is being read. Here every PC/SC return code is
looked at:

* service gone (``pcscd`` stopped or restarted): the context is dropped, the readers are
  reported disconnected, and a new context is tried every ``poll_interval`` seconds;
* reader list changes: found by listing readers every ``poll_interval`` seconds (cheap,
  local IPC) and through the ``\\\\?PnP?\\Notification`` pseudo-reader;
* card events: ``SCardGetStatusChange`` and the per-reader event counter in the high word
  of the state, so a card swapped between two polls still yields removed + inserted.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from typing import Any

from badge.card.base import GET_UID_APDU, CardEvent, CardEventKind, CardReader, parse_uid_response
from badge.errors import (
    CardAbsent,
    CardError,
    CardReaderUnavailable,
    CardRemovedDuringRead,
    CardUnsupported,
)

__all__ = ["PcscCardReader"]

_PNP_READER = "\\\\?PnP?\\Notification"


class PcscCardReader(CardReader):
    """Card reader on the local PC/SC service; ``reader_filter`` keeps readers whose name
    contains it (e.g. ``"ACR122"``), ``None`` keeps them all."""

    def __init__(self, *, reader_filter: str | None = None, poll_interval: float = 1.0) -> None:
        try:
            from smartcard import scard
        except ImportError:
            raise CardReaderUnavailable(
                "Le pilote des lecteurs de cartes (pyscard) n'est pas installé sur ce poste.",
                detail="python package pyscard missing (extra 'card')",
            ) from None
        self._sc: Any = scard
        s = scard
        self._lost_codes = frozenset(
            {
                s.SCARD_E_NO_SERVICE,
                s.SCARD_E_SERVICE_STOPPED,
                s.SCARD_E_INVALID_HANDLE,
                s.SCARD_F_COMM_ERROR,
            }
        )
        self._removed_codes = frozenset(
            {
                s.SCARD_W_REMOVED_CARD,
                s.SCARD_E_NO_SMARTCARD,
                s.SCARD_E_NOT_TRANSACTED,
                s.SCARD_E_COMM_DATA_LOST,
                s.SCARD_W_RESET_CARD,
            }
        )
        self._unsupported_codes = frozenset(
            {
                s.SCARD_W_UNRESPONSIVE_CARD,
                s.SCARD_W_UNPOWERED_CARD,
                s.SCARD_E_PROTO_MISMATCH,
                s.SCARD_E_UNKNOWN_CARD,
            }
        )
        self._reader_filter = reader_filter
        self._poll_interval = poll_interval
        self._ctx: int | None = None
        self._states: dict[str, int] = {}  # known readers -> last event state
        self._cards: set[str] = set()  # readers whose card we have reported
        self._pending: deque[CardEvent] = deque()
        self._wakeup = threading.Event()
        # next_event (a worker) and read_uid (maybe another thread) share the PC/SC state;
        # cancel() must not take it, so that it can interrupt a blocked next_event.
        self._lock = threading.RLock()
        self._closed = False

    # --- public API ------------------------------------------------------------------

    def next_event(self, *, timeout: float) -> CardEvent | None:
        deadline = time.monotonic() + timeout
        while not self._closed:
            if self._wakeup.is_set():
                self._wakeup.clear()
                return None
            remaining = deadline - time.monotonic()
            with self._lock:
                if self._pending:
                    return self._pending.popleft()
                service = self._ensure_context()
                if service:
                    self._refresh_readers()
                    if not self._pending and self._ctx is not None:
                        self._wait_for_change(max(0.0, min(remaining, self._poll_interval)))
                if self._pending:
                    continue
            if remaining <= 0:
                return None
            if not service:
                # pcscd is down: try again every poll_interval, waking up on cancel().
                self._wakeup.wait(min(self._poll_interval, remaining))
        return None

    def read_uid(self, *, reader: str | None = None) -> bytes:
        with self._lock:
            if not self._ensure_context():
                raise CardReaderUnavailable(detail="PC/SC service unavailable")
            self._refresh_readers()
            if self._ctx is None:
                raise CardReaderUnavailable(detail="PC/SC service lost")
            if reader is None:
                reader = self._reader_with_card()
            elif reader not in self._states:
                raise CardReaderUnavailable(detail=f"no reader named {reader!r}")
            return self._read_uid_on(reader, absent=CardAbsent)

    def cancel(self) -> None:
        self._wakeup.set()
        ctx = self._ctx
        if ctx is not None:
            self._sc.SCardCancel(ctx)  # may race with a release: the error is harmless

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.cancel()
        with self._lock:
            self._release_context()

    @property
    def readers(self) -> list[str]:
        """Names of the readers currently known."""
        return sorted(self._states)

    # --- context and readers ---------------------------------------------------------

    def _ensure_context(self) -> bool:
        if self._ctx is not None:
            return True
        hresult, ctx = self._sc.SCardEstablishContext(self._sc.SCARD_SCOPE_USER)
        if hresult != self._sc.SCARD_S_SUCCESS:
            return False
        self._ctx = int(ctx)
        return True

    def _release_context(self) -> None:
        if self._ctx is not None:
            self._sc.SCardReleaseContext(self._ctx)
            self._ctx = None

    def _lose_service(self) -> None:
        """pcscd went away: forget the context and report every reader as gone."""
        self._release_context()
        for reader in sorted(self._states):
            self._forget_reader(reader)

    def _forget_reader(self, reader: str) -> None:
        if reader in self._cards:
            self._cards.discard(reader)
            self._pending.append(CardEvent(CardEventKind.CARD_REMOVED, reader))
        del self._states[reader]
        self._pending.append(CardEvent(CardEventKind.READER_DISCONNECTED, reader))

    def _refresh_readers(self) -> None:
        sc = self._sc
        hresult, names = sc.SCardListReaders(self._ctx, [])
        if hresult in self._lost_codes:
            self._lose_service()
            return
        if hresult != sc.SCARD_S_SUCCESS:  # SCARD_E_NO_READERS_AVAILABLE and the like
            names = []
        current = {
            str(name)
            for name in names
            if self._reader_filter is None or self._reader_filter in str(name)
        }
        for reader in sorted(set(self._states) - current):
            self._forget_reader(reader)
        for reader in sorted(current - set(self._states)):
            self._states[reader] = sc.SCARD_STATE_UNAWARE
            self._pending.append(CardEvent(CardEventKind.READER_CONNECTED, reader))

    # --- card events -----------------------------------------------------------------

    def _wait_for_change(self, seconds: float) -> None:
        sc = self._sc
        query = [(reader, state) for reader, state in self._states.items()]
        # The PnP pseudo-reader wakes us up when a reader is added; pcsc-lite compares
        # the reader count in the high word with its own.
        query.append((_PNP_READER, len(self._states) << 16))
        hresult, changes = sc.SCardGetStatusChange(self._ctx, int(seconds * 1000), query)
        if hresult in self._lost_codes:
            self._lose_service()
            return
        if hresult != sc.SCARD_S_SUCCESS:
            # Timeout, cancel, or a reader that vanished (found at the next listing).
            return
        for reader, event_state, _atr in changes:
            if reader in self._states:
                self._on_state(str(reader), int(event_state))

    def _on_state(self, reader: str, state: int) -> None:
        sc = self._sc
        previous = self._states[reader]
        self._states[reader] = state & ~sc.SCARD_STATE_CHANGED
        present = bool(state & sc.SCARD_STATE_PRESENT)
        # High word: pcsc-lite's count of card events on this reader.
        swapped = previous != sc.SCARD_STATE_UNAWARE and (previous >> 16) != (state >> 16)
        if reader in self._cards and (not present or swapped):
            self._cards.discard(reader)
            self._pending.append(CardEvent(CardEventKind.CARD_REMOVED, reader))
        if present and reader not in self._cards:
            self._cards.add(reader)
            try:
                uid = self._read_uid_on(reader, absent=CardRemovedDuringRead)
            except CardReaderUnavailable:
                self._lose_service()
                return
            except CardError as error:
                self._pending.append(CardEvent(CardEventKind.READ_FAILED, reader, error=error))
                return
            self._pending.append(CardEvent(CardEventKind.CARD_INSERTED, reader, uid=uid))

    def _reader_with_card(self) -> str:
        sc = self._sc
        query = [(reader, sc.SCARD_STATE_UNAWARE) for reader in self._states]
        if not query:
            raise CardReaderUnavailable(detail="no reader")
        hresult, states = sc.SCardGetStatusChange(self._ctx, 0, query)
        if hresult in self._lost_codes:
            self._lose_service()
            raise CardReaderUnavailable(detail="PC/SC service lost")
        for reader, event_state, _atr in states if hresult == sc.SCARD_S_SUCCESS else []:
            if event_state & sc.SCARD_STATE_PRESENT:
                return str(reader)
        raise CardAbsent()

    def _read_uid_on(self, reader: str, *, absent: type[CardError]) -> bytes:
        """Connect, send GET DATA, disconnect. ``absent``: error if the card is gone."""
        sc = self._sc
        hresult, card, protocol = sc.SCardConnect(
            self._ctx, reader, sc.SCARD_SHARE_SHARED, sc.SCARD_PROTOCOL_T0 | sc.SCARD_PROTOCOL_T1
        )
        if hresult != sc.SCARD_S_SUCCESS:
            raise self._error_for(hresult, absent=absent)
        try:
            apdu = list(GET_UID_APDU)
            for _attempt in range(2):
                hresult, response = sc.SCardTransmit(card, protocol, apdu)
                if hresult != sc.SCARD_S_SUCCESS:
                    # The card answered the connection, so a failure now means it left.
                    raise self._error_for(hresult, absent=CardRemovedDuringRead)
                answer = bytes(response)
                if len(answer) == 2 and answer[0] == 0x6C:
                    apdu = [*GET_UID_APDU[:4], answer[1]]  # "wrong Le, use this one"
                    continue
                return parse_uid_response(answer)
            raise CardUnsupported(detail="GET DATA length negotiation failed")
        finally:
            sc.SCardDisconnect(card, sc.SCARD_LEAVE_CARD)

    def _error_for(self, hresult: int, *, absent: type[CardError]) -> CardError:
        sc = self._sc
        detail = f"{sc.SCardGetErrorMessage(hresult)} (0x{hresult & 0xFFFFFFFF:08X})"
        if hresult in self._lost_codes:
            return CardReaderUnavailable(detail=detail)
        if hresult in self._removed_codes:
            return absent(detail=detail)
        if hresult in self._unsupported_codes:
            return CardUnsupported(detail=detail)
        if hresult in (sc.SCARD_E_UNKNOWN_READER, sc.SCARD_E_READER_UNAVAILABLE):
            return CardReaderUnavailable(detail=detail)
        return CardError(detail=detail)
