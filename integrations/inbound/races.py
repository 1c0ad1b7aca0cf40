"""The one handling of a lost race on a webhook delivery, shared by every webhook route
(the generic signed webhooks, w.c.s., Démarches Simplifiées).

Two deliveries of the same event may arrive at the same instant (a platform retrying on a
timeout, two API processes behind a load balancer). Both pass the duplicate check, both
write; the inbox row's unique key (source, event id) lets one commit and makes the other
fail — at its flush or at its commit. The loser is then exactly a redelivery: it answers
as one, `200 {"status": "duplicate"}` with the case's reference, so that the platform
stops retrying, and nothing of it is kept. Only a loser whose twin cannot be found (the
race was on something else) is refused, `409 event_id_reused`, to be retried.

This is why these routes commit here, before returning, rather than leave the commit to
the request's unit of work: the outcome of the commit decides the answer."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from crm_core.exceptions import Conflict
from integrations.exceptions import EventIdReused
from integrations.inbound.schemas import IngestResult
from integrations.inbound.service import Delivery, after_conflict


def commit_delivery(
    db_session: Session, delivery: Delivery, apply: Callable[[], IngestResult]
) -> IngestResult:
    """`apply()` the delivery and commit it; a lost race is answered as the duplicate."""
    try:
        result = apply()
        db_session.commit()
    except (Conflict, IntegrityError) as exc:  # a concurrent twin got there first?
        twin = after_conflict(db_session, delivery)  # rolled back, then looked up
        if twin is not None:
            return twin
        db_session.rollback()
        if isinstance(exc, Conflict):
            raise
        raise EventIdReused("Événement enregistré en parallèle, réessayez") from exc
    return result
