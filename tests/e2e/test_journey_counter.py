"""Journey 1 (MISSION.md): started online, recognised at the counter.

A request arrives through the API from an e-services platform (external reference), the
resident shows a QR badge at the counter, the agent sees the case with its online origin,
records the visit, closes the case and prints the receipt on a (loopback) printer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import OptionList

from badge.printing import PrintQueue, open_printer
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.status import StatusScreen
from counter_client.screens.visit import VisitScreen
from crm_core.client.tui import CasesTable
from tests.badge.escpos_decoder import decode
from tests.badge.printer_listener import RecordingPrinter
from tests.counter_client.support import (
    api_client,
    counter_app,
    create_resident,
    running,
    seed_services,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


@pytest.fixture
def printer() -> Iterator[RecordingPrinter]:
    device = RecordingPrinter().switch_on()
    yield device
    device.switch_off()


async def test_started_online_recognised_at_the_counter(
    live_server: LiveServer, tmp_path: Path, printer: RecordingPrinter,
    cleanup: contextlib.ExitStack,
) -> None:
    seed_services(live_server)
    # the superviseur stands for the connector's account
    platform = cleanup.enter_context(api_client(live_server, "superviseur"))
    resident = create_resident(platform)
    platform._request("POST", f"/residents/{resident['id']}/account-links",
                      json={"provider": "compte-citoyen", "subject": "sub-4242"})
    online = platform.open_case(
        resident_id=resident["id"], service_code="etat-civil", channel="web",
        subject="Demande d'acte de naissance", external_system="wcs",
        external_id="DEM-2026-0042",
    )
    token = platform.issue_badge(resident["id"])["token"]  # on the resident's phone
    assert token is not None  # a QR badge: its token comes with it

    queue = cleanup.enter_context(
        PrintQueue(spool=tmp_path / "spool.sqlite3", transport=open_printer(printer.url)))
    app = counter_app(live_server.url, tmp_path / "counter", print_queue=queue)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await type_text(pilot, token)  # the scanner types the QR badge
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        row = [str(cell) for cell in screen.query_one(CasesTable).get_row_at(0)]
        assert row[0] == online["display_reference"]
        assert (row[1], row[3]) == ("● nouvelle", "en ligne")

        await pilot.press("v")  # the visit, about the online request
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        await pilot.press("tab", "tab")  # Résultat, Demande concernée, then the note
        await type_text(pilot, "Pièces justificatives apportées")
        await pilot.press("enter")
        await wait_for(pilot, lambda: app.pending == 0 and len(
            platform.timeline(resident["id"])) == 2)

        await pilot.press("s")  # close it
        await wait_for(pilot, lambda: isinstance(app.screen, StatusScreen)
                       and app.screen.query_one("#targets", OptionList).option_count > 0)
        targets = app.screen.query_one("#targets", OptionList)
        ids = [str(targets.get_option_at_index(i).id) for i in range(targets.option_count)]
        await pilot.press(*["down"] * ids.index("closed"), "enter")
        await wait_for(pilot, lambda: platform.case(online["reference"])["status"] == "closed")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen)
                       and not screen.summary["open_cases"])
        await pilot.press("p")  # the receipt
        await wait_for(pilot, lambda: len(printer.printed_jobs()) == 1)

    case = platform.case(online["reference"])
    assert (case["origin_channel"], case["external_id"]) == ("web", "DEM-2026-0042")
    assert [h["to_status"] for h in case["history"]] == ["new", "closed"]
    assert case["history"][-1]["channel"] == "counter"
    timeline = platform.timeline(resident["id"])
    assert {(e["channel"], e["outcome"]) for e in timeline} >= {
        ("web", "submitted_online"), ("counter", "informed")}
    visit = next(e for e in timeline if e["note"] == "Pièces justificatives apportées")
    assert visit["case_reference"] == online["reference"]
    printout = decode(printer.printed_jobs()[0])
    assert online["display_reference"] in printout.text
    assert "Demande clôturée" in printout.text
    assert "Reçu de passage" in printout.text


async def test_printer_off_then_back_each_receipt_for_its_own_resident(
    live_server: LiveServer, tmp_path: Path, cleanup: contextlib.ExitStack,
) -> None:
    """Issue 19: with the printer off, P said "dès que possible" but nothing came out until
    the next P, which printed the previous resident's receipt with the new one."""
    seed_services(live_server)
    api = cleanup.enter_context(api_client(live_server))
    camille = create_resident(api)
    jean = create_resident(api, given_name="Jean", family_name="Martin", phones=[],
                           emails=[])
    first = api.open_case(resident_id=camille["id"], service_code="etat-civil",
                          channel="counter", subject="Acte de naissance")
    second = api.open_case(resident_id=jean["id"], service_code="urbanisme",
                           channel="counter", subject="Permis de construire")
    printer = RecordingPrinter().switch_on()
    printer.switch_off()  # out of paper, unplugged: off
    cleanup.callback(printer.switch_off)
    queue = cleanup.enter_context(
        PrintQueue(spool=tmp_path / "spool.sqlite3", transport=open_printer(printer.url)))
    app = counter_app(live_server.url, tmp_path / "counter", print_queue=queue)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.open_resident(camille["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen)
                       and bool(app.screen.summary["open_cases"]))
        await pilot.press("p")
        await wait_for(pilot, lambda: queue.jobs() != [])
        printer.switch_on()  # back; Camille is still at the desk, nobody presses a key
        await wait_for(pilot, lambda: len(printer.printed_jobs()) == 1)

        await pilot.press("escape")  # Camille leaves, Jean comes
        app.open_resident(jean["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen)
                       and app.screen.resident_id == jean["id"]
                       and bool(app.screen.summary["open_cases"]))
        await pilot.press("p")
        await wait_for(pilot, lambda: len(printer.printed_jobs()) == 2)
    mine, his = (decode(job).text for job in printer.printed_jobs())
    assert first["display_reference"] in mine and "Acte de naissance" in mine
    assert second["display_reference"] in his and "Permis de construire" in his
    assert first["display_reference"] not in his
