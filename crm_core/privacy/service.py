"""The access log: every read or change of a resident's file by an agent leaves a row."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.channels import Channel
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


def record_search(
    *, db_session: Session, actor: Actor, criteria: Sequence[str], results: int,
) -> None:
    """One row per search: who, when, the kinds of criterion (never their values), and how
    many people were shown."""
    kinds = "+".join(sorted(set(criteria))) or "vide"
    db_session.add(AccessLog(
        agent_id=actor.agent_id, resident_id=None, operation=AccessOperation.SEARCH,
        site_id=actor.site_id, channel=actor.channel,
        reason=f"{kinds[:150]} : {results} résultat(s)",
    ))


def record_reads_once_a_day(
    *, db_session: Session, actor: Actor, operation: AccessOperation,
    resident_ids: Iterable[uuid.UUID | None], since: datetime, reason: str | None = None,
) -> None:
    """A row per resident shown, unless this agent already has one of this operation for
    them since `since`: a list polled every few seconds (the queue) is traced once a day
    per resident, not flooded."""
    wanted = {rid for rid in resident_ids if rid is not None}
    if not wanted:
        return
    seen = set(db_session.scalars(select(AccessLog.resident_id).where(
        AccessLog.resident_id.in_(wanted), AccessLog.operation == operation,
        AccessLog.agent_id == actor.agent_id, AccessLog.occurred_at >= since)))
    record_accesses(db_session=db_session, actor=actor, operation=operation,
                    entries=[(rid, None, reason) for rid in sorted(wanted - seen)])


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
