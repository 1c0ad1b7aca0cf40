"""The desk's offline journal: call logs and call-backs saved while the server is away.

A private SQLite file (folder 0700, file 0600, as the counter's data folder) keeps each
item with the agent who made it; only that agent's session sends it, once the server is
back. Sent exactly once: a call log is answered with the first log when sent again (the
server keys it by the call), and a call-back the server may already hold (an answer lost
on the way) is looked for among the agent's pending call-backs before it is sent again.

The counter's journal (counter_client.journal) holds visits and requests with their own
idempotency keys; the desk's items need none of that machinery, so it keeps its own.
"""

from __future__ import annotations

import json
import sqlite3
import threading
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from crm_core.client import ApiError, ServerUnreachable
from crm_core.client.private_files import FOLDER_MODE, create_private_file
from crm_core.client.telephony import PhoneClient

SCHEMA = """
CREATE TABLE IF NOT EXISTS item (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    kind TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    error TEXT,
    agent TEXT NOT NULL,
    agent_name TEXT NOT NULL
)
"""


class ItemKind(StrEnum):
    CALL_LOG = "call_log"
    CALLBACK = "callback"


class ItemState(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    REJECTED = "rejected"  # refused by the server: kept, with its reason, for the agent
    DISCARDED = "discarded"  # a refused item the agent set aside or sent again corrected


@dataclass(frozen=True)
class DeskItem:
    id: int
    key: str
    kind: ItemKind
    payload: dict[str, Any]
    created_at: str
    state: ItemState
    agent: str
    agent_name: str
    error: str | None = None


@dataclass
class DeskSyncReport:
    sent: list[DeskItem] = field(default_factory=list)
    rejected: list[DeskItem] = field(default_factory=list)
    unreachable: bool = False
    auth_expired: bool = False


class DeskJournal:
    def __init__(self, path: Path) -> None:
        path.parent.mkdir(mode=FOLDER_MODE, parents=True, exist_ok=True)
        create_private_file(path)  # notes about residents: SQLite's side files copy its mode
        self.path = path
        self._lock = threading.Lock()
        self._sync_lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=FULL")
        self._db.execute(SCHEMA)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def add(self, kind: ItemKind, payload: dict[str, Any], *, agent: str,
            agent_name: str) -> DeskItem:
        """Durably stored when this returns; `agent` (a username) owns the item."""
        key = f"desk-{uuid.uuid4().hex}"
        created = datetime.now(UTC).isoformat()
        text = json.dumps(payload, default=str)
        with self._lock:
            cursor = self._db.execute(
                "INSERT INTO item (key, kind, payload, created_at, agent, agent_name)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (key, kind.value, text, created, agent, agent_name or agent))
        return DeskItem(id=int(cursor.lastrowid or 0), key=key, kind=kind,
                        payload=json.loads(text), created_at=created,
                        state=ItemState.PENDING, agent=agent, agent_name=agent_name or agent)

    def items(self, *, agent: str | None = None,
              states: tuple[ItemState, ...] = (ItemState.PENDING, ItemState.REJECTED),
              ) -> list[DeskItem]:
        query = ("SELECT id, key, kind, payload, created_at, state, agent, agent_name, error"
                 " FROM item WHERE state != ? AND (? IS NULL OR agent = ?) ORDER BY id")
        # SENT rows are left out by the query; DISCARDED ones by `states`.
        with self._lock:
            rows = self._db.execute(query, (ItemState.SENT.value, agent, agent)).fetchall()
        wanted = {state.value for state in states}
        return [DeskItem(id=row[0], key=row[1], kind=ItemKind(row[2]),
                         payload=json.loads(row[3]), created_at=row[4],
                         state=ItemState(row[5]), agent=row[6], agent_name=row[7],
                         error=row[8]) for row in rows if row[5] in wanted]

    def count(self, *, agent: str) -> int:
        """Items waiting to be sent in `agent`'s session."""
        return len(self.items(agent=agent, states=(ItemState.PENDING,)))

    def waiting_for_others(self, agent: str) -> list[tuple[str, int]]:
        """(name, how many) of the pending items other agents made on this desk."""
        with self._lock:
            rows = self._db.execute(
                "SELECT agent_name, count(*) FROM item WHERE state = ? AND agent != ?"
                " GROUP BY agent ORDER BY min(id)", (ItemState.PENDING.value, agent),
            ).fetchall()
        return [(str(row[0]), int(row[1])) for row in rows]

    def discard(self, item_id: int, *, agent: str) -> None:
        """Set aside one of `agent`'s refused items (kept in the file for the record)."""
        with self._lock:
            self._db.execute("UPDATE item SET state = ? WHERE id = ? AND agent = ? AND state = ?",
                             (ItemState.DISCARDED.value, item_id, agent,
                              ItemState.REJECTED.value))

    def _finish(self, item_id: int, state: ItemState, error: str | None = None) -> None:
        with self._lock:
            self._db.execute("UPDATE item SET state = ?, error = ? WHERE id = ?",
                             (state.value, error, item_id))

    def _tried(self, item_id: int) -> None:
        with self._lock:
            self._db.execute("UPDATE item SET attempts = attempts + 1 WHERE id = ?",
                             (item_id,))

    def sync(self, client: PhoneClient, *, agent: str) -> DeskSyncReport:
        """Send `agent`'s pending items in order; stop at the first sign the server is
        away. The client's token is that agent's: another agent's items wait for them."""
        report = DeskSyncReport()
        if not self._sync_lock.acquire(blocking=False):
            return report  # another sync is running
        try:
            for item in self.items(agent=agent, states=(ItemState.PENDING,)):
                try:
                    self._send(client, item)
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
                    self._finish(item.id, ItemState.REJECTED, exc.message)
                    # The report carries the reason: the toast says it (it said « None »).
                    report.rejected.append(replace(item, state=ItemState.REJECTED,
                                                   error=exc.message))
                    continue
                self._finish(item.id, ItemState.SENT)
                report.sent.append(item)
        finally:
            self._sync_lock.release()
        return report

    def _send(self, client: PhoneClient, item: DeskItem) -> None:
        payload = dict(item.payload)
        if item.kind is ItemKind.CALL_LOG:
            call = payload.pop("call")
            client.log_call(call, **payload)
            return
        if self._attempts(item.id) and _already_there(client, payload):
            return  # the last try reached the server, its answer did not come back
        self._tried(item.id)
        payload["due_at"] = datetime.fromisoformat(payload["due_at"])
        client.create_callback(**payload)

    def _attempts(self, item_id: int) -> int:
        with self._lock:
            row = self._db.execute("SELECT attempts FROM item WHERE id = ?",
                                   (item_id,)).fetchone()
        return int(row[0]) if row else 0


def _already_there(client: PhoneClient, payload: dict[str, Any]) -> bool:
    """The server has no idempotency key for call-backs: the same reason, due time and
    resident among the pending call-backs is this one, recorded by an earlier try."""
    due = datetime.fromisoformat(payload["due_at"])
    for callback in client.callbacks():
        if (callback.get("reason") == payload["reason"]
                and datetime.fromisoformat(str(callback["due_at"])) == due
                and str(callback.get("resident_id") or "") == str(payload.get("resident_id")
                                                                  or "")):
            return True
    return False
