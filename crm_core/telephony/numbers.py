"""What a PBX puts in `from`/`to`: public numbers in any writing, withheld caller ids,
internal short numbers, or garbage. Classified, never refused: a call is still a call."""

from __future__ import annotations

import re

from crm_core.exceptions import InvalidInput
from crm_core.residents.contacts import format_phone_for_display, normalize_phone
from crm_core.telephony.enums import RemoteKind
from crm_core.text import echoed

_WITHHELD = {"", "anonymous", "anonyme", "unknown", "<unknown>", "restricted", "private",
             "withheld", "unavailable", "masqué", "masque", "inconnu"}
_SHORT = re.compile(r"^\d{1,6}$")  # extensions and internal short numbers
_SEPARATORS = re.compile(r"[\s.\-()/]")


def classify(raw: str, *, region: str) -> tuple[RemoteKind, str | None]:
    text = raw.strip()
    if text.casefold() in _WITHHELD:
        return RemoteKind.ANONYMOUS, None
    compact = _SEPARATORS.sub("", text)
    if _SHORT.match(compact):
        return RemoteKind.INTERNAL, None
    if compact.startswith("00") and compact[2:].isdigit():
        compact = "+" + compact[2:]
    # Zammad-style PBXs send international numbers without the plus ("33612345678").
    candidates = [compact]
    if compact.isdigit() and not compact.startswith("0"):
        candidates.append("+" + compact)
    for candidate in candidates:
        try:
            return RemoteKind.NUMBER, normalize_phone(candidate, region=region)
        except InvalidInput:
            continue
    return RemoteKind.INVALID, None


def display(kind: RemoteKind, number: str | None, raw: str) -> str:
    """How the agent sees the other party (French)."""
    if kind is RemoteKind.NUMBER and number:
        return format_phone_for_display(number)
    if kind is RemoteKind.ANONYMOUS:
        return "Numéro masqué"
    if kind is RemoteKind.INTERNAL:
        return f"Poste interne {raw.strip()}"
    return f"Numéro illisible « {echoed(raw.strip(), 30)} »"
