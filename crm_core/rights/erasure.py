"""Erasure (GDPR art. 17): a resident's record becomes anonymous, the statistics stay.

Identity, contact points, online-account links, badges' card hashes and search keys go;
free text that may name the person (case subjects and descriptions, notes) is blanked.
What remains — cases, exchanges, tickets, with their channel, service, site and times —
names nobody and keeps the channel reports true. The access log stays as it is: it is
append-only, holds no identity of its own, and is the record that the erasure happened.

A record erased takes with it every record merged into it (they hold the same person's
earlier identity); the merges' evidence and copied fields are blanked too. Every table
that points at a resident is either scrubbed here, scrubbed by a hook its own package
registered (`erasure_hooks`), or listed in `KEPT`, and a test checks that no new one is
forgotten.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.badges.models import Badge
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.interactions.models import Interaction
from crm_core.privacy import erasure_hooks
from crm_core.privacy.enums import AccessOperation, ConsentSource
from crm_core.privacy.models import ConsentChange
from crm_core.privacy.service import record_access
from crm_core.recognition.models import ResidentMerge, SearchKey
from crm_core.reminders.models import ReminderSubscription
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.service import resolve_id
from crm_core.telephony.enums import CallbackStatus
from crm_core.telephony.models import Call, Callback

ERASED_NAME = "Anonyme"
ERASED_SUBJECT = "[effacé]"

# column -> what erasure does with the rows that point at the resident through it
SCRUBBED = {
    "account_link.resident_id": "deleted",
    "badge.resident_id": "revoked, card hash removed",
    "call.resident_id": "caller's number blanked; the call stays in the phone figures",
    "callback.resident_id": "number and free text blanked; pending ones cancelled",
    "case.resident_id": "subject, description and external id blanked; case kept",
    "consent_change.resident_id": "notes blanked; answers kept (they name nobody)",
    "contact_point.resident_id": "deleted",
    "interaction.resident_id": "note blanked; exchange kept for the statistics",
    "reminder_subscription.resident_id": "ended (no reminder to an erased record)",
    "resident.merged_into_id": "records merged into it are erased too",
    "resident_merge.merged_id": "evidence, copied fields and reason blanked",
    "resident_merge.survivor_id": "evidence, copied fields and reason blanked",
    "search_key.resident_id": "deleted",
}
KEPT = {
    "access_log.resident_id": "append-only record of who consulted the file, and of the erasure",
    "queue_ticket.resident_id": "a number and times, nothing personal: waiting-time figures",
}


@dataclass(frozen=True)
class ErasureReport:
    resident_id: uuid.UUID
    records: int
    contact_points: int
    account_links: int
    badges: int
    cases: int
    interactions: int

    def as_dict(self) -> dict[str, object]:
        return {"resident_id": self.resident_id, "records_erased": self.records,
                "contact_points_deleted": self.contact_points,
                "account_links_deleted": self.account_links, "badges_revoked": self.badges,
                "cases_kept": self.cases, "interactions_kept": self.interactions}


def _merge_family(db_session: Session, survivor_id: uuid.UUID) -> list[uuid.UUID]:
    family, frontier = [survivor_id], [survivor_id]
    while frontier:
        frontier = list(db_session.scalars(
            select(Resident.id).where(Resident.merged_into_id.in_(frontier))
        ))
        family += frontier
    return family


def erase_resident(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, reason: str
) -> ErasureReport:
    surviving_id, _ = resolve_id(db_session=db_session, resident_id=resident_id)
    family = _merge_family(db_session, surviving_id)
    now = datetime.now(UTC)

    def count(result: object) -> int:
        return int(getattr(result, "rowcount", 0) or 0)

    points = count(db_session.execute(
        delete(ContactPoint).where(ContactPoint.resident_id.in_(family))))
    links = count(db_session.execute(
        delete(AccountLink).where(AccountLink.resident_id.in_(family))))
    db_session.execute(delete(SearchKey).where(SearchKey.resident_id.in_(family)))
    badges = count(db_session.execute(
        update(Badge).where(Badge.resident_id.in_(family), Badge.revoked_at.is_(None))
        .values(revoked_at=now, revoked_by_agent_id=actor.agent_id,
                revoked_reason="effacement du dossier")))
    db_session.execute(update(Badge).where(Badge.resident_id.in_(family))
                       .values(card_uid_hash=None))
    case_ids = select(Case.id).where(Case.resident_id.in_(family))
    cases = count(db_session.execute(
        update(Case).where(Case.resident_id.in_(family))
        .values(subject=ERASED_SUBJECT, description=None, external_id=None)))
    db_session.execute(update(CaseStatusChange).where(CaseStatusChange.case_id.in_(case_ids))
                       .values(note=None))
    interactions = count(db_session.execute(
        update(Interaction).where(Interaction.resident_id.in_(family)).values(note=None)))
    db_session.execute(
        update(ReminderSubscription).where(ReminderSubscription.resident_id.in_(family),
                                           ReminderSubscription.unsubscribed_at.is_(None))
        .values(unsubscribed_at=now, unsubscribed_by=ConsentSource.AGENT))
    db_session.execute(update(ConsentChange).where(ConsentChange.resident_id.in_(family))
                       .values(note=None))
    db_session.execute(
        update(ResidentMerge)
        .where(or_(ResidentMerge.survivor_id.in_(family), ResidentMerge.merged_id.in_(family)))
        .values(evidence=None, fields_taken=None, reason=None)
    )
    db_session.execute(
        update(Resident).where(Resident.id.in_(family)).values(
            given_name=ERASED_NAME, family_name=ERASED_NAME, given_name_key="anonyme",
            family_name_key="anonyme", birth_name=None, birth_date=None, address_line=None,
            postal_code=None, city=None, updated_at=now,
        )
    )
    # Records merged into it stay "merged", so that an old id still lands on the (now
    # anonymous) survivor rather than on a second, orphaned anonymous record.
    db_session.execute(update(Resident).where(Resident.id == surviving_id)
                       .values(status=ResidentStatus.ERASED))
    db_session.execute(update(Call).where(Call.resident_id.in_(family))
                       .values(remote_raw="", remote_number=None))
    db_session.execute(update(Callback).where(Callback.resident_id.in_(family))
                       .values(phone="", reason=ERASED_SUBJECT, outcome_note=None))
    db_session.execute(update(Callback).where(Callback.resident_id.in_(family),
                                              Callback.status == CallbackStatus.PENDING)
                       .values(status=CallbackStatus.CANCELLED, done_at=now))
    for scrubber in erasure_hooks.scrubbers():
        scrubber(db_session, family)
    record_access(db_session=db_session, actor=actor, resident_id=surviving_id,
                  operation=AccessOperation.ERASE_RESIDENT, reason=reason)
    db_session.flush()
    db_session.expire_all()
    return ErasureReport(surviving_id, len(family), points, links, badges, cases,
                         interactions)
