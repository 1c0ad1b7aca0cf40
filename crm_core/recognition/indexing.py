"""Keeping `search_key` and the vocabulary in step with residents.

`reindex_residents` is called by the resident services after every create, update and
new contact point, and by merges; `rebuild_search_keys` recomputes everything after a
bulk load (`relais residents reindex`). Only active residents carry keys; a survivor
also carries the names of the records merged into it, so an old spelling still finds it.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, delete, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from crm_core.recognition.keys import (
    KeyKind,
    email_key,
    name_keys,
    phone_keys,
    vocabulary_keys,
)
from crm_core.recognition.models import ResidentMerge, SearchKey, SearchTokenKey
from crm_core.residents.enums import ContactKind, ResidentStatus
from crm_core.residents.models import ContactPoint, Resident

MAX_ALIAS_DEPTH = 10


@dataclass
class KeySource:
    """Everything the keys of one resident are computed from."""

    resident_id: uuid.UUID
    birth_date: date | None
    names: list[tuple[str | None, str | None, str | None]] = field(default_factory=list)
    phones: list[str] = field(default_factory=list)
    emails: list[str] = field(default_factory=list)

    def rows(self) -> dict[str, KeyKind]:
        keys: dict[str, KeyKind] = {}
        for given, family, birth in self.names:
            for key, kind in name_keys(given, family, birth):
                keys.setdefault(key, kind)
        for phone in self.phones:
            keys.update(dict.fromkeys(phone_keys(phone), KeyKind.PHONE))
        for address in self.emails:
            local = email_key(address)
            if local:
                keys[local] = KeyKind.EMAIL
        return keys


def reindex_residents(*, db_session: Session, resident_ids: Collection[uuid.UUID]) -> None:
    """Recompute the keys of these residents (flushed state) inside the session's
    transaction. Merged or erased residents lose their keys."""
    if not resident_ids:
        return
    db_session.flush()
    connection = db_session.connection()
    ids = sorted(set(resident_ids))
    connection.execute(delete(SearchKey).where(SearchKey.resident_id.in_(ids)))
    sources = _load_sources(connection, ids)
    rows: list[dict[str, object]] = []
    new_tokens: set[str] = set()
    for source in sources:
        for key, kind in source.rows().items():
            rows.append({"resident_id": source.resident_id, "key": key, "kind": int(kind),
                         "birth_date": source.birth_date})
            if kind is KeyKind.TOKEN:
                new_tokens.add(key)
    if rows:
        connection.execute(insert(SearchKey), rows)
    ensure_vocabulary(connection, new_tokens)


def _load_sources(connection: Connection, ids: list[uuid.UUID]) -> list[KeySource]:
    sources = {
        row.id: KeySource(row.id, row.birth_date, [(row.given_name, row.family_name,
                                                     row.birth_name)])
        for row in connection.execute(
            select(Resident.id, Resident.given_name, Resident.family_name, Resident.birth_name,
                   Resident.birth_date)
            .where(Resident.id.in_(ids), Resident.status == ResidentStatus.ACTIVE)
        )
    }
    if not sources:
        return []
    for survivor_id, names in alias_names(connection, list(sources)).items():
        sources[survivor_id].names.extend(names)
    for row in connection.execute(
        select(ContactPoint.resident_id, ContactPoint.kind, ContactPoint.value)
        .where(ContactPoint.resident_id.in_(list(sources)),
               ContactPoint.kind.in_([ContactKind.PHONE, ContactKind.EMAIL]))
    ):
        target = sources[row.resident_id]
        (target.phones if row.kind == ContactKind.PHONE else target.emails).append(row.value)
    return list(sources.values())


def alias_names(
    connection: Connection, survivor_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[tuple[str | None, str | None, str | None]]]:
    """Names of the records merged (directly or through a chain) into each survivor."""
    aliases: dict[uuid.UUID, list[tuple[str | None, str | None, str | None]]] = {}
    root_of = {survivor: survivor for survivor in survivor_ids}
    frontier = list(survivor_ids)
    for _ in range(MAX_ALIAS_DEPTH):
        if not frontier:
            break
        rows = connection.execute(
            select(ResidentMerge.survivor_id, Resident.id, Resident.given_name,
                   Resident.family_name, Resident.birth_name)
            .join(Resident, Resident.id == ResidentMerge.merged_id)
            .where(ResidentMerge.survivor_id.in_(frontier), ResidentMerge.undone_at.is_(None),
                   Resident.status == ResidentStatus.MERGED)
        ).all()
        frontier = []
        for row in rows:
            root = root_of[row.survivor_id]
            root_of[row.id] = root
            aliases.setdefault(root, []).append(
                (row.given_name, row.family_name, row.birth_name)
            )
            frontier.append(row.id)
    return aliases


def ensure_vocabulary(connection: Connection, new_tokens: Iterable[str]) -> None:
    """Add the vocabulary keys of tokens not seen before (concurrent writers welcome)."""
    wanted = sorted(set(new_tokens))
    if not wanted:
        return
    known = set(connection.scalars(
        select(SearchTokenKey.key).where(
            SearchTokenKey.key.in_(wanted), SearchTokenKey.token == SearchTokenKey.key
        )
    ))
    rows = sorted(
        (key, token) for token in wanted if token not in known
        for key in vocabulary_keys(token)
    )
    if not rows:
        return
    module = postgresql if connection.dialect.name == "postgresql" else sqlite
    statement = module.insert(SearchTokenKey).on_conflict_do_nothing()
    connection.execute(statement, [{"key": key, "token": token} for key, token in rows])
