"""Issuing, listing, revoking badges, and resolving a scanned token or a tapped card."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from badge import BadgeError, BadgeExpired, BadgeRevoked, issue_token, new_badge_id, verify_token
from badge.card import hash_card_uid
from crm_core.agents.actor import Actor
from crm_core.badges import keys
from crm_core.badges.enums import BadgeKind, BadgeStatus
from crm_core.badges.exceptions import BadgeNotFound, BadgeRefused, CardNotEnrolled, security_log
from crm_core.badges.models import Badge
from crm_core.badges.schemas import BadgeCreate
from crm_core.config import Settings
from crm_core.database.base import utcnow
from crm_core.exceptions import Conflict, InvalidInput
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents import service as residents


def status_of(badge: Badge, now: datetime | None = None) -> BadgeStatus:
    if badge.revoked_at is not None:
        return BadgeStatus.REVOKED
    if badge.expires_at <= (now or utcnow()):
        return BadgeStatus.EXPIRED
    return BadgeStatus.ACTIVE


def issue(
    *, db_session: Session, actor: Actor, settings: Settings, resident_id: uuid.UUID,
    data: BadgeCreate, now: datetime | None = None,
) -> tuple[Badge, str | None]:
    """A new badge; returns the QR token (shown once, never stored) or None for a card."""
    resident = residents.get(db_session=db_session, resident_id=resident_id)
    now = now or utcnow()
    raw_id = new_badge_id()
    badge = Badge(
        id=raw_id.hex(), resident_id=resident.id, kind=data.kind, issued_at=now,
        expires_at=now + timedelta(days=settings.badge_validity_days),
        issued_by_agent_id=actor.agent_id,
    )
    token = None
    if data.kind is BadgeKind.CARD:
        if not data.card_uid:
            raise InvalidInput("L'identifiant lu sur la carte est requis", field="card_uid")
        badge.card_uid_hash = _card_hash(settings, data.card_uid)
        existing = db_session.scalar(
            select(Badge).where(Badge.card_uid_hash == badge.card_uid_hash)
        )
        if existing is not None and status_of(existing, now) is BadgeStatus.ACTIVE:
            raise Conflict("Cette carte est déjà le badge d'un usager : révoquez-le d'abord")
        if existing is not None:
            existing.card_uid_hash = None  # a revoked or expired card may be re-enrolled
            db_session.flush()
        badge.confirmed_at, badge.confirmed_by_agent_id = now, actor.agent_id
    else:
        if data.card_uid:
            raise InvalidInput("Un badge QR ne porte pas d'identifiant de carte", field="card_uid")
        key = keys.signing_key(settings)
        badge.key_id = key.key_id
        token = issue_token(
            key=key, issuer=settings.badge_issuer, badge_id=raw_id, expires_at=badge.expires_at
        )
    db_session.add(badge)
    record_access(
        db_session=db_session, actor=actor, resident_id=resident.id,
        operation=AccessOperation.ISSUE_BADGE, reason=data.kind.value,
    )
    db_session.flush()
    return badge, token


def list_for_resident(*, db_session: Session, resident_id: uuid.UUID) -> list[Badge]:
    surviving_id, _ = residents.resolve_id(db_session=db_session, resident_id=resident_id)
    return list(
        db_session.scalars(
            select(Badge).where(Badge.resident_id == surviving_id).order_by(Badge.issued_at)
        )
    )


def get(*, db_session: Session, badge_id: str) -> Badge:
    badge = db_session.get(Badge, badge_id.lower()) if len(badge_id) == 32 else None
    if badge is None:
        raise BadgeNotFound("Aucun badge ne porte cet identifiant")
    return badge


def revoke(
    *, db_session: Session, actor: Actor, badge_id: str, reason: str | None = None
) -> Badge:
    badge = get(db_session=db_session, badge_id=badge_id)
    if badge.revoked_at is None:
        badge.revoked_at = utcnow()
        badge.revoked_by_agent_id = actor.agent_id
        badge.revoked_reason = reason
        record_access(
            db_session=db_session, actor=actor, resident_id=badge.resident_id,
            operation=AccessOperation.REVOKE_BADGE, reason=reason,
        )
        db_session.flush()
    return badge


def _refuse(actor: Actor, error: BadgeError, what: str) -> BadgeRefused:
    security_log.warning(
        "badge refused: %s (%s) agent=%s site=%s detail=%s",
        error.code, what, actor.username, actor.site_id, error.detail,
    )
    return BadgeRefused(error)


def resolve_token(
    *, db_session: Session, actor: Actor, settings: Settings, token: str,
    now: datetime | None = None,
) -> Badge:
    """The badge behind a scanned QR, or a refusal with its reason (and a security log)."""
    now = now or utcnow()
    try:
        claims = verify_token(
            token, keyring=keys.keyring(settings), issuer=settings.badge_issuer, now=now
        )
    except BadgeError as exc:
        raise _refuse(actor, exc, "qr") from exc
    badge = db_session.get(Badge, claims.badge_id_hex)
    if badge is None or badge.kind is not BadgeKind.QR:
        # Validly signed by us but unknown: a database restored from an old backup.
        security_log.warning("signed badge unknown to the database: %s", claims.badge_id_hex)
        raise BadgeNotFound("Badge signé mais inconnu de Relais : faites-en émettre un nouveau")
    _check_usable(actor, badge, now)
    badge.last_used_at = now
    return badge


def resolve_card(
    *, db_session: Session, actor: Actor, settings: Settings, uid_hex: str,
    now: datetime | None = None,
) -> Badge:
    now = now or utcnow()
    badge = db_session.scalar(
        select(Badge).where(Badge.card_uid_hash == _card_hash(settings, uid_hex))
    )
    if badge is None:
        security_log.info("unknown card tapped (agent=%s)", actor.username)
        raise CardNotEnrolled("Carte inconnue : elle n'est le badge d'aucun usager")
    _check_usable(actor, badge, now)
    badge.last_used_at = now
    return badge


def _check_usable(actor: Actor, badge: Badge, now: datetime) -> None:
    status = status_of(badge, now)
    if status is BadgeStatus.REVOKED:
        raise _refuse(actor, BadgeRevoked(), badge.id)
    if status is BadgeStatus.EXPIRED:
        raise _refuse(actor, BadgeExpired(expires_at=badge.expires_at), badge.id)


def confirm_card(*, db_session: Session, actor: Actor, badge_id: str) -> Badge:
    """The agent checked the person in front of them: the card is trusted from now on."""
    badge = get(db_session=db_session, badge_id=badge_id)
    if badge.kind is not BadgeKind.CARD:
        raise InvalidInput("Seules les cartes demandent une confirmation", field="badge")
    if badge.confirmed_at is None:
        badge.confirmed_at, badge.confirmed_by_agent_id = utcnow(), actor.agent_id
        db_session.flush()
    return badge


def _card_hash(settings: Settings, uid_hex: str) -> str:
    try:
        uid = bytes.fromhex(uid_hex)
    except ValueError as exc:
        raise InvalidInput("Identifiant de carte illisible", field="card_uid") from exc
    if not 4 <= len(uid) <= 10:
        raise InvalidInput("Identifiant de carte de longueur inattendue", field="card_uid")
    return hash_card_uid(uid, secret=keys.card_secret(settings))


def badge_out(badge: Badge) -> dict[str, Any]:
    return {
        "id": badge.id, "resident_id": badge.resident_id, "kind": badge.kind,
        "status": status_of(badge), "issued_at": badge.issued_at, "expires_at": badge.expires_at,
        "revoked_at": badge.revoked_at, "revoked_reason": badge.revoked_reason,
        "confirmed": badge.kind is BadgeKind.QR or badge.confirmed_at is not None,
        "last_used_at": badge.last_used_at,
    }
