"""A fake w.c.s. API: forms held in memory, triggers recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.connectors.wcs.backend import WcsError


@dataclass
class FakeWcsBackend:
    forms: dict[str, dict[str, Any]] = field(default_factory=dict)
    triggered: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)

    def fetch_form(self, form_id: str) -> dict[str, Any]:
        if form_id not in self.forms:
            raise WcsError("w.c.s. a répondu 404")
        return self.forms[form_id]

    def trigger(self, form_id: str, trigger: str, payload: dict[str, Any]) -> int:
        self.triggered.append((form_id, trigger, payload))
        return 200
