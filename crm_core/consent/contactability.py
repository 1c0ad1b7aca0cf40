"""May the mairie contact this resident here, this way? The one answer every screen and
every sending path reads (see docs/consent.md).

Two facts, two different questions, never two answers to the same one:

- the resident's consent per way of being contacted (`contact_phone`, `contact_sms`,
  `contact_email`, `contact_post`), asked in "Mes choix" and kept with its history
  (`consents.py`): the yes that makes contacting lawful;
- a contact point's `contact_allowed`: whether that particular number or address is one
  the mairie may use (a resident with two e-mails may set one aside). It narrows the
  consent to some points, never widens it.

A point may be used one way only when both say yes.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from enum import StrEnum

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.privacy.enums import ConsentPurpose
from crm_core.privacy.models import ConsentChange
from crm_core.residents.enums import ContactKind
from crm_core.residents.models import ContactPoint


class ContactWay(StrEnum):
    CALL = "call"
    SMS = "sms"
    EMAIL = "email"
    POST = "post"


WAY_PURPOSE = {
    ContactWay.CALL: ConsentPurpose.CONTACT_PHONE,
    ContactWay.SMS: ConsentPurpose.CONTACT_SMS,
    ContactWay.EMAIL: ConsentPurpose.CONTACT_EMAIL,
    ContactWay.POST: ConsentPurpose.CONTACT_POST,
}
_SMS_TYPES = {phonenumbers.PhoneNumberType.MOBILE,
              phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE}


def granted_purposes(*, db_session: Session, resident_id: uuid.UUID) -> frozenset[ConsentPurpose]:
    """The purposes whose latest answer is yes (no answer is no)."""
    latest: dict[ConsentPurpose, bool] = {}
    for purpose, granted in db_session.execute(
        select(ConsentChange.purpose, ConsentChange.granted)
        .where(ConsentChange.resident_id == resident_id)
        .order_by(ConsentChange.changed_at.desc(), ConsentChange.id)
    ):
        latest.setdefault(purpose, granted)
    return frozenset(purpose for purpose, granted in latest.items() if granted)


def ways_of(kind: ContactKind | str, value: str) -> tuple[ContactWay, ...]:
    """The ways a point of this kind can carry: SMS only to a mobile number."""
    if kind == ContactKind.EMAIL:
        return (ContactWay.EMAIL,)
    if kind == ContactKind.POSTAL:
        return (ContactWay.POST,)
    try:
        mobile = phonenumbers.number_type(phonenumbers.parse(value, None)) in _SMS_TYPES
    except phonenumbers.NumberParseException:
        mobile = False
    return (ContactWay.CALL, ContactWay.SMS) if mobile else (ContactWay.CALL,)


def allowed_ways(*, kind: ContactKind | str, value: str, point_allowed: bool,
                 granted: Iterable[ConsentPurpose]) -> list[ContactWay]:
    """The ways the mairie may use this point: the point kept for contact, and the
    resident's consent for the way."""
    if not point_allowed:
        return []
    consented = set(granted)
    return [way for way in ways_of(kind, value) if WAY_PURPOSE[way] in consented]


def add_contact_ways(points: list[dict[str, object]],
                     granted: Iterable[ConsentPurpose]) -> None:
    """Each point of a summary gets `contact_ways`, the effective answer shown to agents."""
    consented = frozenset(granted)
    for point in points:
        point["contact_ways"] = [way.value for way in allowed_ways(
            kind=str(point["kind"]), value=str(point["value"]),
            point_allowed=bool(point["contact_allowed"]), granted=consented)]


def point_for(*, db_session: Session, resident_id: uuid.UUID, way: ContactWay) -> str | None:
    """The value to use to reach the resident this way (verified, then newest first), or
    None when no point may be used that way."""
    if WAY_PURPOSE[way] not in granted_purposes(db_session=db_session,
                                                 resident_id=resident_id):
        return None
    kind = {ContactWay.CALL: ContactKind.PHONE, ContactWay.SMS: ContactKind.PHONE,
            ContactWay.EMAIL: ContactKind.EMAIL, ContactWay.POST: ContactKind.POSTAL}[way]
    for value in db_session.scalars(
        select(ContactPoint.value).where(
            ContactPoint.resident_id == resident_id, ContactPoint.kind == kind,
            ContactPoint.contact_allowed,
        ).order_by(ContactPoint.verified.desc(), ContactPoint.created_at.desc())
    ):
        if way in ways_of(kind, value):
            return value
    return None


def may_call(*, db_session: Session, resident_id: uuid.UUID, phone: str) -> bool:
    """May the mairie call this resident on this (E.164) number? The answer the phone
    desk shows: a number of the file, if it may be called; another number, if the file
    has one that may be (the resident did not refuse calls)."""
    granted = granted_purposes(db_session=db_session, resident_id=resident_id)
    point = db_session.execute(
        select(ContactPoint.value, ContactPoint.contact_allowed).where(
            ContactPoint.resident_id == resident_id, ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value == phone,
        ).limit(1)
    ).first()
    if point is not None:
        return ContactWay.CALL in allowed_ways(kind=ContactKind.PHONE, value=point.value,
                                               point_allowed=point.contact_allowed,
                                               granted=granted)
    return point_for(db_session=db_session, resident_id=resident_id,
                     way=ContactWay.CALL) is not None
