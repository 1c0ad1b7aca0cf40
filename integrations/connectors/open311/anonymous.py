"""Anonymous Open311 reports: a pothole needs fixing whoever saw it.

GeoReport v2 makes the reporter's names and contacts optional, and street-reporting apps
let people report without them. Such a report is about a place, not a person: Relais
keeps it as a case (every case belongs to a resident file, and the timeline, access log
and workflow rely on it) in one *anonymous reports* file per source, created on first
use with a fixed id — never one invented "Anonyme" resident per report, which would fill
the register and the duplicates review with look-alike records.

That file holds no personal data, is not indexed for recognition (no search, no match
proposes it for a real person) and no contact given without a name is kept: the app
that made the report follows it by its `service_request_id`, as GeoReport intends.
"""

from __future__ import annotations

import uuid

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import Resident
from crm_core.text import fold

NAMESPACE = uuid.UUID("6f7c1a52-3c1e-4d8e-9a57-0b3e2f1c9d11")
GIVEN_NAME = "Signalements"


def holder_id(source: str) -> uuid.UUID:
    """The same id on every server and database for a source's anonymous file."""
    return uuid.uuid5(NAMESPACE, f"open311-anonymous:{source}")


def family_name(source: str) -> str:
    return f"anonymes ({source})"[:100]


def anonymous_holder(*, db_session: Session, source: str) -> uuid.UUID:
    """The source's anonymous reports file, created the first time (a concurrent first
    report finds the twin's row: the primary key is the same)."""
    holder = holder_id(source)
    if db_session.get(Resident, holder) is not None:
        return holder
    try:
        with db_session.begin_nested():
            db_session.add(Resident(
                id=holder, given_name=GIVEN_NAME, family_name=family_name(source),
                given_name_key=fold(GIVEN_NAME), family_name_key=fold(family_name(source)),
                status=ResidentStatus.ACTIVE,
            ))
            db_session.flush()
            record_access(db_session=db_session, actor=SYSTEM, resident_id=holder,
                          operation=AccessOperation.CREATE_RESIDENT, channel=Channel.WEB,
                          reason=f"open311:{source}"[:200])
            db_session.flush()
    except IntegrityError:
        if db_session.get(Resident, holder) is None:
            raise
    return holder
