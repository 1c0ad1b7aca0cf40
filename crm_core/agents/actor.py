"""Who is acting: an authenticated agent at a site, or the system itself (connectors)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from crm_core.agents.enums import ROLE_PERMISSIONS, Permission, Role
from crm_core.channels import Channel

_DEFAULT_CHANNEL = {Role.COUNTER: Channel.COUNTER, Role.PHONE: Channel.PHONE}


@dataclass(frozen=True, slots=True)
class Actor:
    username: str
    agent_id: uuid.UUID | None = None
    role: Role | None = None
    site_id: uuid.UUID | None = None
    # A session opened with a password someone else set: it may only change it.
    must_change_password: bool = False

    @property
    def channel(self) -> Channel | None:
        """The channel this agent works on by default (a counter agent is at the counter)."""
        return _DEFAULT_CHANNEL.get(self.role) if self.role else None

    def may_replay(self, owner_id: uuid.UUID | None) -> bool:
        """Whether this actor may replay an idempotency key first sent by `owner_id`. A
        key belongs to the agent who sent it: another agent's replay would be answered
        with a record that is not theirs. A supervisor may, relaying the offline work of
        an agent who left (the counter's journal sends it under its author's key)."""
        return owner_id == self.agent_id or self.role is Role.SUPERVISOR

    def can(self, permission: Permission) -> bool:
        if self.role is None:  # the system (connectors, jobs) acts on its own authority
            return True
        return permission in ROLE_PERMISSIONS[self.role]


SYSTEM = Actor(username="system")
# The operator at the server's console (`relais agent add`): a trusted path, logged as such.
CONSOLE = Actor(username="console")
