"""Démarches Simplifiées: its webhook is only a hint (form-encoded, unsigned, never
retried), so each hint makes us read the dossier through the authenticated API; a poll of
`dossiers(updatedSince:)` with cursor paging catches whatever a hint missed.

Each dossier version is ingested once (event id `number@dateDerniereModification`), and
an older version never overwrites a newer one (the inbound out-of-order guard).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import orjson
from pydantic import ValidationError
from sqlalchemy.orm import Session

from crm_core.cases.enums import CaseStatus
from crm_core.validation_messages import french_errors, french_summary
from integrations.connectors.ds.backend import DsBackend
from integrations.exceptions import MalformedEvent
from integrations.inbound import service as inbound
from integrations.inbound.schemas import CaseEvent, CaseEventData, IngestResult
from integrations.models import PollCursor
from integrations.settings import SourceConfig

logger = logging.getLogger("relais.integrations")
STATES = {
    "en_construction": CaseStatus.NEW, "en_instruction": CaseStatus.IN_PROGRESS,
    "accepte": CaseStatus.RESOLVED, "refuse": CaseStatus.CLOSED,
    "sans_suite": CaseStatus.CLOSED,
}
OVERLAP = timedelta(minutes=1)  # re-read a little: clocks and transactions are not exact


def _status(state: str | None, config: SourceConfig) -> CaseStatus | None:
    if state is None:
        return None
    if state in config.status_map:
        return CaseStatus(config.status_map[state])
    return STATES.get(state)


def to_event_data(dossier: dict[str, Any], config: SourceConfig) -> CaseEventData:
    demarche = dossier.get("demarche") or {}
    person = dossier.get("demandeur") or {}
    champs = [c for c in dossier.get("champs") or [] if isinstance(c, dict)]
    description = "\n".join(f"{c.get('label')} : {c.get('stringValue')}" for c in champs
                            if c.get("stringValue"))
    try:
        return CaseEventData.model_validate({
            "id": str(dossier["number"]),
            "service": config.services.get(str(demarche.get("number")))
            or config.default_service,
            "subject": str(demarche.get("title") or f"Dossier {dossier['number']}")[:200],
            "description": description[:5000] or None,
            "status": _status(dossier.get("state"), config),
            "updated_at": dossier.get("dateDerniereModification"),
            "resident": {
                "given_name": person.get("prenom"), "family_name": person.get("nom"),
                "birth_date": person.get("dateDeNaissance"),
                "email": (dossier.get("usager") or {}).get("email"),
            },
        })
    except KeyError as exc:
        raise MalformedEvent("Dossier Démarches Simplifiées illisible : numéro de dossier"
                             " manquant", field="number") from exc
    except ValidationError as exc:  # said in French, without the values it quotes
        errors = french_errors(exc.errors(), skip=())
        raise MalformedEvent("Dossier Démarches Simplifiées illisible : "
                             + french_summary(errors), errors=errors) from exc


def dossier_delivery(
    *, source: str, config: SourceConfig, dossier: dict[str, Any]
) -> tuple[inbound.Delivery, CaseEvent]:
    """A dossier as a delivery: its id at its version is the event's id."""
    data = to_event_data(dossier, config)
    version = (data.updated_at or datetime.now(UTC)).isoformat()
    delivery = inbound.Delivery(source=source, event_id=f"{data.id}@{version}",
                                body=orjson.dumps(dossier, option=orjson.OPT_SORT_KEYS))
    return delivery, CaseEvent(type="case.updated", timestamp=datetime.now(UTC), data=data)


def ingest_dossier(
    *, db_session: Session, source: str, config: SourceConfig, dossier: dict[str, Any],
    timezone: str, phone_region: str,
) -> IngestResult:
    delivery, event = dossier_delivery(source=source, config=config, dossier=dossier)
    with db_session.begin_nested():  # one dossier refused leaves the others
        return inbound.receive(db_session=db_session, delivery=delivery, event=event,
                               default_service=config.default_service, timezone=timezone,
                               phone_region=phone_region)


@dataclass
class PollReport:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    refused: int = 0


def poll(
    *, db_session: Session, source: str, config: SourceConfig, backend: DsBackend,
    timezone: str, phone_region: str, max_pages: int = 1000,
) -> PollReport:
    """Reads every dossier updated since the last poll, for each configured démarche,
    following cursors; commits per page so a long backlog is never read twice."""
    report = PollReport()
    for demarche in config.demarches:
        cursor = db_session.get(PollCursor, (source, str(demarche)))
        since = cursor.updated_since - OVERLAP if cursor else None
        newest = cursor.updated_since if cursor else None
        after: str | None = None
        for _ in range(max_pages):
            page = backend.dossiers(demarche, updated_since=since, after=after)
            for dossier in page.nodes:
                report.read += 1
                try:
                    result = ingest_dossier(db_session=db_session, source=source,
                                            config=config, dossier=dossier,
                                            timezone=timezone, phone_region=phone_region)
                except Exception as exc:  # one bad dossier is logged, never fatal to the poll
                    report.refused += 1
                    logger.warning("DS dossier %s refused: %s", dossier.get("number"), exc)
                    continue
                if result.status == "created":
                    report.created += 1
                elif result.status == "updated":
                    report.updated += 1
                else:
                    report.unchanged += 1
                changed = dossier.get("dateDerniereModification")
                if changed:
                    moment = datetime.fromisoformat(changed)
                    newest = moment if newest is None or moment > newest else newest
            _save_cursor(db_session, source, str(demarche), newest)
            db_session.commit()
            if not page.has_next:
                break
            after = page.end_cursor
    return report


def _save_cursor(db_session: Session, source: str, scope: str, newest: datetime | None) -> None:
    if newest is None:
        return
    cursor = db_session.get(PollCursor, (source, scope))
    if cursor is None:
        db_session.add(PollCursor(source=source, scope=scope, updated_since=newest))
    else:
        cursor.updated_since = newest
        cursor.polled_at = datetime.now(UTC)
    db_session.flush()
