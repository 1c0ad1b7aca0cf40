"""A fake Démarches Simplifiées API: dossiers held in memory, paged by two."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from integrations.connectors.ds.backend import DsError, Page


@dataclass
class FakeDsBackend:
    by_number: dict[int, dict[str, Any]] = field(default_factory=dict)

    def dossier(self, number: int) -> dict[str, Any]:
        if number not in self.by_number:
            raise DsError(f"Dossier {number} introuvable")
        return self.by_number[number]

    def dossiers(self, demarche: int, *, updated_since: datetime | None,
                 after: str | None) -> Page:
        nodes = sorted(
            (d for d in self.by_number.values() if d["demarche"]["number"] == demarche
             and (updated_since is None or datetime.fromisoformat(
                 d["dateDerniereModification"]) >= updated_since)),
            key=lambda d: d["dateDerniereModification"])
        start = int(after or 0)
        return Page(nodes[start:start + 2], start + 2 < len(nodes), str(start + 2))

    def dossier_state(self, number: int) -> tuple[str, str]:
        found = self.dossier(number)
        return str(found["id"]), str(found["state"])

    def change_state(self, mutation: str, variables: dict[str, Any]) -> str:
        target = FAKE_MUTATION_STATES[mutation]
        for found in self.by_number.values():
            if found["id"] == variables.get("dossierId"):
                found["state"] = target
                return target
        raise DsError("Dossier introuvable")


FAKE_MUTATION_STATES = {
    "dossierPasserEnInstruction": "en_instruction", "dossierRepasserEnInstruction":
    "en_instruction", "dossierAccepter": "accepte", "dossierRefuser": "refuse",
    "dossierClasserSansSuite": "sans_suite",
}
