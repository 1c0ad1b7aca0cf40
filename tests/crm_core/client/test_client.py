from __future__ import annotations

import pytest

from crm_core.cases.models import Service
from crm_core.client import Ambiguous, ApiError, RelaisClient, ServerUnreachable
from tests.support.live_server import LiveServer, free_port


def test_client_against_a_real_server(live_server: LiveServer) -> None:
    with live_server.session() as session:
        session.add(Service(code="etat-civil", label="État civil", announced_delay_days=10))
        session.commit()
    with RelaisClient(live_server.url) as client:
        session_info = client.sign_in("accueil", "secret-pass")
        assert session_info["site_code"] == "hdv"
        assert client.me()["role"] == "counter"
        resident = client.create_resident(
            given_name="Loïc", family_name="Le Goff", phones=["06 11 22 33 44"]
        )
        case = client.open_case(
            resident_id=resident["id"], service_code="etat-civil", subject="Livret de famille"
        )
        assert case["origin_channel"] == "counter"
        client.update_case(case["reference"], status="resolved", note="Remis en main propre")
        summary = client.lookup(phone="+33611223344")
        assert summary["open_cases"][0]["status"] == "resolved"
        client.create_resident(given_name="Anne", family_name="Le Goff",
                               phones=["06 11 22 33 44"])
        with pytest.raises(Ambiguous) as ambiguous:
            client.lookup(phone="0611223344")
        assert len(ambiguous.value.candidates) == 2
        with pytest.raises(ApiError) as refused:
            client.update_case(case["reference"], status="new")
        assert refused.value.code == "invalid_transition"
        assert "ne peut pas passer" in refused.value.message
        client.sign_out()
        with pytest.raises(ApiError) as signed_out:
            client.services()
        assert signed_out.value.status == 401


def test_unreachable_server_is_one_clear_error() -> None:
    with RelaisClient(f"http://127.0.0.1:{free_port()}") as client, pytest.raises(
        ServerUnreachable, match="injoignable"
    ):
        client.health()
