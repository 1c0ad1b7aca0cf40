"""The agent's session token, kept for the working day in a file only they can read.

A restart of the app the same day (or a crash) does not ask for the password again;
sign-out deletes it. The token itself expires on the server (`RELAIS_TOKEN_TTL_MINUTES`).
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path


@dataclass(frozen=True)
class StoredSession:
    server_url: str
    token: str
    username: str
    display_name: str
    site_code: str | None
    expires_at: str  # ISO 8601, UTC
    role: str = "counter"  # files from before the role was kept: the least trusted
    timezone: str = "Europe/Paris"  # the city's (`/auth/me`); files from before: Paris

    @property
    def supervisor(self) -> bool:
        return self.role == "supervisor"

    @property
    def expired(self) -> bool:
        return datetime.fromisoformat(self.expires_at) <= datetime.now(UTC)


class SessionStore:
    def __init__(self, path: Path) -> None:
        self.path = path

    def save(
        self, *, server_url: str, session: dict[str, object], username: str
    ) -> StoredSession:
        expires = datetime.now(UTC) + timedelta(seconds=int(str(session["expires_in"])))
        stored = StoredSession(
            server_url=server_url, token=str(session["access_token"]), username=username,
            display_name=str(session.get("display_name") or username),
            site_code=str(session["site_code"]) if session.get("site_code") else None,
            expires_at=expires.isoformat(), role=str(session.get("role") or "counter"),
            timezone=str(session.get("timezone") or "Europe/Paris"),
        )
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        temporary = self.path.with_suffix(".tmp")
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
            json.dump(asdict(stored), handle)
        temporary.replace(self.path)
        return stored

    def load(self, *, server_url: str) -> StoredSession | None:
        try:
            data = json.loads(self.path.read_text(encoding="utf-8"))
            stored = StoredSession(**data)
        except (OSError, ValueError, TypeError):
            return None
        if stored.server_url != server_url or stored.expired:
            return None
        return stored

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)
