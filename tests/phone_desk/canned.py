"""A scripted feed and canned server answers, for deterministic snapshots of the desk. The
same screens run against a real server in tests/e2e (journeys 2 and 3)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date
from typing import Any

import httpx

from crm_core.client.telephony import PhoneClient
from phone_desk.app import PhoneDeskApp, make_app
from phone_desk.config import DeskSettings

RESIDENT_ID = "0b6f1f4e-6c1e-4c59-9b52-5a3c2b1d9e01"
CALL = {
    "id": "5d1c9a7e-1111-4b6f-8f7e-0c9d2a3b4c5d", "pbx": "pbx-hdv", "call_id": "c-1",
    "direction": "in", "status": "ringing", "remote_raw": "0612345678",
    "remote_number": "+33612345678", "remote_display": "06 12 34 56 78", "remote_kind": "number",
    "queue": "allo-mairie", "extensions": ["201"], "answered_extension": None, "agent_id": None,
    "resident_id": RESIDENT_ID, "started_at": "2026-11-30T09:02:00+00:00", "answered_at": None,
    "ended_at": None, "hangup_cause": None, "interaction_id": None,
}
SUMMARY: dict[str, Any] = {
    "resident": {"id": RESIDENT_ID, "given_name": "Camille", "family_name": "Durand",
                 "birth_name": None, "birth_date": "1984-03-12", "address_line": "3 rue de Nantes",
                 "postal_code": "35000", "city": "Rennes", "insee_code": "35238",
                 "status": "active", "created_at": "2025-01-10T10:00:00+00:00",
                 "merged_into_id": None},
    "contact_points": [{"id": "cp-1", "kind": "phone", "value": "+33612345678",
                        "display": "06 12 34 56 78", "label": None, "verified": True,
                        "contact_allowed": True, "contact_ways": ["call", "sms"]}],
    "open_cases": [{"reference": "7K4M2XA", "display_reference": "7K4M-2XA",
                    "status": "in_progress", "kind": "request", "origin_channel": "web",
                    "subject": "Acte de naissance", "opened_at": "2026-11-20T08:00:00+00:00",
                    "due_date": "2026-12-04", "service_code": "etat-civil",
                    "service_label": "État civil", "overdue": False,
                    "external_system": "wcs", "external_id": "12"}],
    "recent_interactions": [
        {"id": "i-1", "channel": "web", "direction": "inbound", "outcome": "submitted_online",
         "note": "Demande déposée en ligne", "occurred_at": "2026-11-20T08:00:00+00:00",
         "case_reference": "7K4M2XA", "agent": None, "site": None},
        {"id": "i-2", "channel": "counter", "direction": "inbound", "outcome": "informed",
         "note": "Pièces à fournir expliquées", "occurred_at": "2026-11-24T14:30:00+00:00",
         "case_reference": "7K4M2XA", "agent": "Accueil", "site": "Hôtel de ville"}],
    "badges": [], "flags": [], "merged_from": None,
}
CALLBACKS = [{"id": "cb-1", "resident_id": None, "phone": "+33299001122",
              "phone_display": "02 99 00 11 22", "due_at": "2026-11-30T08:30:00+00:00",
              "reason": "Confirmer le rendez-vous", "status": "pending",
              "assigned_agent_id": None, "done_at": None, "outcome_note": None,
              "overdue": True}]


# The same resident, who said no to calls from the mairie (SMS only).
NO_CALLS_SUMMARY: dict[str, Any] = {
    **SUMMARY, "flags": ["no_phone_contact"],
    "contact_points": [{**SUMMARY["contact_points"][0], "contact_ways": ["sms"]}],
}


def _answer(request: httpx.Request, summary: dict[str, Any] = SUMMARY) -> httpx.Response:
    path = request.url.path.removeprefix("/api/v1")
    if path == "/auth/me":
        return httpx.Response(200, json={"agent_id": None, "username": "telephone",
                                         "role": "phone", "site_id": None, "permissions": []})
    if path == "/services":
        return httpx.Response(200, json=[{"code": "etat-civil", "label": "État civil",
                                          "announced_delay_days": 10}])
    if path == f"/residents/{RESIDENT_ID}/summary":
        return httpx.Response(200, json=summary)
    if path == "/telephony/calls":
        return httpx.Response(200, json=[CALL])
    if path == "/telephony/callbacks":
        return httpx.Response(200, json=CALLBACKS)
    return httpx.Response(404, json={"code": "http_404", "detail": "absent du jeu de test"})


def scripted_feed(*messages: dict[str, Any]) -> Any:
    async def feed(server: str, token: str, extension: str | None) -> AsyncIterator[
            dict[str, Any]]:
        for message in messages:
            yield message
        await asyncio.Event().wait()  # then the line stays open

    return feed


def canned_app(*messages: dict[str, Any], summary: dict[str, Any] = SUMMARY) -> PhoneDeskApp:
    client = PhoneClient("http://relais.test", token="canned",
                         transport=httpx.MockTransport(lambda r: _answer(r, summary)))
    return make_app(DeskSettings(extension="201"), client, feed=scripted_feed(*messages),
                    today=lambda: date(2026, 11, 30))


RING = {"type": "ring", "call": CALL,
        "match": {"kind": "resident", "resident_id": RESIDENT_ID,
                  "resident": {"given_name": "Camille", "family_name": "Durand",
                               "birth_date": "1984-03-12"}, "candidates": []}}
UNKNOWN_RING = {"type": "ring",
                "call": {**CALL, "id": "other", "remote_number": "+33698765432",
                         "remote_display": "06 98 76 54 32", "resident_id": None},
                "match": {"kind": "unknown", "resident_id": None, "resident": None,
                          "candidates": []}}
SNAPSHOT = {"type": "snapshot", "extension": "201", "calls": []}
