"""The counter shows the city's time, not Paris's (issue 21, point 3): a commune in Guyane
(`RELAIS_TIMEZONE=America/Cayenne`) at 02:30 in Paris, 22:30 the day before in Cayenne;
the zone comes with the sign-in and with a stored session resumed."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from counter_client.screens.resident import ResidentScreen
from crm_core.client import RelaisClient
from crm_core.client.tui import CasesTable, Timeline
from tests.counter_client.support import counter_app, create_resident, running, sign_in, wait_for
from tests.support.clock import PARIS, starting_at
from tests.support.live_server import LiveServer

pytestmark = pytest.mark.anyio
# A case opened at 23:30 in Paris (19:30 in Cayenne, 2 December), shown three hours later:
# 02:30 on 3 December in Paris, 22:30 on 2 December in Cayenne.
OPENED = datetime(2026, 12, 2, 23, 30, tzinfo=PARIS)
SHOWN = datetime(2026, 12, 3, 2, 30, tzinfo=PARIS)


@pytest.fixture(autouse=True)
def _guyane(live_server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RELAIS_TIMEZONE", "America/Cayenne")
    live_server.reread_settings()


async def _shown(app_path: Path, live_server: LiveServer, resident_id: str, *,
                 resumed: bool) -> tuple[list[str], str]:
    """The open case's row and the timeline's first time, on the resident screen."""
    app = counter_app(live_server.url, app_path)
    async with running(app, (100, 30)) as pilot:
        if not resumed:
            await sign_in(pilot)
        await wait_for(pilot, lambda: bool(app.services))
        assert app.today().isoformat() == "2026-12-02"
        app.open_resident(resident_id)
        await wait_for(pilot, lambda: isinstance(app.screen, ResidentScreen))
        cases = app.screen.query_one(CasesTable)
        timeline = app.screen.query_one(Timeline)
        await wait_for(pilot, lambda: cases.row_count == 1 and timeline.row_count >= 1)
        return [str(cell) for cell in cases.get_row_at(0)], str(timeline.get_row_at(0)[0])


async def test_the_counter_shows_cayenne_s_date_and_times(
    live_server: LiveServer, tmp_path: Path, api: RelaisClient,
) -> None:
    with starting_at(OPENED):
        resident = create_resident(api)
        api.open_case(resident_id=resident["id"], service_code="etat-civil", subject="Acte")
        api.record_interaction(resident_id=resident["id"], outcome="informed", note="Vu")
    with starting_at(SHOWN):
        for resumed in (False, True):  # signed in, then the stored session resumed
            row, when = await _shown(tmp_path, live_server, resident["id"], resumed=resumed)
            # Opened today in Cayenne (in Paris: yesterday, « 1 j »).
            assert row[-1] == "aujourd'hui", (resumed, row)
            assert when.startswith("02/12/2026 19:3"), (resumed, when)
