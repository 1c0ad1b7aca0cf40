"""The key screens at 80×24 and 120×36, from a real server (SQLite side only: the
screens do not depend on the engine, and one set of pictures is enough), taken with the
clock set to `clock.PICTURE_MOMENT`: the dates they show are the same on any day."""

from __future__ import annotations

import uuid
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import Engine, update

from counter_client.screens.help import HelpScreen
from counter_client.screens.home import HomeScreen
from counter_client.screens.resident import ResidentScreen
from counter_client.screens.visit import VisitScreen
from crm_core.cases.models import Case
from crm_core.client import RelaisClient
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.privacy.models import ConsentChange
from tests.counter_client.snapshot import assert_snapshot, visible_text
from tests.counter_client.support import (
    counter_app,
    create_resident,
    running,
    sign_in,
    type_text,
    wait_for,
)
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio

SIZES = [(80, 24), (120, 36)]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
async def test_key_screens(
    picture_clock: datetime, live_server: LiveServer, engine: Engine, tmp_path: Path,
    size: tuple[int, int], api: RelaisClient,
) -> None:
    if engine.dialect.name != "sqlite":
        pytest.skip("one set of pictures, taken on the SQLite run")
    resident = create_resident(api, address_line="12 rue de la Paix", postal_code="35000",
                               city="Rennes")
    create_resident(api, given_name="Camille", family_name="Durant", phones=[], emails=[],
                    birth_date="1990-07-01")
    case = api.open_case(resident_id=resident["id"], service_code="etat-civil",
                         channel="web", subject="Acte de naissance",
                         external_system="wcs", external_id="demande-1")
    with live_server.session() as session:  # a fixed reference, for stable pictures
        session.execute(update(Case).where(Case.reference == case["reference"])
                        .values(reference="11AK82Y"))
        for purpose in (ConsentPurpose.CONTACT_PHONE, ConsentPurpose.CONTACT_SMS):
            session.add(ConsentChange(resident_id=uuid.UUID(resident["id"]), purpose=purpose,
                                      granted=True, source=ConsentSource.RESIDENT))
        session.commit()
    api.record_interaction(resident_id=resident["id"], outcome="informed",
                           case_reference="11AK82Y", note="Pièces à apporter")
    tag = f"{size[0]}x{size[1]}"
    app = counter_app(live_server.url, tmp_path)
    async with running(app, size) as pilot:
        await wait_for(pilot, lambda: bool(app.screen.query("#username")))
        await pilot.pause(0.2)
        assert_snapshot(app, f"sign_in_{tag}")
        await sign_in(pilot)
        await type_text(pilot, "camille duran")
        home = app.screen
        assert isinstance(home, HomeScreen)
        await wait_for(pilot, lambda: len(home.results) == 2)
        await pilot.pause(0.2)
        assert_snapshot(app, f"home_results_{tag}")
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        await pilot.pause(0.2)
        assert_snapshot(app, f"resident_{tag}")
        shown = visible_text(app)  # what matters, even at 80 columns
        assert "11AK-82Y" in shown and "12/12/2026" in shown  # the case and its due date
        assert "information donnée" in shown and "Pièces à apporter" in shown
        await pilot.press("v")
        await wait_for(pilot, lambda: isinstance(app.screen, VisitScreen))
        await pilot.pause(0.2)
        assert_snapshot(app, f"visit_{tag}")
        await pilot.press("escape", "f1")
        await wait_for(pilot, lambda: isinstance(app.screen, HelpScreen))
        await pilot.pause(0.2)
        assert_snapshot(app, f"help_{tag}")
