"""Merging two records of one person, and undoing it exactly.

A merge moves every row that belongs to the merged record (the `MOVABLE` tables) to the
survivor, writes down each moved row in `resident_merge_move`, and leaves the merged
record in place as a pointer (`status = merged`, `merged_into_id`), so that every lookup
of its id lands on the survivor (`service.resolve_id`). Undoing moves back exactly the
rows written down — rows added to the survivor since stay with it — and restores the
identity fields the merge copied, unless an agent has changed them since.

A table that belongs to a resident is one line in `MOVABLE`; every foreign key to
`resident.id` must appear there or in `STAYS` (a test checks it, so a new table cannot be
forgotten). Nothing else in this module knows which tables exist.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.badges.models import Badge
from crm_core.cases.models import Case
from crm_core.database.base import Base, utcnow
from crm_core.exceptions import Conflict, InvalidInput, NotFound
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.service import record_access
from crm_core.queue.models import QueueTicket
from crm_core.recognition.duplicates import explain
from crm_core.recognition.indexing import reindex_residents
from crm_core.recognition.models import ResidentMerge, ResidentMergeMove
from crm_core.residents.enums import ResidentStatus
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from crm_core.residents.service import get, resolve_id
from crm_core.space.models import PrivacyRequest
from crm_core.telephony.models import Call, Callback
from crm_core.text import echoed


@dataclass(frozen=True)
class Movable:
    model: type[Base]
    # Columns saying "the survivor already has this one": such a row stays behind.
    same_as: tuple[str, ...] = ()


MOVABLE: tuple[Movable, ...] = (
    Movable(Case),
    Movable(Interaction),
    Movable(ContactPoint, same_as=("kind", "value")),
    Movable(AccountLink),
    Movable(Badge),
    Movable(QueueTicket),
    Movable(Call),  # the caller, as the agent identified them
    Movable(Callback),
    Movable(PrivacyRequest),  # a rights request follows the person's record
)
# Foreign keys to resident.id that a merge deliberately leaves where they are.
STAYS: dict[str, str] = {
    "access_log.resident_id": "append-only history of who read which record",
    "consent_change.resident_id": "a yes about one record is not a yes about another",
    "reminder_subscription.resident_id": "opt-ins are not carried over (nor their consent)",
    "resident.merged_into_id": "the pointer itself",
    "resident_merge.survivor_id": "the merge records",
    "resident_merge.merged_id": "the merge records",
    "search_key.resident_id": "derived data, recomputed after the merge",
    "integration_resident_review.resident_id": "the record a connector created, as flagged",
    "account_link_proposal.resident_id": "a 15-minute proposal; confirming follows merges",
    "resident_session.resident_id": "a signed-in browser; merge pointers are followed per request",
}
TAKEABLE = {
    "birth_date": ("birth_date",),
    "birth_name": ("birth_name",),
    "address": ("address_line", "postal_code", "city", "insee_code"),
}
_BY_TABLE = {movable.model.__tablename__: movable for movable in MOVABLE}


def check_takeable(take_fields: Sequence[str]) -> None:
    """Refused before anything is read: a field that cannot be taken is a typing slip."""
    if unknown := [field for field in take_fields if field not in TAKEABLE]:
        raise InvalidInput(
            f"Champ à reprendre inconnu : {', '.join(f'« {echoed(f)} »' for f in unknown)}"
            f" (attendus : {', '.join(TAKEABLE)}) : rien n'a été fusionné.",
            field="take_fields",
        )


class MergeNotFound(NotFound):
    code = "merge_not_found"
    title = "Fusion introuvable"


class MergeRefused(Conflict):
    code = "merge_refused"
    title = "Fusion impossible"


def _primary_key(model: type[Base]) -> Any:
    return model.__mapper__.primary_key[0]


def _locked(db_session: Session, *ids: uuid.UUID) -> dict[uuid.UUID, Resident]:
    rows = db_session.scalars(
        select(Resident).where(Resident.id.in_(sorted(ids))).order_by(Resident.id)
        .with_for_update()
    )
    return {resident.id: resident for resident in rows}


def _check_mergeable(survivor: Resident, merged: Resident) -> None:
    if merged.id == survivor.id:
        raise MergeRefused("Un dossier ne peut pas être fusionné avec lui-même")
    for resident, role in ((merged, "à fusionner"), (survivor, "conservé")):
        if resident.status == ResidentStatus.MERGED:
            raise MergeRefused(f"Le dossier {role} a déjà été fusionné dans un autre",
                               resident_id=str(resident.id))
        if resident.status == ResidentStatus.ERASED:
            raise MergeRefused(f"Le dossier {role} a été effacé", resident_id=str(resident.id))


def merge(
    *, db_session: Session, actor: Actor, survivor_id: uuid.UUID, merged_id: uuid.UUID,
    reason: str, take_fields: Sequence[str] = (),
) -> ResidentMerge:
    """Confirmed by an agent: move everything of `merged_id` onto the survivor."""
    check_takeable(take_fields)
    survivor_id, _ = resolve_id(db_session=db_session, resident_id=survivor_id)
    get(db_session=db_session, resident_id=merged_id)  # 404 when unknown
    records = _locked(db_session, survivor_id, merged_id)
    survivor, merged = records[survivor_id], records.get(merged_id, records[survivor_id])
    _check_mergeable(survivor, merged)
    verdict = explain(db_session=db_session, first_id=survivor.id, second_id=merged.id)
    if not verdict.names_agree:
        raise MergeRefused(
            "Les noms des deux dossiers ne concordent pas : une adresse e-mail ou un numéro"
            " partagés ne suffisent jamais (les familles les partagent). Corrigez d'abord"
            " l'identité (nom de naissance, prénom) si c'est bien la même personne.",
            comparisons=[asdict(c) for c in verdict.comparisons],
        )
    record = ResidentMerge(
        survivor_id=survivor.id, merged_id=merged.id, merged_by_agent_id=actor.agent_id,
        reason=reason, evidence={
            "weight": verdict.weight, "probability": round(verdict.probability, 4),
            "decision": verdict.decision,
            "comparisons": [asdict(c) for c in verdict.comparisons],
        },
        fields_taken=_take(survivor, merged, take_fields) or None,
    )
    db_session.add(record)
    db_session.flush()
    for movable in MOVABLE:
        _move(db_session, movable, record, merged.id, survivor.id)
    merged.status = ResidentStatus.MERGED
    merged.merged_into_id = survivor.id
    for resident, note in ((merged, f"fusionné dans {survivor.id}"),
                           (survivor, f"a reçu le dossier {merged.id}")):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=AccessOperation.MERGE_RESIDENT, reason=f"{note} : {reason}")
    reindex_residents(db_session=db_session, resident_ids=[survivor.id, merged.id])
    return record


def _take(survivor: Resident, merged: Resident, groups: Sequence[str]) -> dict[str, Any]:
    taken: dict[str, Any] = {}
    for group in dict.fromkeys(groups):
        for column in TAKEABLE[group]:
            old, new = getattr(survivor, column), getattr(merged, column)
            if new is not None and new != old:
                setattr(survivor, column, new)
                taken[column] = [_jsonable(old), _jsonable(new)]
    return taken


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def _move(
    db_session: Session, movable: Movable, record: ResidentMerge, source: uuid.UUID,
    target: uuid.UUID,
) -> None:
    model, key = movable.model, _primary_key(movable.model)
    rows = db_session.execute(
        select(key, *(getattr(model, c) for c in movable.same_as))
        .where(model.resident_id == source)  # type: ignore[attr-defined]
    ).all()
    if movable.same_as:
        held = {tuple(row) for row in db_session.execute(
            select(*(getattr(model, c) for c in movable.same_as))
            .where(model.resident_id == target)  # type: ignore[attr-defined]
        )}
        rows = [row for row in rows if tuple(row[1:]) not in held]
    ids = [row[0] for row in rows]
    if not ids:
        return
    db_session.execute(
        update(model).where(key.in_(ids)).values(resident_id=target),
        execution_options={"synchronize_session": "fetch"},
    )
    db_session.add_all(
        ResidentMergeMove(merge_id=record.id, table_name=model.__tablename__, row_id=str(i))
        for i in ids
    )


def unmerge(
    *, db_session: Session, actor: Actor, merge_id: uuid.UUID, reason: str
) -> ResidentMerge:
    """Give each record back what it had: the rows the merge moved, the fields it copied."""
    record = db_session.get(ResidentMerge, merge_id, with_for_update=True)
    if record is None:
        raise MergeNotFound(f"Aucune fusion n'a l'identifiant {merge_id}")
    if record.undone_at is not None:
        raise MergeRefused("Cette fusion a déjà été annulée")
    records = _locked(db_session, record.survivor_id, record.merged_id)
    survivor, merged = records[record.survivor_id], records[record.merged_id]
    if survivor.status != ResidentStatus.ACTIVE:
        raise MergeRefused(
            "Le dossier conservé a depuis été fusionné ou effacé : annulez d'abord cette"
            " opération-là", resident_id=str(survivor.id),
        )
    if merged.status != ResidentStatus.MERGED or merged.merged_into_id != survivor.id:
        raise MergeRefused("Le dossier fusionné a été modifié depuis : annulation impossible")
    moves = db_session.scalars(
        select(ResidentMergeMove).where(ResidentMergeMove.merge_id == record.id)
    ).all()
    by_table: dict[str, list[str]] = {}
    for move in moves:
        by_table.setdefault(move.table_name, []).append(move.row_id)
    for table, row_ids in by_table.items():
        model = _BY_TABLE[table].model
        key = _primary_key(model)
        values = [key.type.python_type(i) if key.type.python_type is not str else i
                  for i in row_ids]
        db_session.execute(
            update(model).where(key.in_(values),
                                model.resident_id == survivor.id)  # type: ignore[attr-defined]
            .values(resident_id=merged.id),
            execution_options={"synchronize_session": "fetch"},
        )
    for column, (old, new) in (record.fields_taken or {}).items():
        current = _jsonable(getattr(survivor, column))
        if current == new:  # an agent's later correction wins over the undo
            setattr(survivor, column, date.fromisoformat(old) if column == "birth_date"
                    and old else old)
    merged.status = ResidentStatus.ACTIVE
    merged.merged_into_id = None
    record.undone_at = utcnow()
    record.undone_by_agent_id = actor.agent_id
    record.undo_reason = reason
    for resident in (survivor, merged):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=AccessOperation.UNMERGE_RESIDENT,
                      reason=f"annulation de la fusion {record.id} : {reason}")
    reindex_residents(db_session=db_session, resident_ids=[survivor.id, merged.id])
    return record


def describe(*, db_session: Session, merge_id: uuid.UUID) -> dict[str, Any]:
    record = db_session.get(ResidentMerge, merge_id)
    if record is None:
        raise MergeNotFound(f"Aucune fusion n'a l'identifiant {merge_id}")
    moved = Counter(db_session.scalars(
        select(ResidentMergeMove.table_name).where(ResidentMergeMove.merge_id == merge_id)
    ))
    return {
        "id": record.id, "survivor_id": record.survivor_id, "merged_id": record.merged_id,
        "merged_at": record.merged_at, "merged_by_agent_id": record.merged_by_agent_id,
        "reason": record.reason, "moved": dict(sorted(moved.items())),
        "fields_taken": record.fields_taken, "evidence": record.evidence,
        "undone_at": record.undone_at, "undone_by_agent_id": record.undone_by_agent_id,
        "undo_reason": record.undo_reason,
    }
