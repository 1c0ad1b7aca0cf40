"""Pilot tests of the resident-screen actions against a real server, printer and reader."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import update
from textual.widgets import OptionList

from badge.printing import PrintQueue
from counter_client.screens.badge import BadgeScreen
from counter_client.screens.confirm_card import ConfirmCardScreen
from counter_client.screens.contact import ContactScreen
from counter_client.screens.home import HomeScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.sign_in import SignInScreen
from counter_client.screens.status import StatusScreen
from crm_core.badges.models import Badge
from crm_core.client import RelaisClient
from crm_core.client.tui import ResidentCard
from crm_core.client.tui.message_line import MessageLine
from tests.badge.escpos_decoder import decode
from tests.badge.printer_listener import RecordingPrinter
from tests.counter_client.support import (
    counter_app,
    create_resident,
    running,
    seed_services,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.fakes.card import FakeCardReader
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


def _card_text(screen: object) -> str:
    if not isinstance(screen, ResidentScreen):
        return ""
    return str(screen.query_one(ResidentCard).render())


async def test_scan_open_case_close_it_and_print_the_receipt(
    live_server: LiveServer, tmp_path: Path, printer: RecordingPrinter, print_queue: PrintQueue,
    api: RelaisClient,
) -> None:
    resident = create_resident(api)
    token = api.issue_badge(resident["id"])["token"]
    assert token is not None  # a QR badge: its token comes with it
    app = counter_app(live_server.url, tmp_path, print_queue=print_queue)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        await type_text(pilot, token)  # what a keyboard-wedge scanner does
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await wait_for(pilot, lambda: "Badge : QR ✓ actif" in _card_text(app.screen))

        await pilot.press("n")  # new case: service, kind, subject
        await pilot.press("enter", "down", "enter")  # État civil (first service by label)
        await pilot.press("tab", "tab")
        await type_text(pilot, "Acte de mariage")
        await pilot.press("ctrl+s")
        await wait_for(pilot, lambda: app.pending == 0 and len(api.summary(
            resident["id"])["open_cases"]) == 1)
        case = api.summary(resident["id"])["open_cases"][0]
        assert (case["subject"], case["origin_channel"]) == ("Acte de mariage", "counter")
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        await wait_for(pilot, lambda: len(screen.summary["open_cases"]) == 1)

        await pilot.press("s")  # only allowed transitions are offered
        await wait_for(pilot, lambda: isinstance(app.screen, StatusScreen)
                       and app.screen.query_one("#targets", OptionList).option_count > 0)
        options = app.screen.query_one("#targets", OptionList)
        offered = [str(options.get_option_at_index(i).id) for i in range(options.option_count)]
        assert offered == ["in_progress", "waiting_resident", "resolved", "closed"]
        await pilot.press("end", "enter")
        await wait_for(pilot, lambda: api.case(case["reference"])["status"] == "closed")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))

        await pilot.press("v")  # a visit about the case just closed is still possible
        await pilot.press("escape")
        await wait_for(pilot, lambda: not screen.summary["open_cases"])
        await pilot.press("p")  # the receipt of the case just closed, with its status
        await wait_for(pilot, lambda: len(printer.printed_jobs()) == 1)
    printed = [decode(job) for job in printer.printed_jobs()]
    assert len(printed) == 1
    assert case["display_reference"] in printed[0].text
    assert "Demande clôturée" in printed[0].text
    assert "Accueil : Accueil" in printed[0].text


async def test_first_card_tap_asks_the_agent_to_confirm(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    card = api.issue_badge(resident["id"], card_uid="04A1B2C3D4E5F6")
    with live_server.session() as session:  # enrolled without an agent (online space)
        session.execute(update(Badge).where(Badge.id == card["id"]).values(
            confirmed_at=None, confirmed_by_agent_id=None))
        session.commit()
    reader = FakeCardReader()
    app = counter_app(live_server.url, tmp_path, card_reader=reader)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        reader.tap(bytes.fromhex("04A1B2C3D4E5F6"))
        await wait_for(pilot, lambda: isinstance(app.screen, ConfirmCardScreen))
        await pilot.press("o")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await wait_for(pilot, lambda: api.badges(resident["id"])[0]["confirmed"])
        reader.remove()
        await pilot.press("escape")
        reader.tap(bytes.fromhex("04A1B2C3D4E5F6"))  # confirmed: straight to the file
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.pause(0.3)
        assert not isinstance(app.screen, ConfirmCardScreen)
        reader.remove()
        reader.tap(bytes.fromhex("04FFFFFFFFFFFF"))  # unknown card: said in French
        await wait_for(pilot, lambda: "carte" in str(
            app.screen.query_one("#message").render()).lower())


async def test_issue_print_and_revoke_a_badge_and_add_a_contact_point(
    live_server: LiveServer, tmp_path: Path, printer: RecordingPrinter, print_queue: PrintQueue,
    api: RelaisClient,
) -> None:
    resident = create_resident(api, phones=[], emails=[])
    app = counter_app(live_server.url, tmp_path, print_queue=print_queue)
    async with running(app, (120, 36)) as pilot:
        await sign_in(pilot)
        app.open_resident(resident["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.press("b", "enter")  # issue a QR badge, printed at once
        await wait_for(pilot, lambda: len(printer.printed_jobs()) == 1)
        await wait_for(pilot, lambda: "QR ✓ actif" in _card_text(app.screen))
        printout = decode(printer.printed_jobs()[0])
        token = printout.qr_codes[0].payload.decode()
        assert api.lookup(badge=token)["resident"]["id"] == resident["id"]

        await pilot.press("b")
        await wait_for(pilot, lambda: isinstance(app.screen, BadgeScreen))
        await pilot.press("down", "down", "enter")  # revoke the active badge
        await wait_for(pilot, lambda: "révoqué" in _card_text(app.screen))
        with pytest.raises(Exception, match="révoqué"):
            api.lookup(badge=token)

        await pilot.press("c")
        await type_text(pilot, "0611223344")
        await pilot.press("tab", "space", "ctrl+s")
        await wait_for(pilot, lambda: "06 11 22 33 44" in _card_text(app.screen))
        await pilot.press("c")
        await type_text(pilot, "pas-un-email")
        await pilot.press("enter")
        await pilot.pause(0.5)
        assert isinstance(app.screen, ContactScreen)  # stays open and says why
        assert "⚠" in str(app.screen.query_one(MessageLine).render())


async def test_bad_password_and_sign_out_keep_the_day_token(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, SignInScreen))
        await pilot.press(*"accueil", "tab", *"faux", "enter")
        await wait_for(pilot, lambda: "incorrect" in str(
            app.screen.query_one("#message").render()))
        await pilot.press("shift+tab")
        await sign_in(pilot, username="")  # the name is still typed
    again = counter_app(live_server.url, tmp_path)  # same day, same workstation
    async with running(again, (80, 24)) as pilot:
        await wait_for(pilot, lambda: isinstance(again.screen, HomeScreen))
        await pilot.press("f10")
        await wait_for(pilot, lambda: isinstance(again.screen, SignInScreen))
    assert not (tmp_path / "session.json").exists()


async def test_enter_in_the_status_note_saves_as_the_help_says(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    case = api.open_case(resident_id=resident["id"], service_code="etat-civil",
                         channel="counter", subject="Acte de naissance")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (80, 24)) as pilot:
        await sign_in(pilot)
        app.open_resident(resident["id"])
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatusScreen)
                       and app.screen.query_one("#targets", OptionList).option_count > 0)
        await pilot.press("tab")  # to the note
        await type_text(pilot, "Pièces reçues")
        await pilot.press("enter")
        await wait_for(pilot, lambda: api.case(case["reference"])["status"] != "new")
    history = api.case(case["reference"])["history"]
    assert history[-1]["to_status"] == "in_progress"
    assert history[-1]["note"] == "Pièces reçues"


async def test_a_file_opened_by_a_case_reference_highlights_that_case(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    """Outside look at issue 21: the table started on its first case, so S changed
    another case than the one the resident's paper named."""
    resident = create_resident(api)
    for code in ("etat-civil", "urbanisme", "etat-civil"):
        api.open_case(resident_id=resident["id"], service_code=code,
                      subject=f"Demande {code}", channel="counter")
    wanted = api.summary(resident["id"])["open_cases"][-1]  # the table's last row
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (100, 30)) as pilot:
        await sign_in(pilot)
        await type_text(pilot, wanted["display_reference"].lower())
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen)
                       and len(app.screen.summary["open_cases"]) == 3)
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        await wait_for(pilot, lambda: screen.current_case is not None
                       and screen.current_case["reference"] == wanted["reference"])
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatusScreen))
        status = app.screen
        assert isinstance(status, StatusScreen)
        assert status.case["reference"] == wanted["reference"]


async def test_a_file_opened_by_a_resolved_case_reference_shows_and_changes_that_case(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    """Third outside look at issue 21: a resolved case is not among the open ones, so the
    table started on the first open case and S changed another case than the one quoted."""
    resident = create_resident(api)
    api.open_case(resident_id=resident["id"], service_code="etat-civil",
                  subject="Toujours ouverte", channel="counter")
    done = api.open_case(resident_id=resident["id"], service_code="urbanisme",
                         subject="Déjà résolue", channel="counter")
    api.update_case(done["reference"], status="resolved")
    app = counter_app(live_server.url, tmp_path)
    async with running(app, (100, 30)) as pilot:
        await sign_in(pilot)
        await type_text(pilot, done["display_reference"])
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen)
                       and app.screen.current_case is not None
                       and app.screen.current_case["reference"] == done["reference"])
        screen = app.screen
        assert isinstance(screen, ResidentScreen)
        said = str(screen.query_one(MessageLine).render())
        assert f"Demande {done['display_reference']} :" in said and "résolue" in said
        await pilot.press("s")
        await wait_for(pilot, lambda: isinstance(app.screen, StatusScreen)
                       and app.screen.query_one("#targets", OptionList).option_count > 0)
        status = app.screen
        assert isinstance(status, StatusScreen)
        assert status.case["reference"] == done["reference"]
        targets = status.query_one("#targets", OptionList)
        targets.highlighted = next(index for index in range(targets.option_count)
                                   if targets.get_option_at_index(index).id == "in_progress")
        await pilot.press("enter")  # reopened: back to « en cours »
        await wait_for(pilot, lambda: api.case(done["reference"])["status"] != "resolved")
    assert api.case(done["reference"])["status"] == "in_progress"
