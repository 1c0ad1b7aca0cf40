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
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, Self

from crm_core.client import ApiError, RelaisClient, ServerUnreachable
from crm_core.client.private_files import FOLDER_MODE, create_private_file

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
    result TEXT,
    agent TEXT,
    agent_name TEXT,
    handled_by TEXT
)
"""
# Files written before these columns existed: they are added in place.
OWNER_COLUMNS = ("agent", "agent_name", "handled_by")
# Said in the note of what a supervisor sends for an agent who left: the server records
# the sender (the session's agent), the note keeps who entered it offline.
RELAYED = "[Saisi hors ligne au guichet par {author}, transmis par {by}.]"
DISCARDED = "Écarté par {by} le {when} (saisi par {name}, qui ne revient pas sur ce poste)."



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
    agent: str | None = None  # username of the agent who made it; None: older file
    agent_name: str | None = None
    handled_by: str | None = None  # supervisor who sent or discarded it for its author


@dataclass(frozen=True)
class LeftBehind:
    """Pending entries of one other agent, waiting on this workstation."""

    agent: str
    agent_name: str
    count: int
    since: str  # created_at of the oldest


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
        columns = {row[1] for row in self._db.execute("PRAGMA table_info(entry)")}
        for column in OWNER_COLUMNS:
            if column not in columns:
                self._db.execute(f"ALTER TABLE entry ADD COLUMN {column} TEXT")
        self._sync_lock = threading.Lock()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def add(self, kind: EntryKind, payload: dict[str, Any], *, agent: str | None = None,
            agent_name: str | None = None) -> JournalEntry:
        """Durably stored when this returns. The time it happened (`occurred_at` of a
        visit, `opened_at` of a request) is set now if absent, so a late sync keeps it.
        `agent` (a username) owns the entry: only that agent's session sends it."""
        key = f"counter-{uuid.uuid4().hex}"
        created = datetime.now(UTC).isoformat()
        when = "occurred_at" if kind is EntryKind.INTERACTION else "opened_at"
        payload = {when: created, **payload}
        text = json.dumps(payload, default=str)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO entry (key, kind, payload, created_at, agent, agent_name)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind.value, text, created, agent, agent_name or agent),
            )
        return JournalEntry(
            id=int(cursor.lastrowid or 0), key=key, kind=kind, payload=json.loads(text),
            created_at=created, state=EntryState.PENDING, agent=agent,
            agent_name=agent_name or agent,
        )

    def entries(self, state: EntryState | None = None) -> list[JournalEntry]:
        query = ("SELECT id, key, kind, payload, created_at, state, error, result, agent,"
                 " agent_name, handled_by FROM entry")
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
                result=json.loads(row[7]) if row[7] else None, agent=row[8],
                agent_name=row[9], handled_by=row[10],
            )
            for row in rows
        ]

    def count(self, state: EntryState = EntryState.PENDING, *,
              agent: str | None = None) -> int:
        """Entries in `state`; with `agent`, only those that agent's session may send."""
        query = "SELECT count(*) FROM entry WHERE state = ?"
        params: tuple[str, ...] = (state.value,)
        if agent is not None:
            query += " AND (agent = ? OR agent IS NULL)"
            params += (agent,)
        with self._lock:
            row = self._db.execute(query, params).fetchone()
        return int(row[0])

    def waiting_for_others(self, agent: str | None) -> list[tuple[str, int]]:
        """Pending entries other agents made: (their name, how many), kept for them."""
        with self._lock:
            rows = self._db.execute(
                "SELECT coalesce(agent_name, agent), count(*) FROM entry"
                " WHERE state = ? AND agent IS NOT NULL AND agent IS NOT ?"
                " GROUP BY agent ORDER BY min(id)",
                (EntryState.PENDING.value, agent),
            ).fetchall()
        return [(str(row[0]), int(row[1])) for row in rows]

    def left_behind(self, agent: str | None) -> list[LeftBehind]:
        """Pending entries of agents other than `agent`, one line per author."""
        with self._lock:
            rows = self._db.execute(
                "SELECT agent, coalesce(agent_name, agent), count(*), min(created_at)"
                " FROM entry WHERE state = ? AND agent IS NOT NULL AND agent IS NOT ?"
                " GROUP BY agent ORDER BY min(id)",
                (EntryState.PENDING.value, agent),
            ).fetchall()
        return [LeftBehind(str(r[0]), str(r[1]), int(r[2]), str(r[3])) for r in rows]

    def discard_left_behind(self, *, author: str, by: str) -> int:
        """A supervisor sets aside what `author` left pending: kept in the file, marked
        with who did it and when, never sent. Returns how many."""
        when = datetime.now(UTC).isoformat(timespec="seconds")
        with self._lock:
            names = self._db.execute(
                "SELECT coalesce(agent_name, agent) FROM entry WHERE agent = ?", (author,)
            ).fetchone()
            trace = DISCARDED.format(by=by, when=when, name=names[0] if names else author)
            cursor = self._db.execute(
                "UPDATE entry SET state = ?, error = ?, handled_by = ?"
                " WHERE state = ? AND agent = ?",
                (EntryState.DISMISSED.value, trace, by, EntryState.PENDING.value, author),
            )
        return cursor.rowcount

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
                result: Mapping[str, Any] | None = None, by: str | None = None) -> None:
        with self._lock:
            self._db.execute(
                "UPDATE entry SET state = ?, error = ?, result = ?, attempts = attempts + 1,"
                " handled_by = coalesce(?, handled_by) WHERE id = ?",
                (state.value, error, json.dumps(result, default=str) if result else None,
                 by, entry_id),
            )

    def sync(self, client: RelaisClient, *, agent: str | None = None) -> SyncReport:
        """Send pending entries in order; stop at the first sign the server is away.

        Only `agent`'s own entries (and those of files older than owners) go out: the
        client's token is that agent's, and another agent's visit must never be recorded
        under their name. The others wait for their author's next session."""
        return self._send_pending(
            client, lambda entry: entry.agent is None or entry.agent == agent)

    def send_left_behind(self, client: RelaisClient, *, author: str,
                         by: str) -> SyncReport:
        """A supervisor sends what `author` (gone, deactivated) left pending here. The
        client's session is the supervisor's, so the server records them as the sender;
        each note names `author`, who entered it offline (see RELAYED). Waits for a
        running sync rather than skipping."""
        return self._send_pending(client, lambda entry: entry.agent == author,
                                  relayed_by=by, wait=True)

    def _send_pending(self, client: RelaisClient, wanted: Callable[[JournalEntry], bool],
                      *, relayed_by: str | None = None, wait: bool = False) -> SyncReport:
        report = SyncReport()
        if not self._sync_lock.acquire(blocking=wait):
            return report  # another sync is running
        try:
            for entry in self.entries(EntryState.PENDING):
                if not wanted(entry):
                    continue
                try:
                    result = _send(client, entry, relayed_by)
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
                    self._finish(entry.id, EntryState.REJECTED, error=exc.message,
                                 by=relayed_by)
                    report.rejected.append(entry)
                    continue
                self._finish(entry.id, EntryState.SENT, result=result, by=relayed_by)
                report.sent.append(entry)
        finally:
            self._sync_lock.release()
        return report


def author_label(name: str | None, username: str | None) -> str:
    """« Léa Martin (lea) »; the username once only, when the name already shows it
    (the demo's « Élodie Martin (accueil) ») or is it."""
    if not username:
        return name or "un agent"
    if not name or name == username:
        return username
    return name if f"({username})" in name else f"{name} ({username})"


def _send(client: RelaisClient, entry: JournalEntry,
          relayed_by: str | None = None) -> Mapping[str, Any]:
    """The entry as its author made it; relayed by a supervisor, its note names the author
    (RELAYED). A relayed entry the server already holds under its key with another
    content was sent by its author (the answer was lost on the way): sent again as the
    author made it, it is an honest replay answered with the first record."""
    if relayed_by is None:
        return _post(client, entry, entry.payload)
    payload = dict(entry.payload)
    field_name = "note" if entry.kind is EntryKind.INTERACTION else "description"
    said = RELAYED.format(author=author_label(entry.agent_name, entry.agent), by=relayed_by)
    payload[field_name] = "\n".join(filter(None, [said, payload.get(field_name)]))
    # Made at this counter: a supervisor's session has no channel of its own.
    payload.setdefault("channel", "counter")
    try:
        return _post(client, entry, payload)
    except ApiError as exc:
        if exc.code != "idempotency_key_reused":
            raise
    return _post(client, entry, entry.payload)


def _post(client: RelaisClient, entry: JournalEntry,
          payload: Mapping[str, Any]) -> Mapping[str, Any]:
    if entry.kind is EntryKind.INTERACTION:
        return client.record_interaction(**payload, idempotency_key=entry.key)
    return client.open_case(**payload, idempotency_key=entry.key)
