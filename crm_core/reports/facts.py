"""What each written thing contributes to the reports, as one SELECT per kind of fact.

The same statements serve the incremental fold (filtered on the journaled ids) and the
full rebuild (unfiltered, grouped in SQL), so both paths count alike. Every statement
yields the columns of `FACT_COLUMNS`:

- `contact`: one interaction; service = its case's; detail empty.
- `case`: one case opened; channel = origin channel; detail = kind (question, complaint...).
- `resolution`: a case reaching *resolved* or *closed* from an open status (a case
  reopened and resolved again counts twice); channel = origin channel; detail = the
  channel of the exchange that resolved it; `sum1` = seconds from opening; `due`/`ok` =
  has an announced due date / resolved by it; `flag1` = first-contact resolution (at most
  one exchange recorded on the case); `flag2` = a cross-channel journey (an exchange or
  the resolution on another channel than the origin).
- `ticket`: one served queue ticket; `sum1` wait, `sum2` service seconds; `ok` = waited
  at most `WAIT_TARGET_SECONDS`.
- `call`: one ended inbound call; detail `answered`/`abandoned`; `sum1` seconds to
  answer; `ok` = answered within `ANSWER_TARGET_SECONDS`. Site = the answering agent's.
  Service = the service whose code is the PBX queue's name (queues are set up per
  service: `etat-civil`, `voirie`...); a queue named after no service counts as none.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    String,
    Uuid,
    and_,
    any_,
    bindparam,
    case,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from crm_core.agents.models import Agent
from crm_core.cases.models import Case, CaseStatusChange, Service
from crm_core.database.local_days import local_day_sql
from crm_core.interactions.models import Interaction
from crm_core.queue.models import QueueTicket
from crm_core.reports.models import NONE_ID
from crm_core.telephony.models import Call

FactSelect = Select[*tuple[Any, ...]]
KINDS = ("contact", "case", "resolution", "ticket", "call")
FACT_COLUMNS = (
    "entity_id", "at", "site_id", "service_id", "channel", "detail", "who",
    "sum1", "sum2", "ok", "due", "flag1", "flag2",
)
WAIT_TARGET_SECONDS = 15 * 60
ANSWER_TARGET_SECONDS = 60
_DONE = ("resolved", "closed")


def seconds_between(later: Any, earlier: Any, dialect: str) -> ColumnElement[float]:
    if dialect == "postgresql":
        return func.extract("epoch", later - earlier)  # type: ignore[return-value]
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def _key(column: Any) -> ColumnElement[str]:
    return cast(column, String)


def _id(column: Any) -> ColumnElement[uuid.UUID]:
    return func.coalesce(column, literal(NONE_ID))


def _zero() -> ColumnElement[int]:
    return literal(0)


def _contact(dialect: str, zone: str) -> FactSelect:
    statement = (
        select(
            Interaction.id, Interaction.occurred_at, _id(Interaction.site_id),
            _id(Case.service_id), Interaction.channel, literal(""),
            _key(Interaction.resident_id), literal(0.0), literal(0.0), _zero(), _zero(),
            _zero(), _zero(),
        )
        .select_from(Interaction)
        .outerjoin(Case, Case.id == Interaction.case_id)
    )
    return statement


def _case(dialect: str, zone: str) -> FactSelect:
    statement = select(
        Case.id, Case.opened_at, _id(Case.site_id), Case.service_id, Case.origin_channel,
        Case.kind, _key(Case.resident_id), literal(0.0), literal(0.0), _zero(), _zero(),
        _zero(), _zero(),
    )
    return statement


def _resolution(dialect: str, zone: str) -> FactSelect:
    change = CaseStatusChange
    contact = aliased(Interaction)
    contacts = (
        select(func.count()).select_from(contact).where(contact.case_id == Case.id)
        .scalar_subquery()
    )
    elsewhere = exists().where(
        contact.case_id == Case.id, contact.channel != Case.origin_channel
    )
    # The due date is a local day (`cases.service`): compare it with the local day.
    on_time = and_(Case.due_date.is_not(None),
                   local_day_sql(change.changed_at, dialect, zone) <= Case.due_date)
    return (
        select(
            change.id, change.changed_at, _id(Case.site_id), Case.service_id,
            Case.origin_channel, change.channel, _key(Case.resident_id),
            seconds_between(change.changed_at, Case.opened_at, dialect), literal(0.0),
            case((on_time, 1), else_=0), case((Case.due_date.is_not(None), 1), else_=0),
            case((contacts <= 1, 1), else_=0),
            case((or_(elsewhere, change.channel != Case.origin_channel), 1), else_=0),
        )
        .select_from(change)
        .join(Case, Case.id == change.case_id)
        .where(
            change.to_status.in_(_DONE),
            or_(change.from_status.is_(None), change.from_status.not_in(_DONE)),
        )
    )


def _ticket(dialect: str, zone: str) -> FactSelect:
    ticket = QueueTicket
    who = func.coalesce(_key(ticket.resident_id), literal("ticket:") + _key(ticket.id))
    return select(
        ticket.id, ticket.issued_at, ticket.site_id, ticket.service_id, literal("counter"),
        literal(""), who, func.coalesce(ticket.wait_seconds, 0),
        func.coalesce(ticket.service_seconds, 0),
        case((ticket.wait_seconds <= WAIT_TARGET_SECONDS, 1), else_=0), _zero(), _zero(),
        _zero(),
    ).where(ticket.served_at.is_not(None))


def _call(dialect: str, zone: str) -> FactSelect:
    answer = seconds_between(Call.answered_at, Call.started_at, dialect)
    who = func.coalesce(
        _key(Call.resident_id),
        literal("tel:") + func.coalesce(Call.remote_number, Call.remote_raw),
    )
    return (
        select(
            Call.id, Call.started_at, _id(Agent.site_id), _id(Service.id), literal("phone"),
            case((Call.answered_at.is_not(None), "answered"), else_="abandoned"), who,
            case((Call.answered_at.is_not(None), answer), else_=0.0), literal(0.0),
            case((and_(Call.answered_at.is_not(None), answer <= ANSWER_TARGET_SECONDS), 1),
                 else_=0),
            _zero(), _zero(), _zero(),
        )
        .select_from(Call)
        .outerjoin(Agent, Agent.id == Call.agent_id)
        .outerjoin(Service, Service.code == Call.queue)
        .where(Call.direction == "in", Call.ended_at.is_not(None))
    )


_BUILDERS = {
    "contact": (_contact, Interaction.id),
    "case": (_case, Case.id),
    "resolution": (_resolution, CaseStatusChange.id),
    "ticket": (_ticket, QueueTicket.id),
    "call": (_call, Call.id),
}


def fact_select(
    kind: str, dialect: str, zone: str, ids: Sequence[uuid.UUID] | None = None
) -> FactSelect:
    """The facts of one kind, labelled with `FACT_COLUMNS`, local days in `zone` (the
    city's); only `ids` when given."""
    builder, key = _BUILDERS[kind]
    statement = builder(dialect, zone)
    if ids is not None and dialect == "postgresql":  # one array parameter, not thousands
        wanted = bindparam("ids", list(ids), type_=postgresql.ARRAY(Uuid()))
        statement = statement.where(key == any_(wanted))
    elif ids is not None:
        statement = statement.where(key.in_(ids))
    labelled = [
        column.label(name)
        for column, name in zip(statement.selected_columns, FACT_COLUMNS, strict=True)
    ]
    return statement.with_only_columns(*labelled, maintain_column_froms=True)
