"""The writers' side of the roll-ups: every flush appends what it wrote to `report_delta`.

One `after_flush` listener on every ORM session, so that the writers' services need no
call of their own: it sees new interactions, cases and resolving status changes, and
tickets or calls whose `served_at` / `ended_at` has just been set, and appends their ids
in the same transaction (a rollback drops them too). Appending is an insert on a sequence,
so concurrent writers never wait on a shared counter row: the hot-row contention of
upserting counters in the writers' transactions is moved to the single folder
(`rollup.fold_pending`). Bulk loaders that bypass the ORM run `relais report rebuild`.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.interactions.models import Interaction
from crm_core.queue.models import QueueTicket
from crm_core.reports.models import ReportDelta
from crm_core.telephony.enums import CallDirection
from crm_core.telephony.models import Call

_DONE = (CaseStatus.RESOLVED, CaseStatus.CLOSED)


def _just_set(instance: Any, attribute: str) -> bool:
    """The attribute went from None to a value in this flush."""
    history = inspect(instance).attrs[attribute].history
    if not history.added or history.added[0] is None:
        return False
    return not history.deleted or history.deleted[0] is None


def deltas_of(session: Session) -> list[tuple[str, uuid.UUID]]:
    found: list[tuple[str, uuid.UUID]] = []
    for instance in session.new:
        if isinstance(instance, Interaction):
            found.append(("contact", instance.id))
        elif isinstance(instance, Case):
            found.append(("case", instance.id))
        elif (
            isinstance(instance, CaseStatusChange)
            and instance.to_status in _DONE and instance.from_status not in _DONE
        ):
            found.append(("resolution", instance.id))
    for instance in (*session.new, *session.dirty):
        if isinstance(instance, QueueTicket) and _just_set(instance, "served_at"):
            found.append(("ticket", instance.id))
        elif (
            isinstance(instance, Call) and instance.direction == CallDirection.INBOUND
            and _just_set(instance, "ended_at")
        ):
            found.append(("call", instance.id))
    return found


@event.listens_for(Session, "after_flush")
def _journal(session: Session, _context: Any) -> None:
    deltas = deltas_of(session)
    if deltas:
        session.connection().execute(
            insert(ReportDelta), [{"kind": kind, "entity_id": key} for kind, key in deltas]
        )
