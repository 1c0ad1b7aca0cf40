"""A fake online account (OIDC identity provider): the claims registered per code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from integrations.exceptions import OidcError


@dataclass
class FakeOnlineAccount:
    """Answers `exchange` with the claims registered for a code."""

    codes: dict[str, dict[str, Any]] = field(default_factory=dict)
    issued: list[dict[str, str]] = field(default_factory=list)

    def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        self.issued.append({"state": state, "nonce": nonce, "code_verifier": code_verifier})
        return f"https://compte.example/auth?state={state}"

    def exchange(self, *, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        if code not in self.codes:
            raise OidcError("Code d'autorisation inconnu ou expiré")
        return self.codes[code]
