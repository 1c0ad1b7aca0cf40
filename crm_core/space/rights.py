"""Rights requests filed from the space (GDPR art. 16 rectification, art. 17 erasure).

The resident files one; supervisors list the open ones (`GET /api/v1/privacy-requests`).
An erasure request is finished by the supervisors' erasure itself
(`POST /api/v1/residents/{id}/erasure`, through the space's erasure hook); a rectification,
or a refusal with its reason (a public-task exception), is closed with
`POST /api/v1/privacy-requests/{id}/close`.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput, NotFound
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents.models import Resident
from crm_core.residents.service import resolve_id
from crm_core.space.enums import PrivacyRequestKind, PrivacyRequestStatus
from crm_core.space.models import PrivacyRequest
from crm_core.text import count, free_text_problem, normalize_free_text, shows_nothing

MAX_MESSAGE = 2000


class PrivacyRequestNotFound(NotFound):
    code = "privacy_request_not_found"
    title = "Demande introuvable"


def file_request(*, db_session: Session, resident_id: uuid.UUID, kind: PrivacyRequestKind,
                 message: str | None) -> PrivacyRequest:
    text = normalize_free_text(message or "").strip() or None
    # Only accents or invisible marks: said in a resident's words, not the rule's.
    if text is not None and shows_nothing(text):
        raise InvalidInput("Votre message ne contient aucun caractère visible",
                           field="message")
    # NUL (PostgreSQL cannot store it), escapes, direction overrides: never typed.
    if text is not None and (problem := free_text_problem(text)) is not None:
        raise InvalidInput(f"Votre message n'a pas pu être enregistré : {problem}",
                           field="message")
    if text is not None and len(text) > MAX_MESSAGE:
        raise InvalidInput(f"Votre message dépasse {count(MAX_MESSAGE)} caractères",
                           field="message")
    if kind is PrivacyRequestKind.RECTIFICATION and text is None:
        raise InvalidInput("Dites-nous ce qui est inexact et ce qu'il faut écrire à la place",
                           field="message")
    # One open request of each kind per resident (the database's partial unique index
    # holds it too). The same request again (a double click sends the form twice) is the
    # one already filed; another of the same kind is answered by the open one.
    db_session.execute(select(Resident.id).where(Resident.id == resident_id)
                       .with_for_update())
    if (same := _open_of_kind(db_session, resident_id, kind)) is not None:
        return _already_open(same, text)
    request = PrivacyRequest(resident_id=resident_id, kind=kind, message=text)
    try:
        with db_session.begin_nested():  # two sent at one instant: the loser's insert
            db_session.add(request)
            db_session.flush()
    except IntegrityError:
        winner = _open_of_kind(db_session, resident_id, kind)
        if winner is None:
            raise
        return _already_open(winner, text)
    return request


_KIND_WORDS = {PrivacyRequestKind.ERASURE: "d'effacement",
               PrivacyRequestKind.RECTIFICATION: "de correction"}


class PrivacyRequestOpen(Conflict):
    code = "privacy_request_open"
    title = "Demande déjà en cours"


def _open_of_kind(db_session: Session, resident_id: uuid.UUID,
                  kind: PrivacyRequestKind) -> PrivacyRequest | None:
    return db_session.scalar(select(PrivacyRequest).where(
        PrivacyRequest.resident_id == resident_id, PrivacyRequest.kind == kind,
        PrivacyRequest.status == PrivacyRequestStatus.OPEN))


def _already_open(request: PrivacyRequest, text: str | None) -> PrivacyRequest:
    """The open request itself when it is the same (sent twice), else the refusal naming
    it: one open request of each kind, handled before another is filed."""
    if request.message == text:
        return request
    raise PrivacyRequestOpen(
        f"Vous avez déjà une demande {_KIND_WORDS[request.kind]} en cours : elle sera"
        " traitée avant qu'une autre du même type puisse être déposée ; rien n'a été"
        " enregistré",
        open_request_id=str(request.id))


def list_for_resident(*, db_session: Session, resident_id: uuid.UUID,
                      status: PrivacyRequestStatus | None = None) -> list[PrivacyRequest]:
    query = select(PrivacyRequest).where(PrivacyRequest.resident_id == resident_id)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    return list(db_session.scalars(query.order_by(PrivacyRequest.filed_at.desc())))


def list_requests(*, db_session: Session, status: PrivacyRequestStatus | None,
                  limit: int = 100) -> list[PrivacyRequest]:
    query = select(PrivacyRequest)
    if status is not None:
        query = query.where(PrivacyRequest.status == status)
    return list(db_session.scalars(query.order_by(PrivacyRequest.filed_at).limit(limit)))


def close_request(*, db_session: Session, actor: Actor, request_id: uuid.UUID,
                  status: PrivacyRequestStatus, answer: str) -> PrivacyRequest:
    request = db_session.get(PrivacyRequest, request_id)
    if request is None:
        raise PrivacyRequestNotFound("Aucune demande n'a cet identifiant")
    if status is PrivacyRequestStatus.OPEN:
        raise InvalidInput("Une demande se clôt « done » ou « refused »", field="status")
    if request.status is not PrivacyRequestStatus.OPEN:
        raise Conflict("Cette demande est déjà traitée")
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=request.resident_id)
    request.status, request.answer = status, answer[:500]
    request.handled_at, request.handled_by_agent_id = utcnow(), actor.agent_id
    record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                  operation=AccessOperation.UPDATE_RESIDENT,
                  reason=f"privacy_request:{request.kind.value}")
    db_session.flush()
    return request
