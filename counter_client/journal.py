"""The offline journal: visits and new requests are written here first, then sent.

Every entry is committed to a local SQLite file (WAL, synchronous=FULL) before the agent
sees "enregistré", so killing the app loses nothing. Each entry carries an idempotency
key that the server honours (`POST /interactions`, `POST /cases`): an entry sent twice,
because the answer was lost or the app died between sending and marking, is recorded once.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from counter_client.private_files import FOLDER_MODE, create_private_file
from crm_core.client import ApiError, RelaisClient, ServerUnreachable

SCHEMA = """
CREATE TABLE IF NOT EXISTS entry (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    result TEXT
)
"""


class EntryKind(StrEnum):
    INTERACTION = "interaction"
    CASE = "case"


class EntryState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"  # the server refused it: kept, shown to the agent
    DISMISSED = "dismissed"  # a refused entry the agent set aside: kept in the file


@dataclass(frozen=True)
class JournalEntry:
    id: int
    key: str
    kind: EntryKind
    payload: dict[str, Any]
    created_at: str
    state: EntryState
    error: str | None = None
    result: dict[str, Any] | None = None


@dataclass
class SyncReport:
    sent: list[JournalEntry] = field(default_factory=list)
    rejected: list[JournalEntry] = field(default_factory=list)
    unreachable: bool = False
    auth_expired: bool = False


class Journal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        create_private_file(path)  # notes about residents: SQLite's side files copy its mode
        self.path = path
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)
        self._sync_lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, kind: EntryKind, payload: dict[str, Any]) -> JournalEntry:
        """Durably stored when this returns. The time it happened (`occurred_at` of a
        visit, `opened_at` of a request) is set now if absent, so a late sync keeps it."""
        key = f"counter-{uuid.uuid4().hex}"
        created = datetime.now(UTC).isoformat()
        when = "occurred_at" if kind is EntryKind.INTERACTION else "opened_at"
        payload = {when: created, **payload}
        text = json.dumps(payload, default=str)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entry (key, kind, payload, created_at) VALUES (?, ?, ?, ?)",
                (key, kind.value, text, created),
            )
        return JournalEntry(
            id=int(cursor.lastrowid or 0), key=key, kind=kind, payload=json.loads(text),
            created_at=created, state=EntryState.PENDING,
        )

    def entries(self, state: EntryState | None = None) -> list[JournalEntry]:
        query = "SELECT id, key, kind, payload, created_at, state, error, result FROM entry"
        params: tuple[str, ...] = ()
        if state is not None:
            query += " WHERE state = ?"
            params = (state.value,)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY id", params).fetchall()
        return [
            JournalEntry(
                id=row[0], key=row[1], kind=EntryKind(row[2]), payload=json.loads(row[3]),
                created_at=row[4], state=EntryState(row[5]), error=row[6],
                result=json.loads(row[7]) if row[7] else None,
            )
            for row in rows
        ]

    def count(self, state: EntryState = EntryState.PENDING) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT count(*) FROM entry WHERE state = ?", (state.value,)
            ).fetchone()
        return int(row[0])

    def retry(self, entry_id: int) -> None:
        """Send a refused entry again (e.g. once the case it names exists)."""
        self._move(entry_id, EntryState.REJECTED, EntryState.PENDING)

    def dismiss(self, entry_id: int) -> None:
        """Set a refused entry aside; it stays in the file, never sent."""
        self._move(entry_id, EntryState.REJECTED, EntryState.DISMISSED)

    def _move(self, entry_id: int, source: EntryState, target: EntryState) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE entry SET state = ? WHERE id = ? AND state = ?",
                (target.value, entry_id, source.value),
            )

    def _finish(self, entry_id: int, state: EntryState, *, error: str | None = None,
                result: dict[str, Any] | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE entry SET state = ?, error = ?, result = ?, attempts = attempts + 1"
                " WHERE id = ?",
                (state.value, error, json.dumps(result, default=str) if result else None,
                 entry_id),
            )

    def sync(self, client: RelaisClient) -> SyncReport:
        """Send pending entries in order; stop at the first sign the server is away."""
        report = SyncReport()
        if not self._sync_lock.acquire(blocking=False):
            return report  # another sync is running
        try:
            for entry in self.entries(EntryState.PENDING):
                try:
                    result = _send(client, entry)
                except ServerUnreachable:
                    report.unreachable = True
                    break
                except ApiError as exc:
                    if exc.status == 401:
                        report.auth_expired = True
                        break
                    if exc.status >= 500 or exc.status in (408, 429):
                        report.unreachable = exc.status >= 500
                        break  # retried later, in order
                    self._finish(entry.id, EntryState.REJECTED, error=exc.message)
                    report.rejected.append(entry)
                    continue
                self._finish(entry.id, EntryState.SENT, result=result)
                report.sent.append(entry)
        finally:
            self._sync_lock.release()
        return report


def _send(client: RelaisClient, entry: JournalEntry) -> dict[str, Any]:
    if entry.kind is EntryKind.INTERACTION:
        return client.record_interaction(**entry.payload, idempotency_key=entry.key)
    return client.open_case(**entry.payload, idempotency_key=entry.key)
