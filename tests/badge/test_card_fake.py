"""The fake card reader behaves like the real one, for the counter app's tests."""

from __future__ import annotations

import threading

import pytest

from badge.card import CardEvent, CardEventKind, CardReader
from badge.errors import CardAbsent, CardReaderUnavailable, CardRemovedDuringRead
from tests.support.fakes.card import FakeCardReader

UID = bytes.fromhex("04A1B2C3D4E5F6")
NAME = "Lecteur de test 00 00"


def drain(reader: CardReader) -> list[CardEvent]:
    events = []
    while (event := reader.next_event(timeout=0)) is not None:
        events.append(event)
    return events


def test_tap_and_remove() -> None:
    with FakeCardReader() as reader:
        assert drain(reader) == [CardEvent(CardEventKind.READER_CONNECTED, NAME)]
        with pytest.raises(CardAbsent):
            reader.read_uid()
        reader.tap(UID)
        assert reader.wait_for_card(timeout=1) == UID
        assert reader.read_uid() == UID
        reader.remove()
        assert drain(reader) == [CardEvent(CardEventKind.CARD_REMOVED, NAME)]


def test_swapping_cards_reports_removal_then_insertion() -> None:
    reader = FakeCardReader()
    reader.tap(UID)
    reader.tap(b"\x01\x02\x03\x04")
    kinds = [event.kind for event in drain(reader)]
    assert kinds == [
        CardEventKind.READER_CONNECTED,
        CardEventKind.CARD_INSERTED,
        CardEventKind.CARD_REMOVED,
        CardEventKind.CARD_INSERTED,
    ]


def test_unplug_and_plug_back_with_the_card_on_it() -> None:
    reader = FakeCardReader(plugged=False)
    reader.tap(UID)
    assert drain(reader) == []
    with pytest.raises(CardReaderUnavailable):
        reader.read_uid()
    reader.plug()
    assert [e.kind for e in drain(reader)] == [
        CardEventKind.READER_CONNECTED,
        CardEventKind.CARD_INSERTED,
    ]
    reader.unplug()
    assert [e.kind for e in drain(reader)] == [
        CardEventKind.CARD_REMOVED,
        CardEventKind.READER_DISCONNECTED,
    ]


def test_failed_read() -> None:
    reader = FakeCardReader()
    reader.fail_next_read(CardRemovedDuringRead())
    reader.tap(UID)
    with pytest.raises(CardRemovedDuringRead):
        reader.wait_for_card(timeout=1)
    reader.remove()
    reader.tap(UID)
    assert reader.wait_for_card(timeout=1) == UID


def test_wait_times_out_and_cancel_wakes_up() -> None:
    reader = FakeCardReader()
    drain(reader)
    assert reader.wait_for_card(timeout=0.01) is None
    results: list[bytes | None] = []
    worker = threading.Thread(target=lambda: results.append(reader.wait_for_card(timeout=60)))
    worker.start()
    reader.cancel()
    worker.join(timeout=30)
    assert results == [None]
    reader.close()
    assert reader.next_event(timeout=60) is None


def test_events_reach_a_waiting_thread() -> None:
    reader = FakeCardReader()
    drain(reader)
    results: list[bytes | None] = []
    worker = threading.Thread(target=lambda: results.append(reader.wait_for_card(timeout=60)))
    worker.start()
    reader.tap(UID)
    worker.join(timeout=30)
    assert results == [UID]
