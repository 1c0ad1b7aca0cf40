"""The access log: every read or change of a resident's file by an agent leaves a row."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.interactions.enums import Channel
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog


def record_access(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, operation: AccessOperation,
    channel: Channel | None = None, reason: str | None = None,
) -> None:
    db_session.add(
        AccessLog(
            agent_id=actor.agent_id,
            resident_id=resident_id,
            operation=operation,
            site_id=actor.site_id,
            channel=channel or actor.channel,
            reason=reason[:200] if reason else None,
        )
    )


def record_accesses(
    *, db_session: Session, actor: Actor, operation: AccessOperation,
    entries: Sequence[tuple[uuid.UUID, Channel | None, str | None]],
) -> None:
    """Many rows of one operation at once, (resident, channel, reason) each, in one
    statement: their ids are the database's, which an ORM insert fetches back one by one
    on SQLite."""
    if not entries:
        return
    db_session.flush()  # rows added before these keep their place in the chain
    db_session.execute(insert(AccessLog), [
        {"agent_id": actor.agent_id, "resident_id": resident_id, "operation": operation,
         "site_id": actor.site_id, "channel": channel or actor.channel,
         "reason": reason[:200] if reason else None}
        for resident_id, channel, reason in entries
    ])


def list_for_resident(
    *, db_session: Session, resident_id: uuid.UUID, limit: int = 100
) -> list[AccessLog]:
    return list(
        db_session.scalars(
            select(AccessLog)
            .where(AccessLog.resident_id == resident_id)
            .order_by(AccessLog.occurred_at.desc(), AccessLog.id.desc())
            .limit(limit)
        )
    )
