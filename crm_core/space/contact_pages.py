"""`/espace/coordonnees` and `/espace/choix`: the resident's contact points and answers.

Only what the resident answers is recorded: a missing or tampered value is never read as
an answer; the form comes back, in French, with what was typed and nothing written.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from crm_core.api.deps import DbSession
from crm_core.channels import Channel
from crm_core.config import city_today
from crm_core.consent.contactability import ContactWay, point_for, ways_of
from crm_core.consent.service import PURPOSE_LABELS, read_consents, set_consent
from crm_core.exceptions import DomainError
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.reminders import service as reminders
from crm_core.reminders.enums import ReminderChannel
from crm_core.residents import service as residents
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import ContactPoint
from crm_core.residents.schemas import ContactPointUpdate
from crm_core.space import service
from crm_core.space.router import _resident
from crm_core.space.sessions import SignedIn
from crm_core.space.web import (
    PREFIX,
    check_csrf,
    done,
    form_fields,
    form_problem,
    invalid,
    not_found,
    render,
    settings_of,
)
from crm_core.summary.service import build_summary
from crm_core.web.security import security_log

pages = APIRouter(prefix=PREFIX, include_in_schema=False)
Field = Annotated[str, Form()]


async def _posted_form(request: Request) -> FormData:
    """The whole form (repeated fields too), read on the event loop, so that the page that
    uses it runs in the thread pool: its database work must not stall every request."""
    return await request.form()


PostedForm = Annotated[FormData, Depends(_posted_form)]
ANSWERS = ("oui", "non")
# What a reminder of each channel needs, in the page's words (docs/consent.md).
_WAY_CONSENT = {"email": ConsentPurpose.CONTACT_EMAIL, "sms": ConsentPurpose.CONTACT_SMS}
_NEEDS = {
    ConsentPurpose.CONTACT_EMAIL: "accepter d'être contacté(e) par courriel",
    ConsentPurpose.CONTACT_SMS: "accepter de recevoir des SMS",
    ConsentPurpose.REMINDERS: "accepter de recevoir des rappels",
    "email": "garder une adresse de courriel utilisable dans vos coordonnées",
    "sms": "garder un numéro de portable utilisable dans vos coordonnées",
}


def _refused(request: Request, what: str) -> None:
    security_log.warning("resident space refused %s %s (400): %s", request.method,
                         request.url.path, what)


# -- contact points -------------------------------------------------------------------

@pages.get("/coordonnees")
def my_contact_points(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    return _points_page(request, db_session, who)


def _points_page(request: Request, db_session: DbSession, who: SignedIn, *,
                 error: str | None = None, error_point: str = "") -> Response:
    assert who.resident_id is not None
    summary = build_summary(db_session=db_session, resident_id=who.resident_id,
                            today=city_today(settings_of(request).timezone))
    return render(request, "contact_points.html", who=who, title="Mes coordonnées",
                  active="coordonnees", points=summary["contact_points"], error=error,
                  error_point=error_point, status_code=400 if error else 200)


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
        db_session.rollback()  # nothing of a refused change is kept
        return not_found(request, who, f"contact point {point[:40]}")
    return done("/coordonnees", outcome)


@pages.post("/coordonnees/{point}")
def change_contact_point(request: Request, db_session: DbSession, point: str,
                         shape: Annotated[str | None, form_fields("csrf", "contact")],
                         csrf: Field = "", contact: Field = "") -> Response:
    if shape or contact not in ANSWERS:  # missing or tampered: not an answer, nothing written
        who = _resident(request, db_session)
        if not isinstance(who, SignedIn):
            return who
        if (refused := check_csrf(request, who, csrf)) is not None:
            return refused
        _refused(request, shape or "contact point answer missing or not oui/non")
        return _points_page(request, db_session, who, error_point=point[:40], error=(
            shape or "Répondez « oui » ou « non » pour cette coordonnée.")
            + " Rien n'a été enregistré.")

    def act(who: SignedIn, point_id: uuid.UUID) -> None:
        assert who.resident_id is not None
        residents.update_contact_point(
            db_session=db_session, actor=service.actor_for(who.resident_id),
            resident_id=who.resident_id, point_id=point_id,
            data=ContactPointUpdate(contact_allowed=contact == "oui"))

    return _act_on_own_point(request, db_session, point, csrf, act, "coordonnee")


@pages.post("/coordonnees/{point}/suppression")
def remove_contact_point(request: Request, db_session: DbSession, point: str,
                         shape: Annotated[str | None, form_fields("csrf")],
                         csrf: Field = "") -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    if (refused := check_csrf(request, who, csrf)) is not None:
        return refused
    if shape:
        return invalid(request, who, shape)
    assert who.resident_id is not None
    point_id = _point_id(point)
    # A second click, or a page left open: the point is gone, which is what was asked.
    # The same answer for a point that never was the resident's: it reveals nothing.
    own = point_id is not None and db_session.scalar(select(ContactPoint.id).where(
        ContactPoint.id == point_id, ContactPoint.resident_id == who.resident_id))
    if not own:
        security_log.warning("resident space: delete of contact point %s not in the file"
                             " (already deleted, or another's)", point[:40])
        return done("/coordonnees", "deja-supprimee")
    assert point_id is not None
    residents.remove_contact_point(
        db_session=db_session, actor=service.actor_for(who.resident_id),
        resident_id=who.resident_id, point_id=point_id)
    return done("/coordonnees", "suppression")


# -- choices and reminders --------------------------------------------------------------

def missing_for_reminders(*, granted: Mapping[ConsentPurpose, bool],
                          usable_point: Mapping[str, bool]) -> dict[str, list[str]]:
    """For each reminder channel, exactly what is missing for it to go out (empty when
    nothing is): the way's consent, the reminders consent, a usable point."""
    missing: dict[str, list[str]] = {}
    for channel in ReminderChannel:
        needs: list[str] = []
        for purpose in (_WAY_CONSENT[channel.value], ConsentPurpose.REMINDERS):
            if not granted.get(purpose):
                needs.append(_NEEDS[purpose])
        if not usable_point.get(channel.value):
            needs.append(_NEEDS[channel.value])
        missing[channel.value] = needs
    return missing


def _usable_points(db_session: DbSession, resident_id: uuid.UUID) -> dict[str, bool]:
    """Is a point kept for contact able to carry each reminder channel (consent aside)?"""
    kinds = {"email": ContactKind.EMAIL, "sms": ContactKind.PHONE}
    usable = {}
    for channel, kind in kinds.items():
        values = db_session.scalars(select(ContactPoint.value).where(
            ContactPoint.resident_id == resident_id, ContactPoint.kind == kind,
            ContactPoint.contact_allowed))
        usable[channel] = any(ContactWay(channel) in ways_of(kind, v) for v in values)
    return usable


def choices_text(needs: list[str]) -> str:
    if len(needs) == 1:
        return "il faut encore " + needs[0]
    return "il faut encore " + ", ".join(needs[:-1]) + " et " + needs[-1]


@pages.get("/choix")
def my_choices(request: Request, db_session: DbSession) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    return _choices_page(request, db_session, who)


def _choices_page(request: Request, db_session: DbSession, who: SignedIn, *,
                  error: str | None = None, typed: Mapping[str, str] | None = None,
                  typed_reminders: set[str] | None = None) -> Response:
    """The page, or the form again with its message and what the resident ticked."""
    assert who.resident_id is not None
    actor = service.actor_for(who.resident_id)
    states, history = read_consents(db_session=db_session, actor=actor,
                                    resident_id=who.resident_id)
    active = {(b.code, s.channel.value): s.id for s, b in reminders.active_subscriptions(
        db_session=db_session, resident_id=who.resident_id)}
    # Reminders go out only where the one contact answer allows it: say what is missing.
    reachable = {channel.value for channel in ReminderChannel
                 if states[ConsentPurpose.REMINDERS].granted and point_for(
                     db_session=db_session, resident_id=who.resident_id,
                     way=ContactWay(channel.value))}
    missing = missing_for_reminders(
        granted={purpose: state.granted for purpose, state in states.items()},
        usable_point=_usable_points(db_session, who.resident_id))
    unreachable = {channel: choices_text(needs) for channel, needs in missing.items() if needs}
    return render(request, "choices.html", who=who, title="Mes choix et mes rappels",
                  active="choix", states=states, history=history, purposes=PURPOSE_LABELS,
                  bundles=reminders.list_bundles(db_session=db_session),
                  subscribed=active, channels=list(ReminderChannel), reachable=reachable,
                  unreachable=unreachable, error=error, typed=typed,
                  typed_reminders=typed_reminders, status_code=400 if error else 200)


@pages.post("/choix")
def change_choices(request: Request, db_session: DbSession, form: PostedForm) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    csrf = form.get("csrf")
    if (refused := check_csrf(request, who, csrf if isinstance(csrf, str) else None)):
        return refused
    assert who.resident_id is not None
    # "oui" and "non" sent for one question: neither is the answer; the page as it stood.
    questions = {"csrf", *(purpose.value for purpose in ConsentPurpose)}
    if (shape := form_problem(form, fields=questions)) is not None:
        _refused(request, shape)
        return _choices_page(request, db_session, who, error=shape + " Rien n'a été"
                             " enregistré.")
    typed = {p.value: str(form.get(p.value)) for p in ConsentPurpose
             if isinstance(form.get(p.value), str)}
    answers = {ConsentPurpose(purpose): value == "oui" for purpose, value in typed.items()
               if value in ANSWERS}
    error = None
    if len(answers) != len(typed):
        error = "Répondez « oui » ou « non » à chaque question."
    elif not answers:
        error = "Aucun choix n'a été envoyé : cochez « oui » ou « non » à une question."
    if error:
        _refused(request, error)
        return _choices_page(request, db_session, who, typed={
            k: v for k, v in typed.items() if v in ANSWERS}, error=error + (
                " Rien n'a été enregistré : vos réponses valables sont cochées ci-dessous."))
    actor = service.actor_for(who.resident_id)
    for purpose, granted in answers.items():
        set_consent(db_session=db_session, actor=actor, resident_id=who.resident_id,
                    purpose=purpose, granted=granted, source=ConsentSource.RESIDENT,
                    note="depuis l'espace usager")
    return done("/choix", "choix")


@pages.post("/rappels")
def change_reminders(request: Request, db_session: DbSession, form: PostedForm) -> Response:
    who = _resident(request, db_session)
    if not isinstance(who, SignedIn):
        return who
    csrf = form.get("csrf")
    if (refused := check_csrf(request, who, csrf if isinstance(csrf, str) else None)):
        return refused
    assert who.resident_id is not None
    if (shape := form_problem(form, fields={"csrf"}, repeatable={"rappel"})) is not None:
        _refused(request, shape)
        return _choices_page(request, db_session, who, error=shape + " Rien n'a été"
                             " enregistré.")
    wanted: set[tuple[str, str]] = set()
    known = {b.code for b in reminders.list_bundles(db_session=db_session)}
    raws = [str(raw) for raw in form.getlist("rappel")[:100]]
    for raw in raws:
        code, _, channel = raw.partition(":")
        if code not in known or channel not in {c.value for c in ReminderChannel}:
            error = "Ce bouquet de rappels n'existe pas (ou plus)."
            _refused(request, error)
            return _choices_page(request, db_session, who, typed_reminders=set(raws),
                                 error=error + " Rien n'a été enregistré : vos rappels"
                                 " valables sont cochés ci-dessous.")
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
                            source=ConsentSource.RESIDENT, via=Channel.WEB)
    return done("/choix", "rappels")
