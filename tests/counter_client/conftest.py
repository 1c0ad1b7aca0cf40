"""What the counter tests share: asyncio for the Pilot, a seeded server's client, a
server engine to stop and start, a receipt printer and its queue."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from badge.printing import PrintQueue, open_printer
from crm_core.client import RelaisClient
from crm_core.database.engine import make_engine
from tests.badge.printer_listener import RecordingPrinter
from tests.counter_client.support import api_client, seed_services
from tests.support.live_server import LiveServer


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture
def api(live_server: LiveServer, cleanup: contextlib.ExitStack) -> RelaisClient:
    """The live server with its services (support.SERVICES), and a signed-in client to
    make the test's data; closed at the end of the test."""
    seed_services(live_server)
    return cleanup.enter_context(api_client(live_server))


@pytest.fixture
def server_engine(agents_database_url: str) -> Iterator[Engine]:
    """A migrated database for servers the test stops and starts itself (`serve`)."""
    engine = make_engine(agents_database_url)
    yield engine
    engine.dispose()


@pytest.fixture
def printer() -> Iterator[RecordingPrinter]:
    device = RecordingPrinter().switch_on()
    yield device
    device.switch_off()


@pytest.fixture
def print_queue(printer: RecordingPrinter, tmp_path: Path) -> Iterator[PrintQueue]:
    queue = PrintQueue(spool=tmp_path / "spool.sqlite3", transport=open_printer(printer.url))
    yield queue
    queue.close()
