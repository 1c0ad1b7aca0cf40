"""The resident space's pages, `/espace/...`: server-rendered, French, no JavaScript.

Every page reads the signed-in resident from the session, never from the URL; an id in a
URL (a contact point, an opt-in) that is not the resident's gets the same 404 as an
unknown one. Every form carries the session's CSRF token. Changes answer with a redirect
(Post/Redirect/Get) to a page that says what was done.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import FileResponse, RedirectResponse, Response

from crm_core.api.deps import DbSession
from crm_core.cases.enums import CaseStatus
from crm_core.exceptions import DomainError
from crm_core.privacy.consents import PURPOSE_LABELS, read_consents, set_consent
from crm_core.privacy.contactability import ContactWay, point_for
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.privacy.export import consultations
from crm_core.reminders import service as reminders
from crm_core.reminders.enums import ReminderChannel
from crm_core.residents import service as residents
from crm_core.residents.schemas import ContactPointUpdate
from crm_core.residents.summary import build_summary
from crm_core.space import badge_once, rights, service
from crm_core.space.demo_sign_in import demo_accounts
from crm_core.space.enums import PrivacyRequestKind
from crm_core.space.sessions import COOKIE, SignedIn, end_session
from crm_core.space.web import (
    PREFIX,
    check_csrf,
    current,
    done,
    invalid,
    not_found,
    render,
    settings_of,
    to_sign_in,
)
from crm_core.web.security import security_log

pages = APIRouter(prefix=PREFIX, include_in_schema=False)
STATIC = Path(__file__).parent / "static"
# No length limits here: `FormSizeLimit` caps the whole body, and each value is checked
# below with a French message (a validation error would answer problem+json).
Field = Annotated[str, Form()]
CsrfField = Annotated[str, Form()]
CONSULTATIONS_SHOWN = 500
UNREACHABLE = {
    "email": "il faut accepter d'être contacté(e) par courriel et des rappels, et garder une"
             " adresse de courriel utilisable dans vos coordonnées",
    "sms": "il faut accepter de recevoir des SMS et des rappels, et garder un numéro de"
           " portable utilisable dans vos coordonnées",
}  # the page's share; the downloadable data holds every one


def _resident(request: Request, db_session: DbSession) -> SignedIn | Response:
    who = current(request, db_session)
    if who is None:
        if request.cookies.get(COOKIE):  # forged, expired, signed out or erased
            security_log.warning("resident space: unusable session cookie on %s %s",
                                 request.method, request.url.path)
        return to_sign_in()
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
    from integrations.settings import get_integration_settings

    config = get_integration_settings()
    available = bool(config.oidc_issuer and config.oidc_client_id and config.oidc_redirect_uri)
    demo = demo_accounts(db_session) if settings_of(request).demo_mode else []
    return render(request, "sign_in.html", who=None, title="Connexion à mon espace",
                  available=available, demo_accounts=demo)


@pages.post("/deconnexion")
def sign_out(request: Request, db_session: DbSession, csrf: CsrfField = "") -> Response:
    who = current(request, db_session)
    if who is not None:
        if (refused := check_csrf(request, who, csrf)) is not None:
            return refused
        end_session(db_session=db_session, token=request.cookies.get(COOKIE))
        db_session.commit()
    response = RedirectResponse(f"{PREFIX}/connexion?fait=deconnexion", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@pages.get("/")
def home(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    summary = build_summary(db_session=db_session, resident_id=who.resident_id)
    # Agents keep a resolved case open until it is closed; for the resident it is done.
    ongoing = [case for case in summary["open_cases"] if case["status"] != CaseStatus.RESOLVED]
    return render(request, "home.html", who=who, title="Mon espace", active="accueil",
                  resident=summary["resident"], open_cases=ongoing)


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
                      qr=qr, new_badge=new_badge)
    if shown is not None:  # shown once: a reload shows no code and issues nothing
        badge_once.forget(response, settings=settings)
        response.headers["Cache-Control"] = "no-store"
    return response


@pages.post("/badge")
def new_badge(request: Request, db_session: DbSession, csrf: CsrfField = "") -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    assert who.resident_id is not None
    settings = settings_of(request)
    try:
        badge, token = service.new_qr_badge(
            db_session=db_session, settings=settings, resident_id=who.resident_id)
    except service.TooManyBadges as exc:  # refused before anything is written
        return invalid(request, who, exc.detail + ".")
    db_session.commit()
    response = done("/badge", "badge")
    badge_once.hand_over(response, settings=settings, session_id=who.session_id,
                         badge_id=badge.id, token=token)
    return response


@pages.get("/coordonnees")
def my_contact_points(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    summary = build_summary(db_session=db_session, resident_id=who.resident_id)
    return render(request, "contact_points.html", who=who, title="Mes coordonnées",
                  active="coordonnees", points=summary["contact_points"])


def _point_id(raw: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(raw)
    except ValueError:
        return None


def _act_on_own_point(request: Request, db_session: DbSession, point: str, csrf: str,
                      act: Callable[[SignedIn, uuid.UUID], None], outcome: str) -> Response:
    """A form acting on one of the resident's own contact points: signed in, CSRF token
    good, the point theirs (anything else reads as not found), then `act` and commit."""
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    point_id = _point_id(point)
    try:
        if point_id is None:
            raise service.NotYours("unknown point")
        act(who, point_id)
    except DomainError:
        return not_found(request, who, f"contact point {point[:40]}")
    db_session.commit()
    return done("/coordonnees", outcome)


@pages.post("/coordonnees/{point}")
def change_contact_point(request: Request, db_session: DbSession, point: str,
                         csrf: CsrfField = "", contact: Field = "") -> Response:
    def act(who: SignedIn, point_id: uuid.UUID) -> None:
        assert who.resident_id is not None
        residents.update_contact_point(
            db_session=db_session, actor=service.actor_for(who.resident_id),
            resident_id=who.resident_id, point_id=point_id,
            data=ContactPointUpdate(contact_allowed=contact == "oui"))

    return _act_on_own_point(request, db_session, point, csrf, act, "coordonnee")


@pages.post("/coordonnees/{point}/suppression")
def remove_contact_point(request: Request, db_session: DbSession, point: str,
                         csrf: CsrfField = "") -> Response:
    def act(who: SignedIn, point_id: uuid.UUID) -> None:
        assert who.resident_id is not None
        residents.remove_contact_point(
            db_session=db_session, actor=service.actor_for(who.resident_id),
            resident_id=who.resident_id, point_id=point_id)

    return _act_on_own_point(request, db_session, point, csrf, act, "suppression")


@pages.get("/choix")
def my_choices(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    actor = service.actor_for(who.resident_id)
    states, history = read_consents(db_session=db_session, actor=actor,
                                    resident_id=who.resident_id)
    active = {(b.code, s.channel.value): s.id for s, b in reminders.active_subscriptions(
        db_session=db_session, resident_id=who.resident_id)}
    # Reminders go out only where the one contact answer allows it: say so next to them.
    reachable = {channel.value for channel in ReminderChannel
                 if states[ConsentPurpose.REMINDERS].granted and point_for(
                     db_session=db_session, resident_id=who.resident_id,
                     way=ContactWay(channel.value))}
    return render(request, "choices.html", who=who, title="Mes choix et mes rappels",
                  active="choix", states=states, history=history, purposes=PURPOSE_LABELS,
                  bundles=reminders.list_bundles(db_session=db_session),
                  subscribed=active, channels=list(ReminderChannel), reachable=reachable,
                  unreachable=UNREACHABLE)


@pages.post("/choix")
async def change_choices(request: Request, db_session: DbSession) -> Response:
    form = await request.form()
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    csrf = form.get("csrf")
    if (refused := check_csrf(request, who, csrf if isinstance(csrf, str) else None)):
        return refused
    assert who.resident_id is not None
    answers: dict[ConsentPurpose, bool] = {}
    for purpose in ConsentPurpose:
        value = form.get(purpose.value)
        if value is None:
            continue
        if value not in ("oui", "non"):
            return invalid(request, who, "Répondez « oui » ou « non » à chaque question.")
        answers[purpose] = value == "oui"
    if not answers:
        return invalid(request, who, "Aucun choix n'a été envoyé.")
    actor = service.actor_for(who.resident_id)
    for purpose, granted in answers.items():
        set_consent(db_session=db_session, actor=actor, resident_id=who.resident_id,
                    purpose=purpose, granted=granted, source=ConsentSource.RESIDENT,
                    note="depuis l'espace usager")
    db_session.commit()
    return done("/choix", "choix")


@pages.post("/rappels")
async def change_reminders(request: Request, db_session: DbSession) -> Response:
    form = await request.form()
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    csrf = form.get("csrf")
    if (refused := check_csrf(request, who, csrf if isinstance(csrf, str) else None)):
        return refused
    assert who.resident_id is not None
    wanted: set[tuple[str, str]] = set()
    known = {b.code for b in reminders.list_bundles(db_session=db_session)}
    for raw in form.getlist("rappel")[:100]:
        code, _, channel = str(raw).partition(":")
        if code not in known or channel not in {c.value for c in ReminderChannel}:
            return invalid(request, who, "Ce bouquet de rappels n'existe pas (ou plus).")
        wanted.add((code, channel))
    actor = service.actor_for(who.resident_id)
    for subscription, bundle in reminders.active_subscriptions(
            db_session=db_session, resident_id=who.resident_id):
        if (bundle.code, subscription.channel.value) not in wanted:
            reminders.unsubscribe(db_session=db_session, actor=actor,
                                  subscription_id=subscription.id,
                                  source=ConsentSource.RESIDENT)
    for code, channel in sorted(wanted):
        reminders.subscribe(db_session=db_session, actor=actor, resident_id=who.resident_id,
                            code=code, channel=ReminderChannel(channel),
                            source=ConsentSource.RESIDENT)
    db_session.commit()
    return done("/choix", "rappels")


@pages.get("/consultations")
def who_consulted(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    assert who.resident_id is not None
    rows = consultations(db_session=db_session, resident_id=who.resident_id,
                         limit=CONSULTATIONS_SHOWN + 1)
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
                 error: str | None = None, kind: str = "", message: str = "") -> Response:
    """The page, or the form again with its message and what the resident typed."""
    assert who.resident_id is not None
    if error:
        security_log.warning("resident space refused %s %s (400): %s", request.method,
                             request.url.path, error)
    return render(request, "rights.html", who=who, title="Corriger ou effacer mes données",
                  active="droits", status_code=400 if error else 200, error=error,
                  typed_kind=kind, typed_message=message,
                  requests=rights.list_for_resident(db_session=db_session,
                                                    resident_id=who.resident_id))


@pages.post("/droits")
def file_right(request: Request, db_session: DbSession, csrf: CsrfField = "",
               kind: Field = "", message: Field = ""
               ) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    assert who.resident_id is not None
    if kind not in {k.value for k in PrivacyRequestKind}:
        return _rights_page(request, db_session, who, message=message,
                            error="Choisissez « corriger » ou « effacer ».")
    try:
        rights.file_request(db_session=db_session, resident_id=who.resident_id,
                            kind=PrivacyRequestKind(kind), message=message)
    except DomainError as exc:  # checked before anything is written
        return _rights_page(request, db_session, who, kind=kind, message=message,
                            error=exc.detail + ".")
    db_session.commit()
    return done("/droits", "demande")


@pages.get("/accessibilite")
def accessibility(request: Request, db_session: DbSession) -> Response:
    return render(request, "accessibility.html", who=current(request, db_session),
                  title="Déclaration d'accessibilité", active="accessibilite")
