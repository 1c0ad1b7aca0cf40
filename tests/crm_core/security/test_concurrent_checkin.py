"""Two counters scanning the same badge at the same instant check the resident in once:
real concurrent requests against a real server, on both engines."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
from sqlalchemy import func, select

from crm_core.cases.models import Service
from crm_core.queue.models import QueueTicket
from crm_core.residents.models import Resident
from tests.support.live_server import LiveServer

ROUNDS = 8


def _token(url: str) -> str:
    response = httpx.post(f"{url}/api/v1/auth/token",
                          data={"username": "accueil", "password": "secret-pass"})
    return str(response.json()["access_token"])


def test_two_counters_scanning_one_badge_at_once_make_one_check_in(
    live_server: LiveServer,
) -> None:
    with live_server.session() as session:
        session.add(Service(code="etat-civil", label="État civil", announced_delay_days=5))
        residents = [Resident(given_name=f"Camille{i}", family_name="Durand",
                              given_name_key=f"camille{i}", family_name_key="durand",
                              status="active") for i in range(ROUNDS)]
        session.add_all(residents)
        session.commit()
        resident_ids = [str(r.id) for r in residents]
    desks = [httpx.Client(base_url=live_server.url, timeout=30,
                          headers={"Authorization": f"Bearer {_token(live_server.url)}"})
             for _ in range(2)]
    try:
        for resident_id in resident_ids:
            barrier = threading.Barrier(2)

            def scan(desk: httpx.Client, resident_id: str = resident_id,
                     barrier: threading.Barrier = barrier) -> Any:
                barrier.wait()
                return desk.post("/api/v1/queue/tickets", json={
                    "service_code": "etat-civil", "resident_id": resident_id})

            with ThreadPoolExecutor(2) as pool:
                answers = list(pool.map(scan, desks))
            assert [a.status_code for a in answers] == [201, 201], [a.text for a in answers]
            assert answers[0].json()["id"] == answers[1].json()["id"]
    finally:
        for desk in desks:
            desk.close()
    with live_server.session() as session:
        per_resident = dict(session.execute(
            select(QueueTicket.resident_id, func.count()).group_by(QueueTicket.resident_id)
        ).all())
        assert sorted(str(k) for k in per_resident) == sorted(resident_ids)
        assert set(per_resident.values()) == {1}
        numbers = session.scalars(select(QueueTicket.number).order_by(QueueTicket.number))
        assert list(numbers) == list(range(1, ROUNDS + 1))


def test_once_served_a_resident_can_check_in_again(live_server: LiveServer) -> None:
    with live_server.session() as session:
        session.add(Service(code="social", label="Action sociale", announced_delay_days=5))
        resident = Resident(given_name="Marc", family_name="Durand", given_name_key="marc",
                            family_name_key="durand", status="active")
        session.add(resident)
        session.commit()
        resident_id = str(resident.id)
    headers = {"Authorization": f"Bearer {_token(live_server.url)}"}
    with httpx.Client(base_url=live_server.url, headers=headers) as desk:
        body = {"service_code": "social", "resident_id": resident_id}
        first = desk.post("/api/v1/queue/tickets", json=body).json()
        assert desk.post("/api/v1/queue/tickets", json=body).json()["id"] == first["id"]
        called = desk.post("/api/v1/queue/call-next").json()
        assert called["id"] == first["id"]
        desk.post(f"/api/v1/queue/tickets/{first['id']}/serve", json={})
        again = desk.post("/api/v1/queue/tickets", json=body).json()
        assert again["id"] != first["id"] and again["number"] == first["number"] + 1
