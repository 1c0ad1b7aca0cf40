"""`/espace/mes-donnees` (GDPR art. 15 and 20: a readable page and the JSON document) and
`/espace/rattachement` (the person confirms, or not, the file their account matches)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from crm_core.api.allow import allowed_methods, catch_all
from crm_core.api.deps import DbSession, app_settings
from crm_core.api.responses import FastJSONResponse
from crm_core.exceptions import DomainError
from crm_core.rights.export import export_resident
from crm_core.space import labels, service
from crm_core.space.accounts import online_accounts
from crm_core.space.router import _resident
from crm_core.space.sessions import SignedIn, attach_resident
from crm_core.space.web import (
    PREFIX,
    check_csrf,
    current,
    done,
    form_fields,
    not_found,
    refusal,
    render,
)

pages = APIRouter(prefix=PREFIX, include_in_schema=False)


@pages.get("/mes-donnees")
def my_data(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    document = export_resident(db_session=db_session,
                               actor=service.actor_for(who.resident_id),
                               resident_id=who.resident_id, settings=app_settings(request))
    city_provider = online_accounts(app_settings(request)).provider_name()
    return render(request, "my_data.html", who=who, title="Mes données", active="donnees",
                  doc=document, account_label=lambda provider: labels.account_label(
                      provider, city_provider))


@pages.get("/mes-donnees.json")
def my_data_json(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    document = export_resident(db_session=db_session,
                               actor=service.actor_for(who.resident_id),
                               resident_id=who.resident_id, settings=app_settings(request))
    # A resident reads this file: each reason as the page words it (`reason_label`), the
    # stored code kept beside it, named as the technical code it is. No value stays null
    # (the pages' "—" is for the eye, not for a program reading the file).
    for row in document["consultations"]:
        row["reason_code"] = row["reason"]
        row["reason"] = (labels.reason_label(row["reason"], row["operation"])
                         if row["reason"] else None)
        row["operation_label"] = labels.label(labels.OPERATIONS, row["operation"])
    _label_channels(document)
    return FastJSONResponse(document, headers={
        "Content-Disposition": 'attachment; filename="mes-donnees-relais.json"',
        "Cache-Control": "no-store"})


def _channel_label(value: object) -> str:
    return labels.label(labels.CHANNELS, value) if value is not None else labels.NO_CHANNEL


def _label_channels(document: dict[str, Any]) -> None:
    """Each channel code with its French words beside it ("phone": "par téléphone")."""
    rows = [*document["consultations"], *document["interactions"], *document["consents"],
            *document["consent_history"],
            *(change for case in document["cases"] for change in case["history"])]
    for row in rows:
        row["channel_label"] = _channel_label(row.get("channel"))
    for case in document["cases"]:
        case["origin_channel_label"] = _channel_label(case.get("origin_channel"))
    for point in document["contact_points"]:
        point["source_channel_label"] = _channel_label(point.get("source_channel"))


@pages.post("/rattachement")
def confirm_link(request: Request, db_session: DbSession,
                 shape: Annotated[str | None, form_fields("csrf", "jeton", "choix")],
                 csrf: Annotated[str, Form()] = "", jeton: Annotated[str, Form()] = "",
                 choix: Annotated[str, Form()] = "") -> Response:
    """The pending page's answer: "yes, this is my file" links the account; "no" makes a
    new file. Either way the session is then signed in."""
    who = current(request, db_session)
    if who is None:
        return refusal(request, None, status_code=403, title="Session expirée",
                       message="Votre connexion a expiré : reconnectez-vous pour confirmer"
                               " votre dossier.", log="link confirmation without a session")
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    if not who.pending:
        return done("/", "rattache")
    if shape:  # "c'est moi" and "ce n'est pas moi" at once: neither is the answer
        return refusal(request, who, status_code=400, title="Saisie à corriger",
                       message=shape, log="link confirmation form tampered")
    if choix not in ("oui", "non") or "\x00" in jeton:
        return refusal(request, who, status_code=400, title="Saisie à corriger",
                       message="Répondez « c'est moi » ou « ce n'est pas moi ».",
                       log="link confirmation without a choice")
    try:
        signed_in = online_accounts(app_settings(request)).decide(
            db_session=db_session, token=jeton[:100], accept=choix == "oui")
    except DomainError as exc:
        db_session.rollback()
        return refusal(request, who, status_code=400, title="Rattachement impossible",
                       message=exc.detail + " : reconnectez-vous pour recommencer.",
                       log=f"link confirmation refused: {exc.code}")
    if signed_in.subject != who.subject or signed_in.resident_id is None:
        db_session.rollback()
        return refusal(request, who, status_code=400, title="Rattachement impossible",
                       message="Cette proposition ne concerne pas votre compte en ligne.",
                       log="link confirmation for another subject")
    attach_resident(db_session=db_session, session_id=who.session_id,
                    resident_id=signed_in.resident_id)
    return done("/", "rattache")


@pages.get("/{rest:path}")
@catch_all
def unknown_page(request: Request, db_session: DbSession, rest: str) -> Response:
    """Any other address under the space: a French page, not the API's problem+json.
    (Registered last, after every page of the space; GET only, so that it hides no route
    registered after it. Another method on such an address is answered 404 by the
    exception handler: a catch-all names no method.) An address that a page takes by
    another method (a form's POST) is no unknown page: a 405 naming its methods."""
    if allowed_methods(request):
        raise StarletteHTTPException(405)
    return not_found(request, current(request, db_session), f"page /{rest[:80]}")
