"""Card reading against the real pcscd, with vpcd and a virtual card of our own.

No mock of PC/SC: pyscard talks to Debian's pcscd, which loads the vpcd driver, which
talks to :class:`virtual_card.VirtualCard` over TCP. Waits are generous upper bounds
(pcscd polls a reader every 0.4 s); no test asserts on durations.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from badge.card import (
    GET_UID_APDU,
    CardEvent,
    CardEventKind,
    PcscCardReader,
    hash_card_uid,
    parse_uid_response,
)
from badge.errors import (
    CardAbsent,
    CardReaderUnavailable,
    CardRemovedDuringRead,
    CardUnsupported,
)
from tests.badge.pcscd_daemon import PcscDaemon, missing_requirements
from tests.badge.virtual_card import GET_UID, VirtualCard
from tests.support.required import missing

UID = bytes.fromhex("04A1B2C3D4E5F6")
OTHER_UID = bytes.fromhex("5A6B7C8D")
SECRET = b"0123456789abcdef-server-secret"
WAIT = 30.0  # upper bound for any expected event

_MISSING = missing_requirements()
needs_pcscd = pytest.mark.skipif(_MISSING is not None, reason=_MISSING or "")


# --- pure helpers ---------------------------------------------------------------------


def test_hash_card_uid_is_keyed_and_stable() -> None:
    digest = hash_card_uid(UID, secret=SECRET)
    assert digest == hash_card_uid(UID, secret=SECRET)
    assert len(digest) == 64 and int(digest, 16) >= 0
    assert digest != hash_card_uid(UID, secret=SECRET + b"!")
    assert digest != hash_card_uid(OTHER_UID, secret=SECRET)
    assert UID.hex() not in digest


@pytest.mark.parametrize(("uid", "secret"), [(UID, b"short"), (b"", SECRET)])
def test_hash_card_uid_refuses_weak_input(uid: bytes, secret: bytes) -> None:
    with pytest.raises(ValueError, match=r"secret|UID"):
        hash_card_uid(uid, secret=secret)


def test_parse_uid_response() -> None:
    assert parse_uid_response(UID + b"\x90\x00") == UID
    assert GET_UID_APDU == GET_UID
    for bad in (b"\x6a\x81", UID + b"\x63\x00", b"\x01\x02\x90\x00", b"\x08\x01\x02\x03\x90\x00"):
        with pytest.raises(CardUnsupported) as caught:
            parse_uid_response(bad)
        assert caught.value.code == "card_unsupported"
    with pytest.raises(CardRemovedDuringRead):
        parse_uid_response(b"\x90")


# --- fixtures: a real pcscd per test, one socket path per session -------------------


@pytest.fixture(scope="session")
def pcscd_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PcscDaemon]:
    if _MISSING is not None:
        missing(_MISSING)
    try:
        daemon = PcscDaemon(tmp_path_factory.mktemp("pcscd"))
    except RuntimeError as exc:
        missing(str(exc))
    # libpcsclite reads this once per process: one daemon location for the whole session.
    previous = os.environ.get("PCSCLITE_CSOCK_NAME")
    os.environ["PCSCLITE_CSOCK_NAME"] = str(daemon.socket_path)
    try:
        yield daemon
    finally:
        daemon.stop()
        if previous is None:
            os.environ.pop("PCSCLITE_CSOCK_NAME", None)
        else:
            os.environ["PCSCLITE_CSOCK_NAME"] = previous


@pytest.fixture
def pcscd(pcscd_session: PcscDaemon) -> Iterator[PcscDaemon]:
    pcscd_session.start()
    try:
        yield pcscd_session
    finally:
        pcscd_session.stop()


@pytest.fixture
def reader(pcscd: PcscDaemon) -> Iterator[PcscCardReader]:
    card_reader = PcscCardReader(poll_interval=0.2)
    try:
        yield card_reader
    finally:
        card_reader.close()


@pytest.fixture
def make_card(pcscd: PcscDaemon) -> Iterator[Callable[..., VirtualCard]]:
    cards: list[VirtualCard] = []

    def make(uid: bytes = UID, *, get_uid_answer: bytes | None = None) -> VirtualCard:
        card = VirtualCard(port=pcscd.port, uid=uid, get_uid_answer=get_uid_answer)
        cards.append(card)
        return card

    try:
        yield make
    finally:
        for card in cards:
            card.remove()


def wait_for(
    reader: PcscCardReader, wanted: Callable[[CardEvent], bool], *, what: str
) -> list[CardEvent]:
    """Events up to and including the first one ``wanted``; fails after ``WAIT`` seconds."""
    events: list[CardEvent] = []
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        event = reader.next_event(timeout=0.5)
        if event is not None:
            events.append(event)
            if wanted(event):
                return events
    pytest.fail(f"no {what} within {WAIT} s; events: {events}")


def kind_is(kind: CardEventKind) -> Callable[[CardEvent], bool]:
    return lambda event: event.kind is kind


# --- the real thing -------------------------------------------------------------------


@needs_pcscd
def test_reads_the_uid_of_a_card_put_on_the_reader(
    reader: PcscCardReader, make_card: Callable[..., VirtualCard]
) -> None:
    card = make_card().insert()
    assert reader.wait_for_card(timeout=WAIT) == UID
    assert reader.read_uid() == UID  # still lying there
    assert card.apdus == [GET_UID_APDU, GET_UID_APDU]
    # Reading the card changes its PC/SC state (in use) but is not a new card.
    assert reader.next_event(timeout=1.0) is None


@needs_pcscd
def test_reports_readers_cards_in_and_out(
    reader: PcscCardReader, pcscd: PcscDaemon, make_card: Callable[..., VirtualCard]
) -> None:
    first = make_card().insert()
    events = wait_for(reader, kind_is(CardEventKind.CARD_INSERTED), what="insertion")
    connected = {e.reader for e in events if e.kind is CardEventKind.READER_CONNECTED}
    assert connected == set(pcscd.reader_names)
    assert events[-1] == CardEvent(CardEventKind.CARD_INSERTED, pcscd.reader_names[0], uid=UID)

    first.remove()
    events = wait_for(reader, kind_is(CardEventKind.CARD_REMOVED), what="removal")
    assert events[-1].reader == pcscd.reader_names[0]
    with pytest.raises(CardAbsent) as caught:
        reader.read_uid()
    assert "Aucune carte" in caught.value.message_fr

    make_card(OTHER_UID).insert()
    events = wait_for(reader, kind_is(CardEventKind.CARD_INSERTED), what="second card")
    assert events[-1].uid == OTHER_UID


@needs_pcscd
def test_card_pulled_out_in_the_middle_of_a_read(
    reader: PcscCardReader, make_card: Callable[..., VirtualCard]
) -> None:
    card = make_card()
    card.pull_out_during_read = True
    card.insert()
    events = wait_for(reader, kind_is(CardEventKind.READ_FAILED), what="failed read")
    error = events[-1].error
    assert isinstance(error, CardRemovedDuringRead)
    assert error.code == "card_removed"
    assert "retirée pendant la lecture" in error.message_fr
    wait_for(reader, kind_is(CardEventKind.CARD_REMOVED), what="removal")

    # Put back on the reader, the same card reads fine.
    card.remove()
    card.insert()
    events = wait_for(reader, kind_is(CardEventKind.CARD_INSERTED), what="insertion")
    assert events[-1].uid == UID


@needs_pcscd
@pytest.mark.parametrize(
    "answer",
    [
        pytest.param(b"\x6a\x81", id="no-get-data"),
        pytest.param(b"\x08\x11\x22\x33\x90\x00", id="random-uid"),
    ],
)
def test_cards_that_cannot_be_badges(
    reader: PcscCardReader, make_card: Callable[..., VirtualCard], answer: bytes
) -> None:
    make_card(get_uid_answer=answer).insert()
    events = wait_for(reader, kind_is(CardEventKind.READ_FAILED), what="refused card")
    assert isinstance(events[-1].error, CardUnsupported)


@needs_pcscd
def test_survives_a_pcscd_restart(
    reader: PcscCardReader, pcscd: PcscDaemon, make_card: Callable[..., VirtualCard]
) -> None:
    make_card().insert()
    wait_for(reader, kind_is(CardEventKind.CARD_INSERTED), what="insertion")

    pcscd.stop()
    events = wait_for(
        reader,
        lambda e: e.kind is CardEventKind.READER_DISCONNECTED and e.reader == pcscd.reader_names[0],
        what="reader loss",
    )
    assert CardEventKind.CARD_REMOVED in [e.kind for e in events]
    assert reader.next_event(timeout=0.3) in (None, *_disconnections(pcscd))
    with pytest.raises(CardReaderUnavailable) as caught:
        reader.read_uid()
    assert "Lecteur de cartes indisponible" in caught.value.message_fr

    pcscd.start()  # the card never left the reader
    events = wait_for(reader, kind_is(CardEventKind.CARD_INSERTED), what="card after restart")
    assert events[-1].uid == UID
    assert CardEventKind.READER_CONNECTED in [e.kind for e in events]


def _disconnections(pcscd: PcscDaemon) -> list[CardEvent]:
    return [CardEvent(CardEventKind.READER_DISCONNECTED, name) for name in pcscd.reader_names]


@needs_pcscd
def test_reader_plugged_in_after_start(
    pcscd: PcscDaemon, make_card: Callable[..., VirtualCard]
) -> None:
    pcscd.restart(with_reader=False)
    with PcscCardReader(poll_interval=0.2) as reader:
        assert reader.next_event(timeout=0.5) is None
        with pytest.raises(CardReaderUnavailable):
            reader.read_uid()

        pcscd.restart(with_reader=True)
        make_card().insert()
        assert reader.wait_for_card(timeout=WAIT) == UID


@needs_pcscd
def test_no_pcsc_service_is_a_readable_refusal(pcscd_session: PcscDaemon) -> None:
    assert not pcscd_session.running
    with PcscCardReader(poll_interval=0.1) as reader:
        assert reader.next_event(timeout=0.3) is None
        with pytest.raises(CardReaderUnavailable) as caught:
            reader.read_uid()
        assert caught.value.code == "card_reader_unavailable"


@needs_pcscd
def test_cancel_wakes_up_a_waiting_reader(reader: PcscCardReader, pcscd: PcscDaemon) -> None:
    names = set(pcscd.reader_names)
    wait_for(reader, lambda _event: set(reader.readers) == names, what="both readers")
    while reader.next_event(timeout=0) is not None:
        pass  # drain: the worker below must find nothing to report
    results: list[CardEvent | None] = []
    worker = threading.Thread(target=lambda: results.append(reader.next_event(timeout=WAIT * 4)))
    worker.start()
    reader.cancel()  # before or during the blocking PC/SC call: both must wake it
    worker.join(timeout=WAIT)
    assert not worker.is_alive()
    assert results == [None]


@needs_pcscd
def test_the_fixture_stops_pcscd_for_good(pcscd: PcscDaemon) -> None:
    pid = pcscd.pid
    assert pid is not None and Path(f"/proc/{pid}").exists()
    pcscd.stop()
    assert not pcscd.running
    assert not Path(f"/proc/{pid}").exists()
