"""Journey 5 (MISSION.md): the supervisor's month.

Over a real server on 127.0.0.1, agents work as usual through the API — requests filed
online and closed at the counter, visits, queue tickets, one lone phone call — then the
supervisor asks for the monthly channel report: tables as JSON, the HTML page with its
charts inline, the spreadsheet and the PNG, with the lone caller suppressed.
"""

from __future__ import annotations

import io
import re
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
from openpyxl import load_workbook
from PIL import Image

from crm_core.client import RelaisClient
from tests.counter_client.support import api_client, seed_services
from tests.support.live_server import LiveServer


def _resident(client: RelaisClient, index: int) -> str:
    created = client.create_resident(
        given_name=f"Usager{chr(65 + index)}", family_name=f"Martin{chr(65 + index)}",
        birth_date=f"19{60 + index}-05-0{1 + index % 9}",
        phones=[{"number": f"06 11 22 33 {10 + index}", "contact_allowed": True}],
    )
    return str(created["id"])


def _rows(table: dict[str, Any]) -> dict[str, list[Any]]:
    return {row["label"]: [c["value"] for c in row["cells"]] for row in table["rows"]}


def test_the_supervisors_month(picture_clock: datetime, live_server: LiveServer) -> None:
    """On the picture clock: a month's report built at 23:59:59 on its last day would ask
    about a month that ends while the journey runs."""
    seed_services(live_server)
    platform = api_client(live_server, "superviseur")  # stands for the e-services connector
    counter = api_client(live_server, "accueil")
    phone = api_client(live_server, "telephone")
    try:
        residents = [_resident(counter, index) for index in range(7)]
        for resident in residents[:6]:
            case = platform.open_case(resident_id=resident, service_code="etat-civil",
                                      channel="web", subject="Demande d'acte de naissance")
            # the visit that settles it: the status change and its exchange, at the counter
            counter.update_case(case["reference"], status="resolved", channel="counter")
            ticket = counter.issue_ticket("etat-civil", resident_id=resident)
            called = counter.call_next_ticket()
            assert called["id"] == ticket["id"]
            counter.serve_ticket(ticket["id"])
        phone.record_interaction(resident_id=residents[6], outcome="informed")

        month = datetime.now(ZoneInfo("Europe/Paris")).strftime("%Y-%m")  # the city's month
        headers = {"Authorization": f"Bearer {platform.token}"}
        with httpx.Client(base_url=f"{live_server.url}/api/v1/reports", headers=headers,
                          timeout=120) as http:  # charts render in seconds on a busy box
            report = http.get("/month", params={"month": month})
            assert report.status_code == 200, report.text
            body = report.json()
            assert body["site"] == "Hôtel de ville" and not body["empty"]
            tables = {table["key"]: table for table in body["tables"]}
            channels = _rows(tables["channels"])
            assert channels["Guichet"][0] == 6
            assert channels["Téléphone"][0] is None  # one caller: secret statistique
            assert channels["En ligne"][2] == 6  # six requests filed online
            journeys = _rows(tables["journeys"])
            assert journeys["En ligne"][0] == 6
            assert journeys["En ligne"][5] == 100.0  # all closed at the counter
            assert _rows(tables["waiting"])["Total"][0] == 6
            text = report.text
            assert all(resident not in text for resident in residents)
            assert "Martin" not in text and "acte de naissance" not in text

            page = http.get("/month", params={"month": month, "format": "html"})
            assert page.headers["content-type"].startswith("text/html")
            images = re.findall(r'<img src="data:image/png;base64,', page.text)
            assert images and "http" not in re.sub(r'content="[^"]*"', "", page.text)
            sheet = http.get("/month", params={"month": month},
                             headers={"Accept": "application/vnd.openxmlformats-"
                                                "officedocument.spreadsheetml.sheet"})
            assert "Rapport" in load_workbook(io.BytesIO(sheet.content)).sheetnames
            chart = http.get("/month", params={"month": month, "format": "png"})
            Image.open(io.BytesIO(chart.content)).load()

            elsewhere = http.get("/month", params={"month": month, "site": "annexe-sud"})
            assert elsewhere.status_code == 404
            assert elsewhere.json()["detail"] == "Site d'accueil inconnu : « annexe-sud »"
    finally:
        for client in (platform, counter, phone):
            client.close()
