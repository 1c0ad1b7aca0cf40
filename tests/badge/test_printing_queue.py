"""The print spool's promises: durable, in order, never twice; and printer URLs."""

from __future__ import annotations

import importlib.util
import os
import sqlite3
import stat
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from badge.errors import PrinterConfigError, PrinterUnavailable, SpoolBusy
from badge.printing import JobState, MemoryTransport, PrintQueue, open_printer
from badge.printing.transport import PrinterTransport
from tests.badge.printer_listener import RecordingPrinter


@pytest.fixture
def spool(tmp_path: Path) -> Path:
    return tmp_path / "spool" / "print.sqlite3"


def jobs(count: int) -> list[bytes]:
    return [f"job {number}\n".encode() for number in range(count)]


def test_waits_for_the_printer_then_prints_in_order(spool: Path) -> None:
    printer = MemoryTransport(online=False)
    with PrintQueue(spool=spool, transport=printer) as queue:
        for number, data in enumerate(jobs(3)):
            report = queue.submit(data, label=f"reçu {number}")
            assert isinstance(report.error, PrinterUnavailable)
            assert report.waiting == number + 1
        assert [job.label for job in queue.jobs()] == ["reçu 0", "reçu 1", "reçu 2"]
        assert all(job.state is JobState.PENDING for job in queue.jobs())
        printer.online = True
        report = queue.flush()
        assert report.error is None and report.waiting == 0 and len(report.printed) == 3
        assert queue.flush().printed == []
    assert printer.printed == jobs(3)


def test_submit_without_flushing(spool: Path) -> None:
    printer = MemoryTransport()
    with PrintQueue(spool=spool, transport=printer) as queue:
        assert queue.submit(b"x", label="x", flush=False).waiting == 1
        assert printer.printed == []
        assert queue.flush().printed != []
        with pytest.raises(ValueError, match="empty"):
            queue.submit(b"", label="nothing")


def test_a_job_interrupted_by_a_crash_is_never_reprinted_automatically(spool: Path) -> None:
    printer = MemoryTransport(online=False)
    with PrintQueue(spool=spool, transport=printer) as queue:
        queue.submit(b"first", label="first")
        queue.submit(b"second", label="second")
    # The app died while sending "first": that is what it leaves in the spool.
    with sqlite3.connect(spool) as db:
        db.execute("UPDATE print_job SET state = 'sending' WHERE label = 'first'")
    db.close()

    printer.online = True
    with PrintQueue(spool=spool, transport=printer) as queue:
        (uncertain,) = [job for job in queue.jobs() if job.state is JobState.UNCERTAIN]
        assert uncertain.label == "first"
        queue.flush()
        assert printer.printed == [b"second"]  # the rest goes on
        queue.requeue(uncertain.id)  # the agent saw nothing came out
        queue.flush()
        assert printer.printed == [b"second", b"first"]
        assert queue.jobs() == []
        with pytest.raises(KeyError):
            queue.discard(uncertain.id)


def test_unknown_outcome_becomes_uncertain(spool: Path) -> None:
    class Exploding(PrinterTransport):
        name = "exploding"

        def send(self, data: bytes) -> None:
            raise KeyboardInterrupt  # e.g. the agent pressed Ctrl+C mid-job

    with PrintQueue(spool=spool, transport=Exploding()) as queue:
        with pytest.raises(KeyboardInterrupt):
            queue.submit(b"receipt", label="receipt")
        (job,) = queue.jobs()
        assert job.state is JobState.UNCERTAIN and job.attempts == 1
        assert queue.flush().printed == []
        queue.discard(job.id)  # it did come out
        assert queue.jobs() == []


def test_one_owner_per_spool(spool: Path) -> None:
    with PrintQueue(spool=spool, transport=MemoryTransport()):
        with pytest.raises(SpoolBusy) as caught:
            PrintQueue(spool=spool, transport=MemoryTransport())
        assert caught.value.code == "spool_busy"
    with PrintQueue(spool=spool, transport=MemoryTransport()) as again:
        assert again.jobs() == []
    again.close()  # closing twice is harmless


def test_concurrent_flushes_print_each_job_once_in_order(spool: Path) -> None:
    printer = MemoryTransport(online=False)
    with PrintQueue(spool=spool, transport=printer) as queue:
        for data in jobs(30):
            queue.submit(data, label="job")
        printer.online = True
        workers = [threading.Thread(target=queue.flush) for _ in range(4)]
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(timeout=30)
    assert printer.printed == jobs(30)


def test_retry_loop_until_stopped(spool: Path) -> None:
    printed = threading.Event()

    class WatchedPrinter(MemoryTransport):
        def send(self, data: bytes) -> None:
            super().send(data)
            printed.set()

    printer = WatchedPrinter(online=False)
    stop = threading.Event()
    with PrintQueue(spool=spool, transport=printer) as queue:
        assert queue.submit(b"late", label="late").error is not None
        loop = threading.Thread(
            target=queue.run_retry_loop, kwargs={"stop": stop, "interval": 0.01}
        )
        loop.start()
        printer.online = True  # the printer is switched back on
        assert printed.wait(timeout=30)
        stop.set()
        loop.join(timeout=30)
        assert not loop.is_alive()
    assert printer.printed == [b"late"]


# --- printer URLs ---------------------------------------------------------------------


def test_tcp_url() -> None:
    assert open_printer("tcp://printer.mairie.local").name == "tcp://printer.mairie.local:9100"
    assert open_printer("tcp://10.0.0.7:9101").name == "tcp://10.0.0.7:9101"


@pytest.mark.parametrize(
    "url",
    [
        "lpt://1",
        "tcp://",
        "tcp://host:notaport",
        "usb://04b8",
        "usb://zz:01",
        "serial:///dev/ttyUSB0?baudrate=fast",
        "file://",
        "printer",
    ],
)
def test_bad_printer_urls(url: str) -> None:
    with pytest.raises(PrinterConfigError) as caught:
        open_printer(url)
    assert "Imprimante mal configurée" in caught.value.message_fr


@pytest.mark.parametrize(
    ("url", "package"),
    [("usb://04b8:0e15", "usb"), ("serial:///dev/ttyUSB0?baudrate=19200", "serial")],
)
def test_usb_and_serial_need_their_driver(url: str, package: str) -> None:
    if importlib.util.find_spec(package) is None:
        with pytest.raises(PrinterConfigError) as caught:
            open_printer(url)
        assert "py" + package in caught.value.detail
    else:  # pragma: no cover - only where pyusb / pyserial are installed
        assert open_printer(url).name.startswith(url.split(":")[0])


@pytest.fixture
def silent_printer() -> Iterator[RecordingPrinter]:
    device = RecordingPrinter()
    device.answers_status = False
    device.switch_on()
    try:
        yield device
    finally:
        device.switch_off()


def test_a_printer_without_status_support_still_prints(
    silent_printer: RecordingPrinter, spool: Path
) -> None:
    with PrintQueue(spool=spool, transport=open_printer(silent_printer.url)) as queue:
        assert queue.submit(b"hello\n", label="hello").error is None
    assert len(silent_printer.printed_jobs(wait_for=1)) == 1


def test_status_check_can_be_switched_off(spool: Path) -> None:
    device = RecordingPrinter()
    device.paper = False  # a sensor that lies: the URL says not to ask
    device.switch_on()
    try:
        transport = open_printer(device.url + "?status=off")
        with PrintQueue(spool=spool, transport=transport) as queue:
            assert queue.submit(b"hello\n", label="hello").error is None
        assert device.received(wait_for=1) == [b"hello\n"]
    finally:
        device.switch_off()


def test_a_held_job_stops_the_queue_until_released_or_discarded(spool: Path) -> None:
    printer = MemoryTransport(online=False)
    with PrintQueue(spool=spool, transport=printer) as queue:
        queue.submit(b"for anne", label="reçu A", resident_id="anne", flush=False)
        queue.submit(b"for jean", label="reçu J", resident_id="jean", flush=False)
        report = queue.flush(hold=lambda job: job.resident_id != "jean")
        assert report.held is None and report.error is not None  # nothing to ask while off
        printer.online = True
        report = queue.flush(hold=lambda job: job.resident_id != "jean")
        assert report.held is not None and report.held.label == "reçu A"
        assert printer.printed == []  # in order: Jean's waits behind Anne's
        queue.release(report.held.id)  # the agent: print it anyway
        assert queue.flush(hold=lambda job: job.resident_id != "jean").held is None
        assert printer.printed == [b"for anne", b"for jean"]
        queue.submit(b"again", label="reçu A2", resident_id="anne", flush=False)
        held = queue.flush(hold=lambda job: True).held
        assert held is not None
        queue.discard(held.id)
        assert queue.jobs() == [] and printer.printed == [b"for anne", b"for jean"]


def test_a_spool_from_before_jobs_named_their_resident_still_opens(spool: Path) -> None:
    spool.parent.mkdir(parents=True)
    with sqlite3.connect(spool) as db:
        db.execute("CREATE TABLE print_job (id INTEGER PRIMARY KEY AUTOINCREMENT, label TEXT"
                   " NOT NULL, data BLOB NOT NULL, state TEXT NOT NULL, attempts INTEGER NOT"
                   " NULL DEFAULT 0, last_error TEXT, created_at TEXT NOT NULL)")
        db.execute("INSERT INTO print_job (label, data, state, created_at) VALUES"
                   " ('old', x'01', 'pending', '2026-12-02T09:00:00+00:00')")
    db.close()
    with PrintQueue(spool=spool, transport=MemoryTransport()) as queue:
        (job,) = queue.jobs()
        assert (job.label, job.resident_id, job.released) == ("old", None, False)


def test_the_spool_is_private_whatever_the_umask(spool: Path) -> None:
    previous = os.umask(0)
    try:
        with PrintQueue(spool=spool, transport=MemoryTransport()) as queue:
            queue.submit(b"x", label="x")
    finally:
        os.umask(previous)
    assert stat.S_IMODE(spool.parent.stat().st_mode) == 0o700
    for path in spool.parent.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
