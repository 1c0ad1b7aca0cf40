"""The resident space's pages, `/espace/...`: server-rendered, French, no JavaScript.

Every page reads the signed-in resident from the session, never from the URL; an id in a
URL (a contact point, an opt-in) that is not the resident's gets the same 404 as an
unknown one. Every form carries the session's CSRF token. Changes answer with a redirect
(Post/Redirect/Get) to a page that says what was done.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from crm_core.api.deps import DbSession, app_settings
from crm_core.config import city_today
from crm_core.exceptions import DomainError
from crm_core.rights.export import consultations
from crm_core.space import badge_once, rights, service
from crm_core.space.accounts import online_accounts
from crm_core.space.enums import PrivacyRequestKind
from crm_core.space.sessions import COOKIE, SignedIn, end_session
from crm_core.space.web import (
    PREFIX,
    check_csrf,
    current,
    done,
    form_fields,
    invalid,
    render,
    settings_of,
    to_sign_in,
)
from crm_core.summary.service import build_summary
from crm_core.web.security import security_log

pages = APIRouter(prefix=PREFIX, include_in_schema=False)
STATIC = Path(__file__).parent / "static"
# No length limits here: `FormSizeLimit` caps the whole body, and each value is checked
# below with a French message (a validation error would answer problem+json).
Field = Annotated[str, Form()]
CsrfField = Annotated[str, Form()]
CONSULTATIONS_SHOWN = 500


def _resident(request: Request, db_session: DbSession) -> SignedIn | Response:
    who = current(request, db_session)
    if who is None:
        if request.cookies.get(COOKIE):  # forged, expired, signed out or erased
            security_log.warning("resident space: unusable session cookie on %s %s",
                                 request.method, request.url.path)
        return to_sign_in(request)
    if who.pending:
        return render(request, "pending.html", who=who, title="Rattachement en attente",
                      proposal=None, status_code=403)
    return who


@pages.get("/static/espace.css")
def stylesheet() -> FileResponse:
    return FileResponse(STATIC / "espace.css", media_type="text/css",
                        headers={"Cache-Control": "public, max-age=3600"})


@pages.get("/connexion")
def sign_in_page(request: Request, db_session: DbSession) -> Response:
    who = current(request, db_session)
    if who is not None and not who.pending:
        return RedirectResponse(f"{PREFIX}/", status_code=303)
    available = online_accounts(app_settings(request)).sign_in_available()
    # Set by create_app in demo mode only (crm_core/demo/sign_in.py): the space knows
    # nothing of the demo's data.
    demo_accounts = getattr(request.app.state, "demo_accounts", None)
    demo = demo_accounts(db_session) if demo_accounts is not None else []
    # The title names the space once ("Connexion – Mon espace – ville"); the heading in full.
    return render(request, "sign_in.html", who=None, title="Connexion",
                  heading="Connexion à mon espace",
                  available=available, demo_accounts=demo)


@pages.post("/deconnexion")
def sign_out(request: Request, db_session: DbSession, csrf: CsrfField = "") -> Response:
    who = current(request, db_session)
    if who is not None:
        if (refused := check_csrf(request, who, csrf)) is not None:
            return refused
        end_session(db_session=db_session, token=request.cookies.get(COOKIE))
    response = RedirectResponse(f"{PREFIX}/connexion?fait=deconnexion", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@pages.get("/")
def home(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    summary = build_summary(db_session=db_session, resident_id=who.resident_id,
                            today=city_today(app_settings(request).timezone))
    return render(request, "home.html", who=who, title="Mon espace", active="accueil",
                  resident=summary["resident"], open_cases=summary["open_cases"])


@pages.get("/demandes")
def my_requests(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    cases, loose = service.my_requests(db_session=db_session, resident_id=who.resident_id)
    return render(request, "requests.html", who=who, title="Mes demandes", active="demandes",
                  cases=cases, loose=loose)


@pages.get("/badge")
def my_badge(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    settings = settings_of(request)
    shown = badge_once.handed_over(request, settings=settings, session_id=who.session_id)
    qr, new_badge = None, None
    claims: dict[str, Any] = {}
    if shown is None and not badge_once.was_shown(request, settings=settings,
                                                  session_id=who.session_id):
        claims = {"flash": None, "flash_code": None}  # `?fait=badge` alone proves nothing
    if shown is not None:
        badge_id, token = shown
        new_badge = service.own_active_badge(db_session=db_session,
                                             resident_id=who.resident_id, badge_id=badge_id)
        if new_badge is not None:  # one revoked since then is not shown again
            from badge.qr import render_svg

            qr = render_svg(token, title="Votre badge (code QR) à présenter au guichet")
    response = render(request, "badge.html", who=who, title="Mon badge", active="badge",
                      badges=service.my_badges(db_session=db_session,
                                               resident_id=who.resident_id),
                      qr=qr, new_badge=new_badge, replaces=service.latest_qr_badge(
                          db_session=db_session, resident_id=who.resident_id), **claims)
    if shown is not None:  # shown once: a reload shows no code and issues nothing
        badge_once.mark_shown(response, settings=settings, session_id=who.session_id)
        response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/badge")
def new_badge(request: Request, db_session: DbSession,
              shape: Annotated[str | None, form_fields("csrf", "remplace")],
              csrf: CsrfField = "", remplace: Field = "") -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    if shape:
        return invalid(request, who, shape)
    assert who.resident_id is not None
    settings = settings_of(request)
    try:
        badge, token = service.new_qr_badge(
            db_session=db_session, settings=settings, resident_id=who.resident_id,
            replaces=remplace)
    except service.FormAlreadySent:  # a double click: the first sending did it
        return done("/badge", "badge-deja")
    except service.TooManyBadges as exc:  # refused before anything is written
        return invalid(request, who, exc.detail + ".")
    response = done("/badge", "badge")
    badge_once.hand_over(response, settings=settings, session_id=who.session_id,
                         badge_id=badge.id, token=token)
    return response


@pages.get("/consultations")
def who_consulted(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    rows = consultations(
        db_session=db_session, resident_id=who.resident_id, limit=CONSULTATIONS_SHOWN + 1,
        shows_agent_names=app_settings(request).access_log_shows_agent_names)
    return render(request, "consultations.html", who=who, title="Qui a consulté mon dossier",
                  active="consultations", rows=rows[:CONSULTATIONS_SHOWN],
                  more=len(rows) > CONSULTATIONS_SHOWN,
                  names=settings_of(request).access_log_shows_agent_names)


@pages.get("/droits")
def my_rights(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    return _rights_page(request, db_session, who)


def _rights_page(request: Request, db_session: DbSession, who: SignedIn, *,
                 error: str | None = None, kind: str = "", message: str = "",
                 kept: bool = True) -> Response:
    """The page, or the form again with its message and what the resident typed (`kept`:
    else the form is shown empty, and the message does not say the text is kept)."""
    assert who.resident_id is not None
    if error:
        security_log.warning("resident space refused %s %s (400): %s", request.method,
                             request.url.path, error)
    return render(request, "rights.html", who=who, title="Corriger ou effacer mes données",
                  active="droits", status_code=400 if error else 200, error=error,
                  kept=kept,
                  typed_kind=kind, typed_message=message.replace("\x00", ""),
                  requests=rights.list_for_resident(db_session=db_session,
                                                    resident_id=who.resident_id))


@pages.post("/droits")
def file_right(request: Request, db_session: DbSession,
               shape: Annotated[str | None, form_fields("csrf", "kind", "message")],
               csrf: CsrfField = "", kind: Field = "", message: Field = "") -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    assert who.resident_id is not None
    if shape:  # the form again, without the text: which of two was meant is unknown
        return _rights_page(request, db_session, who, error=shape, kept=False)
    if kind not in {k.value for k in PrivacyRequestKind}:
        return _rights_page(request, db_session, who, message=message,
                            error="Choisissez « corriger » ou « effacer ».")
    try:
        rights.file_request(db_session=db_session, resident_id=who.resident_id,
                            kind=PrivacyRequestKind(kind), message=message)
    except DomainError as exc:  # checked before anything is written
        return _rights_page(request, db_session, who, kind=kind, message=message,
                            error=exc.detail + ".")
    return done("/droits", "demande")


@pages.get("/accessibilite")
def accessibility(request: Request, db_session: DbSession) -> Response:
    return render(request, "accessibility.html", who=current(request, db_session),
                  title="Déclaration d'accessibilité", active="accessibilite")
