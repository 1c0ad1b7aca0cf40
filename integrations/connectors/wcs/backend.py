"""The w.c.s. API behind an interface: fetch a form's data, trigger a workflow jump."""

from __future__ import annotations

from typing import Any, Protocol
from urllib.parse import quote

import httpx

from integrations.connectors.wcs.signing import sign_url
from integrations.exceptions import network_failure
from integrations.outbox.transport import BlockedAddress, check_destination
from integrations.settings import SourceConfig


class WcsError(Exception):
    pass


class WcsBackend(Protocol):
    def fetch_form(self, form_id: str) -> dict[str, Any]: ...

    def trigger(self, form_id: str, trigger: str, payload: dict[str, Any]) -> int: ...


class HttpWcsBackend:
    """Every call is a signed URL (`orig` + shared key), as Publik's web services expect."""

    def __init__(
        self, config: SourceConfig, *, timeout: float = 10.0, allow_private: bool = True
    ) -> None:
        if not (config.api_url and config.orig and config.api_key):
            raise WcsError("w.c.s. : api_url, orig et api_key sont requis")
        self.base = config.api_url.rstrip("/")
        self.orig = config.orig
        self.key = config.api_key.get_secret_value()
        self.allow_private = allow_private
        self.client = httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False)

    def _url(self, path: str) -> str:
        try:
            check_destination(self.base, allow_private=self.allow_private)
        except BlockedAddress as exc:
            raise WcsError(str(exc)) from exc
        return sign_url(f"{self.base}{path}", key=self.key, orig=self.orig)

    @staticmethod
    def _path(form_id: str) -> str:
        slug, _, number = form_id.partition("/")
        if not slug or not number:
            raise WcsError(f"identifiant de formulaire w.c.s. invalide : {form_id[:60]}")
        return f"/api/forms/{quote(slug, safe='')}/{quote(number, safe='')}/"

    def fetch_form(self, form_id: str) -> dict[str, Any]:
        try:
            response = self.client.get(self._url(self._path(form_id)))
        except httpx.HTTPError as exc:
            raise WcsError(network_failure("w.c.s.", exc)) from exc
        if response.status_code != 200:
            raise WcsError(f"w.c.s. a répondu {response.status_code}")
        body = response.json()
        if not isinstance(body, dict) or body.get("err"):
            raise WcsError("w.c.s. a renvoyé une erreur")
        envelope = body.get("data")
        return envelope if isinstance(envelope, dict) and "id" not in body else body

    def trigger(self, form_id: str, trigger: str, payload: dict[str, Any]) -> int:
        path = f"{self._path(form_id)}jump/trigger/{quote(trigger, safe='')}/"
        response = self.client.post(self._url(path), json=payload)
        return response.status_code

    def close(self) -> None:
        self.client.close()
