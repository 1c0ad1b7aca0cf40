"""The shared widgets, fed with summaries and timelines from a real server."""

from __future__ import annotations

from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.widgets import DataTable

from crm_core.client import RelaisClient
from crm_core.client.tui import CasesTable, ResidentCard, Timeline
from crm_core.client.tui.city_time import CityTime
from crm_core.client.tui.resident_card import contact_mark, render_card
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio


class WidgetsApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.messages: list[Any] = []

    def compose(self) -> ComposeResult:
        yield ResidentCard(id="card")
        yield CasesTable(id="cases", city=CityTime())
        yield Timeline(id="timeline", city=CityTime())

    def on_resident_card_shown(self, message: ResidentCard.Shown) -> None:
        self.messages.append(message)

    def on_cases_table_case_selected(self, message: CasesTable.CaseSelected) -> None:
        self.messages.append(message)

    def on_timeline_entry_selected(self, message: Timeline.EntrySelected) -> None:
        self.messages.append(message)


def _resident_with_history(client: RelaisClient) -> dict[str, Any]:
    resident = client.create_resident(
        given_name="Élodie", family_name="Lefèvre", birth_date="1979-05-02",
        phones=[{"number": "06 12 34 56 78", "contact_allowed": True}],
    )
    case = client.open_case(
        resident_id=resident["id"], service_code="etat-civil", channel="web",
        subject="Acte de naissance", external_system="wcs", external_id="42",
    )
    client.record_interaction(
        resident_id=resident["id"], outcome="informed", note="Venue pour un renseignement",
        case_reference=case["reference"],
    )
    return dict(client.summary(resident["id"]))


def test_the_card_shows_the_effective_contact_answer_not_the_points_flag() -> None:
    kept_refused = {"kind": "email", "value": "a@b.fr", "contact_allowed": True,
                    "contact_ways": []}
    accepted = {"kind": "phone", "value": "+33612345678", "contact_allowed": True,
                "contact_ways": ["call", "sms"]}
    assert contact_mark(kept_refused) == "ne pas contacter"
    assert contact_mark(accepted) == "appels et SMS acceptés"


def test_the_card_says_exactly_which_ways_are_allowed() -> None:
    # Outside test of issue 19, point 6: a number for SMS only never reads "accepté".
    phone = {"kind": "phone", "value": "+33649337510", "contact_allowed": True}
    assert contact_mark({**phone, "contact_ways": ["sms"]}) == "SMS seulement"
    assert contact_mark({**phone, "contact_ways": ["call"]}) == "appels seulement"
    assert contact_mark({"kind": "email", "contact_ways": ["email"]}) == "courriels acceptés"
    assert contact_mark({"kind": "postal", "contact_ways": ["post"]}) == "courrier accepté"


def test_a_postal_point_is_named_in_french_on_the_card() -> None:
    # Outside test of issue 19, point 18: « postal : 3 place … » on the card.
    summary = {"resident": {"id": "r", "given_name": "Camille", "family_name": "Durand"},
               "contact_points": [{"kind": "postal", "value": "3 place de la Mairie",
                                   "contact_ways": ["post"]}],
               "flags": ["no_phone_contact"]}
    text = str(render_card(summary))
    assert "Adresse : 3 place de la Mairie (courrier accepté)" in text
    assert "postal" not in text
    assert "ne pas appeler" in text


def _signed_in(live_server: LiveServer) -> RelaisClient:
    from crm_core.cases.models import Service

    with live_server.session() as session:
        session.add(Service(code="etat-civil", label="État civil", announced_delay_days=10))
        session.commit()
    client = RelaisClient(live_server.url)
    client.sign_in("accueil", "secret-pass")
    return client


async def test_widgets_show_a_summary_and_report_selections(live_server: LiveServer) -> None:
    client = _signed_in(live_server)
    summary = _resident_with_history(client)
    app = WidgetsApp()
    async with app.run_test(size=(120, 36)) as pilot:
        app.query_one(ResidentCard).show(summary)
        app.query_one(CasesTable).show(summary["open_cases"])
        app.query_one(Timeline).show(summary["recent_interactions"])
        await pilot.pause()
        card_text = str(app.query_one(ResidentCard).render())
        assert "Élodie LEFÈVRE" in card_text
        assert "06 12 34 56 78" in card_text
        # The number is kept for contact, but the resident never said yes to calls or
        # SMS: the card shows the one effective answer (docs/consent.md).
        assert "ne pas contacter" in card_text and "contact accepté" not in card_text
        assert "pas de contact par e-mail" in card_text
        assert "Badge : aucun" in card_text

        cases = app.query_one(CasesTable)
        row = [str(cell) for cell in cases.get_row_at(0)]
        assert row[0] == summary["open_cases"][0]["display_reference"]
        assert row[1] == "● nouvelle" and row[3:5] == ["en ligne", "État civil"]
        assert row[6] == "aujourd'hui"

        timeline = app.query_one(Timeline)
        assert timeline.row_count == 2
        channels = {str(timeline.get_row_at(i)[1]) for i in range(2)}
        assert channels == {"en ligne", "guichet"}
        agents = {str(timeline.get_row_at(i)[6]) for i in range(2)}
        assert agents == {"Accueil"}

        cases.focus()
        await pilot.press("enter")
        timeline.focus()
        await pilot.press("enter")
        await pilot.pause()
    kinds = [type(message) for message in app.messages]
    assert kinds == [ResidentCard.Shown, CasesTable.CaseSelected, Timeline.EntrySelected]
    selected = app.messages[1]
    assert selected.case["reference"] == summary["open_cases"][0]["reference"]
    assert selected.control is cases
    client.close()


async def test_timeline_pages_back_without_duplicates() -> None:
    app = WidgetsApp()
    entries = [
        {"id": f"e{i}", "occurred_at": f"2026-03-{10 - i:02d}T09:00:00+00:00",
         "channel": "phone", "outcome": "informed", "site": None, "agent": None,
         "case_reference": None, "note": "x" * 100}
        for i in range(3)
    ]
    async with app.run_test(size=(80, 24)) as pilot:
        timeline = app.query_one(Timeline)
        timeline.show(entries[:2])
        timeline.extend(entries[1:], complete=True)
        await pilot.pause()
        assert timeline.row_count == 3
        assert timeline.complete
        assert str(timeline.get_row_at(0)[0]) == "10/03/2026 10:00"
        assert str(timeline.get_row_at(0)[4]).endswith("…")
        assert isinstance(timeline, DataTable)
