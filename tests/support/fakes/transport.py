"""A fake outbound transport: records what would be sent, answers scripted statuses."""

from __future__ import annotations

from dataclasses import dataclass, field

from integrations.outbox.transport import Outgoing, SendResult
from integrations.settings import SourceConfig


@dataclass
class FakeTransport:
    """Records what would be sent; answers with the scripted status codes in turn."""

    answers: list[int] = field(default_factory=list)
    sent: list[Outgoing] = field(default_factory=list)

    def send(self, config: SourceConfig, event: Outgoing) -> SendResult:
        self.sent.append(event)
        status = self.answers.pop(0) if self.answers else 200
        return SendResult(ok=200 <= status < 300, status_code=status,
                          error=None if 200 <= status < 300 else f"HTTP {status}")
