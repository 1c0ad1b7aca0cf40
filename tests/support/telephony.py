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


def post_event(server_url: str, event: str, call_id: str, **fields: Any) -> Any:
    """A signed CTI event to a running server, as a PBX sends it."""
    import httpx

    body, headers = signed(cti(event, call_id, **fields))
    response = httpx.post(f"{server_url}/api/v1/telephony/events", content=body,
                          headers=headers, timeout=5)
    assert response.status_code == 202, response.text
    return response.json()


def give_extension(server: Any, username: str, extension: str) -> None:
    from crm_core.agents.models import Agent

    with server.session() as session:
        session.query(Agent).filter_by(username=username).one().phone_extension = extension
        session.commit()
