"""`relais phone ring`: play the PBX for one call — a signed `newCall` (and, if asked,
`answer` and `hangup`) sent to the server, as a PBX configured for the generic CTI events
would. For the demo, and for an integrator checking secrets and extensions end to end."""

from __future__ import annotations

import logging
import time
import uuid
from dataclasses import dataclass

import httpx
import orjson

from crm_core.config.telephony import pbx_name_problem
from crm_core.telephony.signing import sign
from crm_core.text import text_problem

logger = logging.getLogger("relais.phone.ring")


class RingFailed(Exception):
    """The server refused the event; the message is the French detail it gave.

    `bad_input`: the command as typed cannot work (exit 2, docs/command-line.md), as
    opposed to a refusal or a failure while it ran (exit 1)."""

    def __init__(self, message: str, *, bad_input: bool = False) -> None:
        super().__init__(message)
        self.bad_input = bad_input


# Longest wait before answering or hanging up: a test call, not a night-long one.
MAX_DELAY_SECONDS = 3600


def options_problem(*, server: str, caller: str, extension: str,
                    answer_after: float | None, hangup_after: float | None,
                    pbx: str | None = None) -> str | None:
    """Why these options cannot make a call, in French; None if they can. Checked before
    anything is sent: a refusal after newCall would leave a desk ringing (issue 19)."""
    from crm_core.client.settings_checks import server_url_problem

    if problem := server_url_problem(server):
        return f"{problem} (--server)"
    if not caller.strip():
        return "numéro de l'appelant vide"
    if not extension.strip():
        return "poste vide (--extension)"
    if problem := _event_problem(caller, extension):
        return problem
    if pbx is not None and (problem := pbx_name_problem(pbx)):
        return f"nom du PBX : {problem} (--pbx)"
    for option, value in (("--answer-after", answer_after), ("--hangup-after", hangup_after)):
        if value is not None and not (0 <= value <= MAX_DELAY_SECONDS):  # nan fails both
            return (f"{option} : délai en secondes attendu, entre 0 et {MAX_DELAY_SECONDS}"
                    f" (reçu : {value})")
    return None


def _event_problem(caller: str, extension: str) -> str | None:
    """The server's own rules, applied here so that nothing half-valid is sent: the event
    schema (lengths), a one-line text without control characters (crm_core.text), and
    the agents' extension rule (a desk rings only for an agent's extension)."""
    from pydantic import ValidationError

    from crm_core.agents.extensions import normalize_extension
    from crm_core.telephony.schemas import CallEventIn
    from crm_core.validation_messages import french_message

    if problem := text_problem(caller, "number"):
        return f"numéro de l'appelant : {problem}"
    try:
        normalize_extension(extension)
    except ValueError as exc:
        return f"{exc} (--extension)"
    try:
        CallEventIn.model_validate({"event": "newCall", "from": caller, "callId": "local",
                                    "user": [extension]})
    except ValidationError as exc:
        return f"numéro de l'appelant : {french_message(exc.errors()[0])}"
    return None


@dataclass(frozen=True)
class PbxCredentials:
    pbx: str
    secret: str

    @classmethod
    def from_setting(cls, text: str, pbx: str | None = None) -> PbxCredentials:
        from crm_core.config.telephony import parse_secrets

        try:
            secrets = parse_secrets(text)
        except ValueError as exc:  # our own French sentence, which never quotes a secret
            raise RingFailed(str(exc), bad_input=True) from exc
        if not secrets:  # a configuration to fix (exit 2), as docs/command-line.md says
            raise RingFailed("aucun secret de PBX : réglez RELAIS_TELEPHONY_PBX_SECRETS"
                             " (ou --demo face à `relais demo`)", bad_input=True)
        name = pbx or next(iter(secrets))
        if name not in secrets:
            raise RingFailed(f"aucun secret pour le PBX « {name} »", bad_input=True)
        return cls(name, secrets[name][-1])


def send_event(*, server: str, credentials: PbxCredentials, payload: dict[str, object]) -> None:
    body = orjson.dumps(payload)
    headers = sign(pbx=credentials.pbx, secret=credentials.secret, body=body)
    headers["Content-Type"] = "application/json"
    try:
        response = httpx.post(f"{server.rstrip('/')}/api/v1/telephony/events", content=body,
                              headers=headers, timeout=10)
    except httpx.HTTPError as exc:
        # httpx's text is the system's, in English ("[Errno 111] Connection refused").
        why = ("délai de réponse dépassé" if isinstance(exc, httpx.TimeoutException)
               else "connexion refusée ou adresse introuvable"
               if isinstance(exc, httpx.ConnectError) else "erreur réseau")
        logger.info("event not sent: %s", type(exc).__name__)  # the class, never its text
        raise RingFailed(f"serveur injoignable ({why}) : vérifiez --server") from exc
    if response.status_code >= 300:
        # 400/422: what was typed cannot be a call (exit 2); other refusals exit 1.
        raise RingFailed(f"refusé ({response.status_code}) : {_reason(response)}",
                         bad_input=response.status_code in (400, 422))


def _reason(response: httpx.Response) -> str:
    """The French `detail` of a Relais problem; anything else (a proxy's page, a framework's
    English text) is never shown: a French sentence says what to check instead."""
    try:
        detail = response.json().get("detail")
    except (ValueError, AttributeError):
        detail = None
    if isinstance(detail, str) and response.headers.get("content-type", "").startswith(
            "application/problem+json"):
        return detail
    logger.info("unexpected answer %s (%s)", response.status_code,
                response.headers.get("content-type", "?"))
    return ("réponse inattendue : ce n'est pas un serveur Relais, ou il est en difficulté"
            " (vérifiez --server)")


def ring(*, server: str, credentials: PbxCredentials, caller: str, extension: str,
         called: str = "0299000000", answer_after: float | None = None,
         hangup_after: float | None = None) -> str:
    """One call from `caller` ringing `extension`; returns its call id."""
    call_id = f"ring-{uuid.uuid4().hex[:12]}"
    common = {"from": caller, "to": called, "direction": "in", "callId": call_id}
    send_event(server=server, credentials=credentials,
               payload={"event": "newCall", **common, "user": [extension]})
    if answer_after is not None:
        time.sleep(answer_after)
        send_event(server=server, credentials=credentials,
                   payload={"event": "answer", **common, "answeringNumber": extension,
                            "user": [extension]})
    if hangup_after is not None:
        time.sleep(hangup_after)
        send_event(server=server, credentials=credentials,
                   payload={"event": "hangup", **common, "cause": "normalClearing"})
    return call_id
