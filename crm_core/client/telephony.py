"""The telephony part of the API, for the phone desk: calls, call logs, call-backs."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any, cast

from crm_core.client.client import RelaisClient
from crm_core.client.types import Call, Callback, CallLog, SearchOutcome


class PhoneClient(RelaisClient):
    def calls(
        self, *, day: date | None = None, extension: str | None = None
    ) -> list[Call]:
        params: dict[str, str] = {}
        if day:
            params["day"] = day.isoformat()
        if extension:
            params["extension"] = extension
        return cast("list[Call]", list(self._request("GET", "/telephony/calls", params=params)))

    def call(self, call: uuid.UUID | str) -> Call:
        return cast(Call, dict(self._request("GET", f"/telephony/calls/{call}")))

    def log_call(
        self, call: uuid.UUID | str, *, resident_id: uuid.UUID | str, reason: str, outcome: str,
        case_reference: str | None = None, new_case: dict[str, str] | None = None,
    ) -> CallLog:
        body: dict[str, Any] = {"resident_id": str(resident_id), "reason": reason,
                                "outcome": outcome}
        if case_reference:
            body["case_reference"] = case_reference
        if new_case:
            body["new_case"] = new_case
        return cast(CallLog, dict(self._request("POST", f"/telephony/calls/{call}/log", json=body)))

    def create_callback(
        self, *, phone: str, due_at: datetime, reason: str,
        resident_id: uuid.UUID | str | None = None, call: uuid.UUID | str | None = None,
        requested_by_resident: bool = False,
    ) -> Callback:
        """`requested_by_resident`: the resident, who refused calls, asks for this one."""
        body: dict[str, Any] = {"phone": phone, "due_at": due_at.isoformat(), "reason": reason}
        if requested_by_resident:
            body["requested_by_resident"] = True
        if resident_id:
            body["resident_id"] = str(resident_id)
        if call:
            body["call"] = str(call)
        return cast(Callback, dict(self._request("POST", "/telephony/callbacks", json=body)))

    def callbacks(self, *, due: bool = False) -> list[Callback]:
        return cast("list[Callback]", list(self._request("GET", "/telephony/callbacks",
                                  params={"due": "true" if due else "false"})))

    def complete_callback(
        self, callback: uuid.UUID | str, *, note: str | None = None, cancelled: bool = False
    ) -> Callback:
        return cast(Callback, dict(self._request("POST", f"/telephony/callbacks/{callback}/done",
                                  json={"note": note, "cancelled": cancelled})))

    def call_figures(self, *, start: date, end: date, queue: str | None = None) -> dict[str, Any]:
        params = {"start": start.isoformat(), "end": end.isoformat()}
        if queue:
            params["queue"] = queue
        return dict(self._request("GET", "/telephony/figures", params=params))

    def search_residents(self, q: str, *, birth_date: date | None = None) -> SearchOutcome:
        """Fuzzy search by names as heard (and a birth date): ranked candidates."""
        body = {"q": q}
        if birth_date:
            body["birth_date"] = birth_date.isoformat()
        return cast(SearchOutcome, dict(self._request("POST", "/residents/search", json=body)))
