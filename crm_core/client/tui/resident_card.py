"""The resident card: identity, flags, contact points and badge status, at a glance."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from rich.console import RenderableType
from rich.text import Text
from textual.message import Message
from textual.widgets import Static

from crm_core.client.tui import labels
from crm_core.client.tui.plain import plain


class ResidentCard(Static):
    """Shows one resident from a summary (`RelaisClient.summary` / `lookup`)."""

    DEFAULT_CSS = """
    ResidentCard { height: auto; padding: 0 1; border: round $primary; }
    """

    class Shown(Message):
        """A resident is now on the card (a new scan, a search pick, a refresh)."""

        def __init__(self, card: ResidentCard, resident_id: str) -> None:
            super().__init__()
            self.card = card
            self.resident_id = resident_id

        @property
        def control(self) -> ResidentCard:
            return self.card

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__("", id=id, classes=classes)
        self.summary: Mapping[str, Any] | None = None
        self.border_title = "Usager"

    def show(self, summary: Mapping[str, Any]) -> None:
        self.summary = summary
        self.update(render_card(summary))
        self.post_message(self.Shown(self, str(summary["resident"]["id"])))

    def clear(self) -> None:
        self.summary = None
        self.update("")


def render_card(summary: Mapping[str, Any]) -> RenderableType:
    resident = summary["resident"]
    text = Text()
    text.append(labels.full_name(resident), style="bold")
    if resident.get("birth_date"):
        text.append(f"  né(e) le {labels.day(resident['birth_date'])}")
    if resident.get("status") not in (None, "active"):
        text.append(f"  [{labels.label(labels.RESIDENT_STATUSES, resident['status'])}]",
                    style="bold")
    address = ", ".join(
        str(part) for part in (resident.get("address_line"),
                               " ".join(p for p in (resident.get("postal_code"),
                                                    resident.get("city")) if p))
        if part
    )
    if address:
        text.append(f"\n{address}")
    flags = summary.get("flags") or []
    if flags:
        text.append("\n")
        for flag in flags:
            urgent = flag in labels.URGENT_FLAGS
            text.append(("⚠ " if urgent else "• ") + labels.label(labels.FLAGS, flag) + "  ",
                        style="bold" if urgent else "")
    for point in summary.get("contact_points") or []:
        text.append(f"\n{labels.label(labels.CONTACT_KINDS, point['kind'])} : ")
        text.append(str(point.get("display") or point["value"]))
        marks = []
        if point.get("verified"):
            marks.append("vérifié")
        marks.append(contact_mark(point))
        text.append(f" ({', '.join(marks)})", style="dim")
    text.append("\n" + badge_line(summary.get("badges") or []))
    return plain(text)


# The ways in words, so that a number for SMS only never reads as "may be called".
_WAYS = {"call": "appels", "sms": "SMS", "email": "courriels", "post": "courrier"}


def contact_mark(point: dict[str, Any]) -> str:
    """Exactly which ways the mairie may use this point: the server's effective answer
    (the resident's consent and the point kept for contact, docs/consent.md), never the
    point's flag alone."""
    ways = [way for way in _WAYS if way in (point.get("contact_ways") or [])]
    if not ways:
        return "ne pas contacter"
    words = " et ".join(_WAYS[way] for way in ways)
    if point.get("kind") == "phone" and len(ways) == 1:
        return f"{words} seulement"  # the other way on this number is refused
    return f"{words} acceptés" if words != "courrier" else "courrier accepté"


def badge_line(badges: Sequence[Mapping[str, Any]]) -> str:
    if not badges:
        return "Badge : aucun"
    parts = []
    for badge in badges[:3]:
        part = (f"{labels.label(labels.BADGE_KINDS, badge['kind'])} "
                f"{labels.badge_status(badge['status'])}")
        if badge["status"] == "active":
            part += f" jusqu'au {labels.day(badge['expires_at'])}"
        if not badge.get("confirmed", True):
            part += " (à confirmer)"
        parts.append(part)
    more = f" (+{len(badges) - 3})" if len(badges) > 3 else ""
    return "Badge : " + " ; ".join(parts) + more
