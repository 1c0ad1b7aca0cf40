"""Supervisors see the rights requests filed from the space and finish them."""

from __future__ import annotations

import uuid
from types import ModuleType
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role
from crm_core.space import rights
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus

API = "/api/v1"


def test_an_erasure_request_is_listed_then_finished_by_the_erasure(
    client: TestClient, factories: ModuleType, db_session: Session, as_role: Any
) -> None:
    resident = factories.ResidentFactory()
    request = rights.file_request(db_session=db_session, resident_id=resident.id,
                                  kind=PrivacyRequestKind.ERASURE, message="Merci d'effacer")
    supervisor = as_role(Role.SUPERVISOR)
    listed = client.get(f"{API}/privacy-requests", headers=supervisor)
    assert listed.status_code == 200
    [item] = listed.json()
    assert (item["id"], item["kind"], item["status"], item["message"]) == (
        str(request.id), "erasure", "open", "Merci d'effacer")
    erased = client.post(f"{API}/residents/{resident.id}/erasure", headers=supervisor,
                         json={"reason": "demande de l'usager depuis son espace"})
    assert erased.status_code == 200, erased.text
    assert client.get(f"{API}/privacy-requests", headers=supervisor).json() == []
    [done] = client.get(f"{API}/privacy-requests?status=done", headers=supervisor).json()
    assert done["status"] == "done" and done["message"] is None  # free text scrubbed


def test_a_rectification_is_closed_with_an_answer(
    client: TestClient, factories: ModuleType, db_session: Session, as_role: Any
) -> None:
    resident = factories.ResidentFactory()
    request = rights.file_request(db_session=db_session, resident_id=resident.id,
                                  kind=PrivacyRequestKind.RECTIFICATION,
                                  message="Mon nom est Durand")
    supervisor = as_role(Role.SUPERVISOR)
    url = f"{API}/privacy-requests/{request.id}/close"
    closed = client.post(url, headers=supervisor,
                         json={"status": "done", "answer": "Nom corrigé"})
    assert closed.status_code == 200, closed.text
    assert (closed.json()["status"], closed.json()["answer"]) == ("done", "Nom corrigé")
    again = client.post(url, headers=supervisor, json={"status": "done", "answer": "encore"})
    assert again.status_code == 409
    assert rights.list_for_resident(db_session=db_session, resident_id=resident.id)[0].status \
        is PrivacyRequestStatus.DONE


def test_only_supervisors_handle_rights_requests(
    client: TestClient, as_role: Any
) -> None:
    assert client.get(f"{API}/privacy-requests", headers=as_role(Role.COUNTER)
                      ).status_code == 403
    assert client.get(f"{API}/privacy-requests").status_code == 401
    supervisor = as_role(Role.SUPERVISOR)
    missing = client.post(f"{API}/privacy-requests/{uuid.uuid4()}/close", headers=supervisor,
                          json={"status": "refused", "answer": "motif"})
    assert missing.status_code == 404
    bad = client.post(f"{API}/privacy-requests/{uuid.uuid4()}/close", headers=supervisor,
                      json={"status": "open", "answer": "motif"})
    assert bad.status_code == 422
    assert bad.json()["detail"] == ("status : valeur non reconnue (attendu : 'done' ou"
                                    " 'refused')")
    assert client.get(f"{API}/privacy-requests?status=bizarre",
                      headers=supervisor).status_code == 422


def test_listing_the_requests_refused_says_what_was_asked(
    client: TestClient, as_role: Any
) -> None:
    """Third outside look at issue 21: a counter agent listing was told « effacer »."""
    refused = client.get(f"{API}/privacy-requests", headers=as_role(Role.COUNTER))
    assert refused.status_code == 403
    assert refused.json()["detail"] == ("Votre rôle ne permet pas de consulter les demandes"
                                        " d'exercice des droits")
