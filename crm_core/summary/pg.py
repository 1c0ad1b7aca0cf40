"""The summary on PostgreSQL in one round trip: one statement builds the whole document as
JSON and writes the access-log row in a data-modifying CTE.

The portable path (`service.build_summary` + `record_access`) costs six statements and an
ORM flush; over a network each is a round trip, and the summary is what every agent opens.
Here the database assembles the JSON, Python only adds what needs Python (phone numbers
for display, reference grouping, flags). A merged record takes the portable path: the CTE
writes nothing for it and the caller falls back.

`tests/crm_core/summary/test_pg.py` checks that both paths give the same document.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from functools import lru_cache
from typing import Any

import orjson
from sqlalchemy import text
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.cases.enums import ONGOING_STATUSES
from crm_core.cases.reference import format_reference
from crm_core.consent.contactability import add_contact_ways
from crm_core.privacy.enums import AccessOperation, ConsentPurpose
from crm_core.residents.contacts import format_phone_for_display
from crm_core.residents.enums import ContactKind, ResidentStatus

RECENT_INTERACTIONS = 20
_OPEN = ", ".join(f"'{status.value}'" for status in sorted(ONGOING_STATUSES))

# Same columns, order and sorting as the statements in summary.py. Only constants are
# interpolated (status codes, the limit); every value is a bound parameter.
_SUMMARY = text(f"""
WITH r AS (
    SELECT id, given_name, family_name, birth_name, birth_date, address_line, postal_code,
           city, insee_code, status, created_at
    FROM resident WHERE id = :resident_id
), logged AS (
    INSERT INTO access_log (occurred_at, agent_id, resident_id, operation, site_id, channel,
                            reason)
    SELECT :now, :agent_id, r.id, :operation, :site_id, :channel, :reason
    FROM r WHERE r.status <> '{ResidentStatus.MERGED.value}'
    RETURNING id
)
SELECT json_build_object(
    'resident', (SELECT row_to_json(r) FROM r),
    'logged', (SELECT count(*) FROM logged),
    'contact_points', (
        SELECT coalesce(json_agg(p ORDER BY p.kind, p.created_at), '[]')
        FROM (SELECT id, kind, value, label, verified, contact_allowed, created_at
              FROM contact_point WHERE resident_id = :resident_id) p),
    'granted_purposes', (
        SELECT coalesce(json_agg(g.purpose), '[]')
        FROM (SELECT DISTINCT ON (purpose) purpose, granted FROM consent_change
              WHERE resident_id = :resident_id
              ORDER BY purpose, changed_at DESC, id) g WHERE g.granted),
    'open_cases', (
        SELECT coalesce(json_agg(c ORDER BY c.opened_at DESC), '[]')
        FROM (SELECT c.reference, c.status, c.kind, c.origin_channel, c.subject, c.opened_at,
                     c.due_date, c.external_system, c.external_id,
                     s.code AS service_code, s.label AS service_label
              FROM "case" c JOIN service s ON s.id = c.service_id
              WHERE c.resident_id = :resident_id AND c.status IN ({_OPEN})) c),
    'recent_interactions', (
        SELECT coalesce(json_agg(i ORDER BY i.occurred_at DESC, i.id), '[]')
        FROM (SELECT i.id, i.channel, i.direction, i.outcome, i.note, i.occurred_at,
                     c.reference AS case_reference, a.display_name AS agent, s.name AS site
              FROM interaction i
              LEFT JOIN "case" c ON c.id = i.case_id
              LEFT JOIN agent a ON a.id = i.agent_id
              LEFT JOIN site s ON s.id = i.site_id
              WHERE i.resident_id = :resident_id
              ORDER BY i.occurred_at DESC, i.id LIMIT {RECENT_INTERACTIONS}) i),
    'badges', (
        SELECT coalesce(json_agg(b ORDER BY b.issued_at DESC), '[]')
        FROM (SELECT id, kind, expires_at, issued_at,
                     CASE WHEN revoked_at IS NOT NULL THEN 'revoked'
                          WHEN expires_at <= :now THEN 'expired' ELSE 'active' END AS status,
                     kind = 'qr' OR confirmed_at IS NOT NULL AS confirmed
              FROM badge WHERE resident_id = :resident_id) b)
)::text
""")  # noqa: S608


@lru_cache(maxsize=65_536)
def _display(e164: str) -> str:
    return format_phone_for_display(e164)


def read_summary_pg(
    *, db_session: Session, actor: Actor, resident_id: uuid.UUID, today: date, now: datetime,
    operation: AccessOperation, reason: str | None,
) -> dict[str, Any] | None:
    """The summary with its access-log row, or None when the portable path must answer
    (no such resident, or a merged record: nothing was written)."""
    raw = db_session.connection().execute(_SUMMARY, {
        "resident_id": resident_id, "now": now, "agent_id": actor.agent_id,
        "operation": operation.value, "site_id": actor.site_id,
        "channel": actor.channel.value if actor.channel else None,
        "reason": reason[:200] if reason else None,
    }).scalar_one()
    document: dict[str, Any] = orjson.loads(raw)
    if not document.pop("logged"):
        return None
    granted = [ConsentPurpose(purpose) for purpose in document.pop("granted_purposes")]
    for point in document["contact_points"]:
        del point["created_at"]
        point["display"] = (
            _display(point["value"]) if point["kind"] == ContactKind.PHONE else point["value"]
        )
    add_contact_ways(document["contact_points"], granted)
    iso_today = today.isoformat()
    for case in document["open_cases"]:
        case["display_reference"] = format_reference(case["reference"])
        case["overdue"] = bool(
            case["due_date"] and case["due_date"] < iso_today and case["status"] != "resolved"
        )
    for badge in document["badges"]:
        del badge["issued_at"]
    document["merged_from"] = None
    return document
