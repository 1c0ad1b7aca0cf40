"""French words of the phone desk; the shared catalogue is `crm_core.client.tui.labels`."""

from __future__ import annotations

from datetime import tzinfo
from typing import Any

from crm_core.client.tui.labels import local_datetime

CALL_STATUSES = {
    "ringing": "☎ sonne", "answered": "● en ligne", "completed": "✓ terminé",
    "abandoned": "✗ raccroché avant réponse", "not_answered": "✗ sans réponse",
}
DIRECTIONS = {"in": "entrant", "out": "sortant"}
CALLBACK_STATUSES = {"pending": "à faire", "done": "fait", "cancelled": "annulé"}
# Outcomes the agent may choose when logging a call.
# (label, code) pairs, as Textual's Select takes them.
CALL_OUTCOMES = (
    ("Information donnée", "informed"), ("Demande ouverte", "case_opened"),
    ("Demande mise à jour", "case_updated"), ("Résolu", "resolved"),
    ("Réorienté", "redirected"), ("Rappel prévu", "callback_scheduled"), ("Autre", "other"),
)


def call_status(code: str | None) -> str:
    return CALL_STATUSES.get(code or "", code or "—")


def hour(value: Any, *, zone: tzinfo) -> str:
    """'14:05' for a timestamp of today (the desk's lists are the day's)."""
    text = local_datetime(value, zone=zone)
    return text.split(" ")[-1] if text else "—"


def match_line(match: dict[str, Any] | None) -> str:
    if not match:
        return ""
    kind = match.get("kind")
    if kind == "resident" and match.get("resident"):
        who = match["resident"]
        return f"{who['given_name']} {who['family_name']}"
    if kind == "candidates":
        return f"{len(match.get('candidates', []))} usagers partagent ce numéro : choisissez"
    if kind == "unknown":
        return "Numéro inconnu : cherchez l'usager par son nom"
    return "Appelant non identifiable : cherchez l'usager par son nom"
