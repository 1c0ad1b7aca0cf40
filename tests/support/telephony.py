"""Helpers for telephony tests: the PBX secrets in the environment and signed posts."""

from __future__ import annotations

from typing import Any

import orjson

from crm_core.telephony.signing import sign

PBX = "pbx-hdv"
SECRET = "pbx-secret-for-tests-0123456789"
NEW_SECRET = "pbx-secret-after-rotation-98765"
SECRETS_ENV = f"{PBX}:{SECRET},autre-pbx:another-secret-long-enough-42"


def signed(
    payload: dict[str, Any], *, pbx: str = PBX, secret: str = SECRET,
    timestamp: int | None = None,
) -> tuple[bytes, dict[str, str]]:
    body = orjson.dumps(payload)
    headers = sign(pbx=pbx, secret=secret, body=body, timestamp=timestamp)
    headers["Content-Type"] = "application/json"
    return body, headers


def cti(event: str, call_id: str, **fields: Any) -> dict[str, Any]:
    """A Zammad generic CTI event with sensible defaults."""
    payload: dict[str, Any] = {"event": event, "from": "0612345678", "to": "0299000000",
                               "direction": "in", "callId": call_id}
    payload.update({("from" if k == "from_" else k): v for k, v in fields.items()})
    return payload
