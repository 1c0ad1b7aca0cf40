"""The transactional outbox: a status change of a case that came from a platform writes
an outbox row in the same flush, hence the same transaction, as the change itself.

A `before_flush` listener on every Session sees each new `CaseStatusChange`; when its case
has an external reference whose source is configured with somewhere to deliver, it adds
the event, reading the settings its session was made with (`Settings.session_info`, given
by the session factory). No domain service needs to know about connectors (they depend on
the core, not the reverse). Changes made *because of* the platform (its own webhook) are
not echoed back.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session, UOWTransaction

from crm_core.cases import reference as refs
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.config import session_settings
from crm_core.database.base import utcnow
from integrations.models import OutboxEvent
from integrations.settings import IntegrationSettings

logger = logging.getLogger("relais.outbox")

STATUS_CHANGED = "case.status_changed"
_SOURCE_KEY = "relais_integration_source"


@contextlib.contextmanager
def from_source(db_session: Session, source: str) -> Iterator[None]:
    """Changes made inside come from `source`: nothing is sent back to it."""
    previous = db_session.info.get(_SOURCE_KEY)
    db_session.info[_SOURCE_KEY] = source
    try:
        yield
    finally:
        db_session.info[_SOURCE_KEY] = previous


def delivers_to(settings: IntegrationSettings, source: str) -> bool:
    config = settings.webhook_sources.get(source)
    if config is None:
        return False
    if config.kind == "ds":
        return bool(config.instructeur_id)
    return bool(config.outbound_url) or (config.kind == "wcs" and bool(config.triggers))


def status_payload(case: Case, change: CaseStatusChange) -> dict[str, Any]:
    return {
        "type": STATUS_CHANGED,
        "timestamp": (change.changed_at or utcnow()).isoformat(),
        "data": {
            "id": case.external_id,
            "reference": refs.format_reference(case.reference),
            "status": change.to_status.value,
            "previous_status": change.from_status.value if change.from_status else None,
            "channel": change.channel.value,
            "note": change.note,
            "changed_at": (change.changed_at or utcnow()).isoformat(),
        },
    }


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    changes = [obj for obj in session.new if isinstance(obj, CaseStatusChange)]
    if not changes:
        return
    settings = session_settings(session)
    origin = session.info.get(_SOURCE_KEY)
    for change in changes:
        if change.from_status is None:  # the case was just opened: nothing to tell
            continue
        case = session.get(Case, change.case_id)
        if case is None or not case.external_system or case.external_system == origin:
            continue
        if settings is None:
            # A session made without the settings (a bare tool, the demo's bulk load):
            # nothing can be sent, and that is said rather than silently skipped.
            logger.warning("a platform case's status changed in a session made without"
                           " the settings: nothing is sent back to %s", case.external_system)
            continue
        if not delivers_to(settings.section(IntegrationSettings), case.external_system):
            continue
        session.add(OutboxEvent(
            target=case.external_system, event_type=STATUS_CHANGED, case_id=case.id,
            payload=status_payload(case, change),
        ))


def install() -> None:
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
