from __future__ import annotations

import io
from collections.abc import Callable
from types import ModuleType

from fastapi.testclient import TestClient
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.channels import Channel
from tests.crm_core.conftest import sign_in
from tests.crm_core.reports.dataset import World, at, make_world

URL = "/api/v1/reports"
OCTOBER = {"from": "2026-10-01", "to": "2026-10-31"}


def _supervisor(client: TestClient, factories: ModuleType, world: World | None) -> dict[str, str]:
    agent = factories.AgentFactory(role=Role.SUPERVISOR, site=world.nord if world else None)
    return sign_in(client, agent.username)


def _world(db_session: Session, factories: ModuleType) -> World:
    world = make_world(db_session, factories)
    for who in range(6):
        world.contact(who, Channel.COUNTER, at(5), site=world.nord)
        world.contact(who + 10, Channel.COUNTER, at(5), site=world.sud)
    return world


def test_a_supervisor_gets_json(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    _world(db_session, factories)
    headers = _supervisor(client, factories, None)
    response = client.get(f"{URL}/channels", params=OCTOBER, headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["site"] == "Tous les sites"
    counter = next(r for r in body["tables"][0]["rows"] if r["label"] == "Guichet")
    assert counter["cells"][0] == {"value": 12, "suppressed": False}


def test_a_site_supervisor_sees_their_site_and_no_other(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    world = _world(db_session, factories)
    headers = _supervisor(client, factories, world)
    own = client.get(f"{URL}/channels", params=OCTOBER, headers=headers).json()
    assert own["site"] == "Mairie Nord"
    counter = next(r for r in own["tables"][0]["rows"] if r["label"] == "Guichet")
    assert counter["cells"][0]["value"] == 6
    other = client.get(f"{URL}/channels", params={**OCTOBER, "site": "sud"}, headers=headers)
    assert other.status_code == 403
    assert other.headers["content-type"].startswith("application/problem+json")
    assert "Mairie Nord" in other.json()["detail"]


def test_other_roles_are_refused(
    client: TestClient, as_role: Callable[[Role], dict[str, str]]
) -> None:
    response = client.get(f"{URL}/channels", params=OCTOBER, headers=as_role(Role.COUNTER))
    assert response.status_code == 403
    assert "rapports" in response.json()["detail"]
    assert client.get(f"{URL}/channels", params=OCTOBER).status_code == 401


def test_bad_input_is_a_french_problem(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    headers = _supervisor(client, factories, None)
    cases = {
        ("channels", "from=2026-10-31&to=2026-10-01"): (422, "Période inversée"),
        ("channels", "from=1900-01-01&to=1900-02-01"): (422, "hors des limites"),
        ("channels", "from=2030-01-01&to=2030-02-01"): (422, "hors limites"),
        ("channels", "from=2010-01-01&to=2026-10-01"): (422, "trop longue"),
        ("channels", "from=2026-13-01&to=2026-10-01"): (422, "date invalide"),
        ("channels", "from=2026-10-01"): (422, "Précisez la période"),
        ("channels", "month=2026-1O"): (422, "Mois illisible"),
        ("month", "month=9999-12"): (422, "Période hors limites"),
        ("channels", "from=2016-01-01&to=2026-01-02"): (422, "trop longue"),
        ("nope", "month=2026-10"): (422, "Rapport inconnu"),
        ("channels", "month=2026-10&site=atlantide"): (404, "Site d'accueil inconnu"),
        ("channels", "month=2026-10&service=astrologie"): (404, "astrologie"),
        ("channels", "month=2026-10&format=docx"): (422, "Format inconnu"),
    }
    for (name, query), (status, words) in cases.items():
        response = client.get(f"{URL}/{name}?{query}", headers=headers)
        assert response.status_code == status, (query, response.text)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert words in response.json()["detail"], (query, response.json())


def test_other_formats_by_parameter_or_accept(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    _world(db_session, factories)
    headers = _supervisor(client, factories, None)
    png = client.get(f"{URL}/month", params={"month": "2026-10", "format": "png"},
                     headers=headers)
    assert png.headers["content-type"] == "image/png"
    Image.open(io.BytesIO(png.content)).load()
    xlsx = client.get(f"{URL}/month", params={"month": "2026-10"},
                      headers={**headers, "Accept": FORMATS_XLSX})
    assert "attachment" in xlsx.headers["content-disposition"]
    assert "Rapport" in load_workbook(io.BytesIO(xlsx.content)).sheetnames
    html = client.get(f"{URL}/waiting", params=OCTOBER, headers={**headers, "Accept": "text/html"})
    assert html.text.startswith("<!DOCTYPE html>")
    csv = client.get(f"{URL}/calls", params={**OCTOBER, "format": "csv"}, headers=headers)
    assert csv.headers["content-type"].startswith("text/csv")


FORMATS_XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_a_period_not_over_says_complete_false(
    client: TestClient, db_session: Session, factories: ModuleType
) -> None:
    """Fourth outside look at issue 21 (the reports' clock: 1 November 2026 in Paris)."""
    headers = _supervisor(client, factories, None)
    current = client.get(f"{URL}/month", params={"month": "2026-11"}, headers=headers).json()
    assert current["complete"] is False
    assert current["notes"][0].startswith("Mois en cours : chiffres partiels jusqu'au 01/11/2026")
    over = client.get(f"{URL}/month", params={"month": "2026-10"}, headers=headers).json()
    assert over["complete"] is True and not any("partiels" in n for n in over["notes"])
