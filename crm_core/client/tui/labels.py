"""The one catalogue of French words shown to agents, for the counter app and the phone desk.

The server speaks stable English codes (`in_progress`, `counter`...); this module turns them
into what an agent reads. Every status also gets a symbol, so that nothing is conveyed by
colour alone. Unknown codes are shown as they are rather than hidden.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, tzinfo
from typing import Any

CHANNELS = {
    "web": "en ligne", "counter": "guichet", "phone": "téléphone", "email": "e-mail",
    "mail": "courrier", "chat": "messagerie", "sms": "SMS",
}
OUTCOMES = {
    "informed": "information donnée", "case_opened": "demande ouverte",
    "case_updated": "demande mise à jour", "documents_received": "pièces reçues",
    "resolved": "résolu", "redirected": "réorienté", "callback_scheduled": "rappel prévu",
    "no_answer": "sans réponse", "submitted_online": "déposée en ligne", "other": "autre",
}
# Outcomes an agent may choose when recording a visit (others are set by the server).
VISIT_OUTCOMES = (
    "informed", "documents_received", "resolved", "redirected", "callback_scheduled", "other",
)
CASE_STATUSES = {
    "new": "nouvelle", "in_progress": "en cours", "waiting_resident": "attente usager",
    "resolved": "résolue", "closed": "clôturée",
}
# Symbols keep statuses readable without colour (and in monochrome terminals).
CASE_STATUS_SYMBOLS = {
    "new": "●", "in_progress": "◐", "waiting_resident": "⏸", "resolved": "✓", "closed": "■",
}
CASE_KINDS = {
    "request": "demande", "question": "question", "complaint": "réclamation",
    "idea": "idée", "praise": "remerciement",
}
CONTACT_KINDS = {"phone": "Tél.", "email": "E-mail", "postal": "Adresse"}
BADGE_KINDS = {"qr": "QR", "card": "carte"}
BADGE_STATUSES = {"active": "actif", "revoked": "révoqué", "expired": "expiré"}
BADGE_STATUS_SYMBOLS = {"active": "✓", "revoked": "✗", "expired": "⌛"}
RESIDENT_STATUSES = {"active": "actif", "merged": "fusionné", "erased": "effacé"}
FLAGS = {
    "no_phone_contact": "ne pas appeler",
    "no_email_contact": "pas de contact par e-mail",
    "overdue_case": "demande en retard",
    "waiting_for_resident": "pièces ou réponse attendues de l'usager",
    "merged": "dossier fusionné",
    "erased": "dossier effacé",
}
# Flags an agent must notice first (shown with "⚠", not only in colour).
URGENT_FLAGS = frozenset({"overdue_case", "waiting_for_resident", "merged", "erased"})
REASON_FIELDS = {
    "family_name": "nom", "given_name": "prénom", "birth_name": "nom de naissance",
    "birth_date": "naissance", "phone": "téléphone", "email": "e-mail",
    "reference": "référence", "commune": "commune",
}
TICKET_STATUSES = {
    "waiting": "en attente", "called": "appelé", "served": "servi", "abandoned": "parti",
}


def label(catalogue: dict[str, str], code: Any) -> str:
    """The French label of `code`, or the code itself when the catalogue lacks it."""
    text = str(code) if code is not None else ""
    return catalogue.get(text, text)


def case_status(code: Any) -> str:
    return f"{CASE_STATUS_SYMBOLS.get(str(code), '?')} {label(CASE_STATUSES, code)}"


def badge_status(code: Any) -> str:
    return f"{BADGE_STATUS_SYMBOLS.get(str(code), '?')} {label(BADGE_STATUSES, code)}"


def parse_datetime(value: Any) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value))


def parse_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def local_datetime(value: Any, *, zone: tzinfo) -> str:
    """"12/03/2026 14:05" in the city's time zone (`CityTime.zone`)."""
    moment = parse_datetime(value)
    if moment is None:
        return ""
    return moment.astimezone(zone).strftime("%d/%m/%Y %H:%M")


def day(value: Any) -> str:
    moment = parse_date(value)
    return moment.strftime("%d/%m/%Y") if moment else "—"


def age(opened_at: Any, *, today: date, zone: tzinfo) -> str:
    """How long a case has been open: "aujourd'hui", "3 j", "5 mois"."""
    moment = parse_datetime(opened_at)
    if moment is None:
        return ""
    days = (today - moment.astimezone(zone).date()).days
    if days <= 0:
        return "aujourd'hui"
    if days < 60:
        return f"{days} j"
    return f"{days // 30} mois"


def full_name(resident: Mapping[str, Any]) -> str:
    name = f"{resident.get('given_name', '')} {str(resident.get('family_name', '')).upper()}"
    if resident.get("birth_name"):
        name += f" (naissance : {str(resident['birth_name']).upper()})"
    return name.strip()


def reference(compact: Any) -> str:
    """A case reference as agents read it aloud: "7K4M-2XA"."""
    text = str(compact or "")
    return f"{text[:4]}-{text[4:]}" if len(text) > 4 and "-" not in text else text
