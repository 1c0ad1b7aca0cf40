"""Every reason the code writes in the access log reads as French on "Qui a consulté mon
dossier" and in the downloadable data (outside test of issue 19, points 8 and 20).

The code is walked for every place that writes an access-log row: a new place fails the
test until its reasons are listed here with what it writes."""

from __future__ import annotations

import ast
import re
from html import unescape
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases.reference import format_reference
from crm_core.channels import Channel
from crm_core.interactions.enums import Outcome
from crm_core.interactions.schemas import InteractionCreate
from crm_core.interactions.service import record
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.space.labels import reason_label
from tests.crm_core.space.conftest import SignIn

ROOT = Path(__file__).resolve().parents[3] / "crm_core"
WRITERS = {"record_access", "record_accesses", "log_disclosure", "read_summary",
           "read_summary_pg"}
# (file, operation as written) -> what that place writes as a reason (None: no reason,
# the operation says it all and the page shows "—").
WRITTEN: dict[tuple[str, str], list[str | None]] = {
    ("badges/service.py", "AccessOperation.ISSUE_BADGE"): ["qr", "card"],
    ("badges/service.py", "AccessOperation.REVOKE_BADGE"): [
        "remplacé depuis l'espace usager", "effacement du dossier", "Badge perdu", None],
    ("cases/service.py", "AccessOperation.OPEN_CASE"): ["TX07FU2"],
    ("cases/service.py", "AccessOperation.READ_CASE"): ["TX07FU2"],
    ("cases/service.py", "AccessOperation.UPDATE_CASE"): ["TX07FU2"],
    ("demo/seed.py", "AccessOperation.RECORD_INTERACTION"): [None],
    ("interactions/service.py", "AccessOperation.RECORD_INTERACTION"): ["TX07FU2", None],
    ("consent/service.py", "AccessOperation.READ_CONSENTS"): [None],
    ("consent/service.py", "AccessOperation.UPDATE_CONSENT"): [
        "contact_post=oui", "contact_sms=non", "reminders=oui"],
    ("rights/erasure.py", "AccessOperation.ERASE_RESIDENT"): ["demande de l'usager"],
    ("rights/export.py", "AccessOperation.EXPORT_DATA"): [None],
    ("recognition/router.py", "AccessOperation.LOOKUP"): [
        "phone", "email", "reference", "account"],
    ("recognition/router.py", "AccessOperation.BADGE_SCAN"): ["qr", "card"],
    ("reminders/service.py", "AccessOperation.UPDATE_CONSENT"): ["désabonnement"],
    ("recognition/merge.py", "AccessOperation.MERGE_RESIDENT"): ["fusion : doublon"],
    ("recognition/merge.py", "AccessOperation.UNMERGE_RESIDENT"): [
        "annulation de la fusion 12 : erreur"],
    ("residents/router.py", "AccessOperation.READ_SUMMARY"): ["identity"],
    ("summary/router.py", "AccessOperation.READ_SUMMARY"): ["timeline"],
    ("summary/router.py", "None"): [None],  # read_summary's default: READ_SUMMARY
    ("residents/service.py", "AccessOperation.CREATE_RESIDENT"): [None],
    ("residents/service.py", "AccessOperation.UPDATE_RESIDENT"): [
        "family_name, given_name", "address_line, city, postal_code",
        "contact_point:update", "contact_point:remove"],
    ("residents/service.py", "AccessOperation.ADD_CONTACT_POINT"): [
        "phone", "email", "postal"],
    ("residents/service.py", "AccessOperation.LINK_ACCOUNT"): ["compte-unique"],
    ("summary/service.py", "operation"): [],  # passes on its caller's
    ("space/rights.py", "AccessOperation.UPDATE_RESIDENT"): [
        "privacy_request:rectification", "privacy_request:erasure"],
    ("telephony/service.py", "AccessOperation.LOOKUP"): [
        "incoming_call:201", "desk_snapshot:201"],
    ("telephony/service.py", "None"): [],  # log_disclosure: the LOOKUP above
    ("telephony/desk.py", "None"): [],  # log_disclosure again: "incoming_call:201" above
    ("telephony/access.py", "AccessOperation.READ_CALL"): ["fiche d'un appel", "rappel à faire"],
    ("badges/router.py", "AccessOperation.READ_BADGES"): [None],
    ("reminders/router.py", "AccessOperation.READ_REMINDERS"): [None],
    ("privacy/service.py", "operation"): [],  # record_reads_once_a_day: its caller's (queue)
}
_CODE = re.compile(r"^[a-z_]+([:=][\w-]*)?$|^[0-9A-Z]{7}$")


def _writers() -> set[tuple[str, str]]:
    found = set()
    for path in ROOT.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
            if name in WRITERS:
                operation = next((ast.unparse(k.value) for k in node.keywords
                                  if k.arg == "operation"), "None")
                found.add((str(path.relative_to(ROOT)), operation))
    return found


def test_every_place_writing_an_access_reason_is_listed() -> None:
    assert _writers() == set(WRITTEN)


@pytest.mark.parametrize(("operation", "reason"), [
    (place[1].removeprefix("AccessOperation."), reason)
    for place, reasons in WRITTEN.items() for reason in reasons])
def test_every_written_reason_reads_as_french(operation: str, reason: str | None) -> None:
    op = AccessOperation[operation] if operation not in ("None",) else None
    text = reason_label(reason, op)
    if reason is None:
        assert text == "—"
        return
    assert text and text != "—"
    if _CODE.match(reason):  # a code is never shown as it is stored
        assert reason not in text.split(), (reason, text)
        assert text != reason


def test_a_call_tied_to_a_case_names_the_case_for_the_resident(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    case = factories.CaseFactory(resident=resident)
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role)
    record(db_session=db_session, actor=actor, data=InteractionCreate(
        resident_id=resident.id, case_reference=case.reference, outcome=Outcome.INFORMED,
        channel=Channel.PHONE))
    db_session.commit()
    sign_in_as(resident.id)
    page = unescape(client.get("/espace/consultations").text)
    assert "enregistrement d'un contact" in page
    assert f"demande {format_reference(case.reference)}" in page


def test_the_downloaded_data_gives_the_reasons_in_french(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role)
    for operation, reason in ((AccessOperation.LOOKUP, "incoming_call:201"),
                              (AccessOperation.UPDATE_RESIDENT, "contact_point:update"),
                              (AccessOperation.UPDATE_CONSENT, "contact_post=oui"),
                              (AccessOperation.ADD_CONTACT_POINT, "postal")):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=operation, reason=reason)
    db_session.commit()
    sign_in_as(resident.id)
    rows = client.get("/espace/mes-donnees.json").json()["consultations"]
    by_code = {row["reason_code"]: row for row in rows}
    assert by_code["incoming_call:201"]["reason"] == (
        "appel reçu de votre numéro : dossier affiché au poste 201")
    assert by_code["contact_point:update"]["reason"] == "coordonnée modifiée"
    assert by_code["contact_post=oui"]["reason"] == "recevoir des courriers : oui"
    assert by_code["postal"]["reason"] == "adresse postale"
    assert by_code["postal"]["operation_label"] == "ajout d'une coordonnée"


def test_the_downloaded_data_keeps_null_for_no_reason_and_words_each_channel(
    client: TestClient, factories: ModuleType, db_session: Session, sign_in_as: SignIn
) -> None:
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role)
    record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                  operation=AccessOperation.READ_SUMMARY, channel=Channel.PHONE)
    factories.InteractionFactory(resident=resident, channel=Channel.COUNTER)
    db_session.commit()
    sign_in_as(resident.id)
    document = client.get("/espace/mes-donnees.json").json()
    [read] = [row for row in document["consultations"] if row["operation"] == "read_summary"]
    assert (read["reason"], read["reason_code"]) == (None, None)  # not the pages' "—"
    assert (read["channel"], read["channel_label"]) == ("phone", "par téléphone")
    [exchange] = document["interactions"]
    assert (exchange["channel"], exchange["channel_label"]) == ("counter", "au guichet")
    assert "—" not in str(document["consultations"])
    # The page, for the eye, still says "—" where there is no reason.
    page = unescape(client.get("/espace/consultations").text)
    assert "par téléphone" in page and "—" in page
