"""`relais phone ring` plays the PBX against a real server: signed events, clear refusals."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from crm_core.cli import DEMO_PBX_SECRETS, app
from crm_core.telephony.config import get_telephony_settings
from crm_core.telephony.enums import CallStatus
from crm_core.telephony.models import Call
from tests.support.live_server import LiveServer

runner = CliRunner()


@pytest.fixture
def demo_pbx(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("RELAIS_TELEPHONY_PBX_SECRETS", DEMO_PBX_SECRETS)
    get_telephony_settings.cache_clear()
    yield
    get_telephony_settings.cache_clear()


def test_a_rung_call_reaches_the_server_answered_and_hung_up(
    demo_pbx: None, live_server: LiveServer
) -> None:
    result = runner.invoke(app, ["phone", "ring", "06 12 34 56 78", "--extension", "201",
                                 "--server", live_server.url, "--answer-after", "0",
                                 "--hangup-after", "0"])
    assert result.exit_code == 0, result.output
    assert "vers le poste 201" in result.output
    with live_server.session() as session:
        call = session.scalars(select(Call)).one()
        assert call.remote_number == "+33612345678"
        assert call.status is CallStatus.COMPLETED and call.answered_at is not None


def test_refusals_are_readable(demo_pbx: None, live_server: LiveServer) -> None:
    garbage = runner.invoke(app, ["phone", "ring", "x" * 300, "--server", live_server.url])
    assert garbage.exit_code == 1 and "refusé (422)" in garbage.output
    unknown_pbx = runner.invoke(app, ["phone", "ring", "0612345678", "--pbx", "autre"])
    assert unknown_pbx.exit_code == 1 and "aucun secret pour le PBX" in unknown_pbx.output
    down = runner.invoke(app, ["phone", "ring", "0612345678", "--demo",
                               "--server", "http://127.0.0.1:9"])
    assert down.exit_code == 1 and "injoignable" in down.output


def test_an_unreachable_server_is_said_in_french(demo_pbx: None) -> None:
    """Outside test after issue 20: « ([Errno 111] Connection refused) »."""
    result = runner.invoke(app, ["phone", "ring", "06 12 34 56 78",
                                 "--server", "http://127.0.0.1:9"])
    assert result.exit_code == 1
    assert "serveur injoignable" in result.output
    assert "Errno" not in result.output and "refused" not in result.output
