"""Reminder bundles for agents and the city (`/api/v1/...`), and the opt-out page that
works from a link in any reminder, without signing in (`/rappels/desabonnement`)."""

from __future__ import annotations

import uuid
from datetime import date
from html import escape
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from crm_core.agents.actor import SYSTEM
from crm_core.api.deps import AppSettings, CatalogAdmin, DbSession, ResidentReader, ResidentWriter
from crm_core.config import city_today
from crm_core.exceptions import NotFound
from crm_core.privacy import service as access_log
from crm_core.privacy.enums import AccessOperation, ConsentSource
from crm_core.reminders import service
from crm_core.reminders.links import read_opt_out_token
from crm_core.reminders.models import ReminderBundle, ReminderDate, ReminderSubscription
from crm_core.reminders.schemas import (
    BundleCreate,
    BundleOut,
    DateCreate,
    DateOut,
    SubscriptionCreate,
    SubscriptionOut,
)
from crm_core.residents.service import resolve_id

router = APIRouter(tags=["reminders"])
pages = APIRouter(include_in_schema=False)


def _bundle_out(db_session: DbSession, bundle: ReminderBundle, today: date) -> dict[str, Any]:
    upcoming = db_session.scalars(
        select(ReminderDate).where(ReminderDate.bundle_id == bundle.id,
                                   ReminderDate.occurs_on >= today)
        .order_by(ReminderDate.occurs_on).limit(20))
    return {"code": bundle.code, "label": bundle.label, "description": bundle.description,
            "upcoming": list(upcoming)}


@router.get("/reminder-bundles", response_model=list[BundleOut])
def list_bundles(db_session: DbSession, actor: ResidentReader, settings: AppSettings) -> Any:
    today = city_today(settings.timezone)
    return [_bundle_out(db_session, b, today)
            for b in service.list_bundles(db_session=db_session)]


@router.post("/reminder-bundles", response_model=BundleOut, status_code=status.HTTP_201_CREATED)
def create_bundle(
    db_session: DbSession, actor: CatalogAdmin, settings: AppSettings, data: BundleCreate
) -> Any:
    bundle = service.create_bundle(db_session=db_session, code=data.code, label=data.label,
                                   description=data.description)
    return _bundle_out(db_session, bundle, city_today(settings.timezone))


@router.post("/reminder-bundles/{code}/dates", response_model=DateOut,
             status_code=status.HTTP_201_CREATED)
def add_date(db_session: DbSession, actor: CatalogAdmin, code: str, data: DateCreate) -> Any:
    key_date = service.add_date(db_session=db_session, code=code, occurs_on=data.occurs_on,
                                title=data.title, message=data.message,
                                days_before=data.days_before)
    return key_date


def _subscription_out(subscription: ReminderSubscription, bundle: ReminderBundle
                      ) -> dict[str, Any]:
    return {"id": subscription.id, "bundle": bundle.code, "bundle_label": bundle.label,
            "channel": subscription.channel, "subscribed_at": subscription.subscribed_at,
            "subscribed_by": subscription.subscribed_by,
            "unsubscribed_at": subscription.unsubscribed_at}


@router.get("/residents/{resident_id}/reminders", response_model=list[SubscriptionOut])
def resident_reminders(db_session: DbSession, actor: ResidentReader,
                       resident_id: uuid.UUID) -> Any:
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    out = [_subscription_out(s, b) for s, b in
           service.active_subscriptions(db_session=db_session, resident_id=surviving_id)]
    access_log.record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                             operation=AccessOperation.READ_REMINDERS)
    return out


@router.post("/residents/{resident_id}/reminders", response_model=SubscriptionOut,
             status_code=status.HTTP_201_CREATED)
def subscribe(db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID,
              data: SubscriptionCreate) -> Any:
    """Opt the resident in, at their request, to one bundle on one channel."""
    subscription = service.subscribe(db_session=db_session, actor=actor,
                                     resident_id=resident_id, code=data.bundle,
                                     channel=data.channel, source=ConsentSource.AGENT,
                                     via=data.via)
    bundle = service.get_bundle(db_session=db_session, code=data.bundle)
    return _subscription_out(subscription, bundle)


@router.delete("/residents/{resident_id}/reminders/{subscription_id}",
               response_model=SubscriptionOut)
def unsubscribe(db_session: DbSession, actor: ResidentWriter, resident_id: uuid.UUID,
                subscription_id: uuid.UUID) -> Any:
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    subscription = db_session.get(ReminderSubscription, subscription_id)
    if subscription is None or subscription.resident_id != surviving_id:
        raise NotFound("Cet abonnement n'appartient pas à cet usager")
    service.unsubscribe(db_session=db_session, actor=actor, subscription_id=subscription_id,
                        source=ConsentSource.AGENT)
    bundle = db_session.get(ReminderBundle, subscription.bundle_id)
    assert bundle is not None
    return _subscription_out(subscription, bundle)


def html_page(title: str, body: str, status_code: int = 200) -> HTMLResponse:
    html = (
        '<!doctype html><html lang="fr"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{escape(title)} — Relais</title>"
        "<style>body{font:1.1rem/1.5 system-ui,sans-serif;max-width:36rem;margin:2rem auto;"
        "padding:0 1rem;color:#161616}button{font-size:1.1rem;padding:.6rem 1.2rem;"
        "background:#000091;color:#fff;border:0;border-radius:.25rem}"
        "button:focus{outline:3px solid #0a76f6;outline-offset:2px}</style></head>"
        f"<body><main><h1>{escape(title)}</h1>{body}</main></body></html>"
    )
    return HTMLResponse(html, status_code=status_code, headers={
        "Cache-Control": "no-store", "Referrer-Policy": "no-referrer",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline';"
                                   " form-action 'self'; frame-ancestors 'none'",
        "X-Content-Type-Options": "nosniff"})


_FORGED = ("Lien non valable", "<p>Ce lien de désabonnement n'est pas valable. Vérifiez qu'il"
           " a été recopié en entier, ou contactez votre mairie.</p>")


def _describe(request: Request, db_session: DbSession, token: str
              ) -> tuple[ReminderSubscription, ReminderBundle] | None:
    subscription_id = read_opt_out_token(request.app.state.settings, token)
    if subscription_id is None:
        return None
    subscription = db_session.get(ReminderSubscription, subscription_id)
    if subscription is None:
        return None
    bundle = db_session.get(ReminderBundle, subscription.bundle_id)
    return (subscription, bundle) if bundle else None


@pages.get("/rappels/desabonnement", response_class=HTMLResponse)
def opt_out_page(request: Request, db_session: DbSession,
                 jeton: Annotated[str, Query()] = "",
                 fait: Annotated[str, Query()] = "") -> HTMLResponse:
    """Asks for one click: mail scanners open links, they do not press buttons. (No
    length limits on the parameters: a validation error would answer problem+json; the
    token reader refuses anything too long with the page below.)"""
    found = _describe(request, db_session, jeton)
    if found is None:
        return html_page(*_FORGED, status_code=400)
    subscription, bundle = found
    way = "par SMS" if subscription.channel.value == "sms" else "par courriel"
    if subscription.unsubscribed_at is not None:
        return html_page("C'est fait" if fait else "Déjà désabonné(e)", (
            f"<p>Vous ne recevez plus les rappels « {escape(bundle.label)} » {way}. Vous"
            " pouvez vous réabonner à tout moment depuis votre espace ou à l'accueil de la"
            " mairie.</p>"))
    return html_page("Ne plus recevoir ce rappel", (
        f"<p>Vous recevez les rappels « {escape(bundle.label)} » {way}.</p>"
        '<form method="post"><input type="hidden" name="jeton" '
        f'value="{escape(jeton)}"><button type="submit">Me désabonner</button></form>'))


@pages.post("/rappels/desabonnement", response_class=HTMLResponse)
def opt_out(request: Request, db_session: DbSession,
            jeton: Annotated[str, Form()] = "",
            jeton_query: Annotated[str, Query(alias="jeton")] = "") -> Response:
    """The form's button, or a mail client's one-click (RFC 8058) on the link itself."""
    token = jeton or jeton_query
    found = _describe(request, db_session, token)
    if found is None:
        return html_page(*_FORGED, status_code=400)
    subscription, bundle = found
    service.unsubscribe(db_session=db_session, actor=SYSTEM, subscription_id=subscription.id,
                        source=ConsentSource.RESIDENT)
    if jeton:  # the page's button: Post/Redirect/Get, so a reload posts nothing again
        return RedirectResponse("/rappels/desabonnement?" + urlencode(
            {"jeton": token, "fait": "1"}), status_code=303)
    # A mail client's one-click (RFC 8058) reads no page and follows no redirect.
    return html_page("C'est fait", (
        f"<p>Vous ne recevrez plus les rappels « {escape(bundle.label)} ». Vous pouvez vous"
        " réabonner à tout moment depuis votre espace ou à l'accueil de la mairie.</p>"))
