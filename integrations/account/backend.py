"""The online account (OpenID Connect provider) behind an interface, with a fake.

The real backend is an OpenID Connect relying party built on authlib: discovery, the
authorization code flow with PKCE (S256), state and nonce, client authentication at the
token endpoint, the ID token verified against the provider's JWKS (signature, `iss`,
`aud`, `azp`, `exp`, `iat`, `nonce`) with joserfc — authlib's JOSE library — and the
claims read from userinfo (providers such as `oidc-provider` put only `sub` in the ID
token). Userinfo must name the same `sub`.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import httpx
from authlib.integrations.httpx_client import OAuth2Client
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet

from integrations.exceptions import OidcError, OidcUnavailable, hiding

ALGORITHMS = ["RS256", "PS256", "ES256", "EdDSA"]
DISCOVERY_TTL = 3600.0
LEEWAY = 60


class OnlineAccount(Protocol):
    def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str: ...

    def exchange(self, *, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        """Verified claims: the ID token's, completed by userinfo."""
        ...


@dataclass
class AuthlibOnlineAccount:
    issuer: str
    client_id: str
    client_secret: str
    redirect_uri: str
    scopes: str
    timeout: float = 10.0
    _metadata: dict[str, Any] | None = None
    _keys: KeySet | None = None
    _fetched_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _get(self, url: str) -> dict[str, Any]:
        try:
            response = httpx.get(url, timeout=self.timeout, follow_redirects=False)
            response.raise_for_status()
            body = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            raise hiding(exc, OidcUnavailable(
                "Le service de connexion ne répond pas ; réessayez dans quelques minutes"),
                url) from exc
        if not isinstance(body, dict):
            raise OidcError("Réponse du fournisseur d'identité illisible")
        return body

    def metadata(self, *, refresh: bool = False) -> dict[str, Any]:
        with self._lock:
            stale = time.monotonic() - self._fetched_at > DISCOVERY_TTL
            if self._metadata is None or refresh or stale:
                found = self._get(self.issuer.rstrip("/") + "/.well-known/openid-configuration")
                if found.get("issuer") != self.issuer:
                    raise OidcError("Le fournisseur d'identité annonce un autre émetteur")
                self._metadata = found
                self._keys = KeySet.import_key_set(self._get(found["jwks_uri"]))  # type: ignore[arg-type]
                self._fetched_at = time.monotonic()
            return self._metadata

    def _client(self) -> OAuth2Client:
        return OAuth2Client(
            client_id=self.client_id, client_secret=self.client_secret, scope=self.scopes,
            redirect_uri=self.redirect_uri, code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",  # noqa: S106 — a method name
            timeout=self.timeout,
        )

    def authorization_url(self, *, state: str, nonce: str, code_verifier: str) -> str:
        endpoint = self.metadata()["authorization_endpoint"]
        with self._client() as client:
            url, _ = client.create_authorization_url(
                endpoint, state=state, nonce=nonce, code_verifier=code_verifier)
        return str(url)

    def verify_id_token(self, id_token: str, nonce: str) -> dict[str, Any]:
        self.metadata()
        try:
            try:
                assert self._keys is not None
                token = jwt.decode(id_token, self._keys, algorithms=ALGORITHMS)
            except JoseError:  # keys rotated since our last look: fetch them once more
                self.metadata(refresh=True)
                assert self._keys is not None
                token = jwt.decode(id_token, self._keys, algorithms=ALGORITHMS)
            claims = dict(token.claims)
            jwt.JWTClaimsRegistry(
                leeway=LEEWAY,
                iss={"essential": True, "value": self.issuer},
                aud={"essential": True, "value": self.client_id},
                sub={"essential": True}, exp={"essential": True}, iat={"essential": True},
                nonce={"essential": True, "value": nonce},
            ).validate(claims)
        except (JoseError, ValueError) as exc:
            raise hiding(exc, OidcError("Jeton d'identité refusé")) from exc
        audience = claims.get("aud")
        if isinstance(audience, list) and len(audience) > 1 and claims.get("azp") != self.client_id:
            raise OidcError("Jeton d'identité refusé : destinataire autorisé (azp) incorrect")
        return claims

    def exchange(self, *, code: str, code_verifier: str, nonce: str) -> dict[str, Any]:
        metadata = self.metadata()
        try:
            with self._client() as client:
                token = client.fetch_token(
                    metadata["token_endpoint"], grant_type="authorization_code", code=code,
                    code_verifier=code_verifier)
                if "id_token" not in token:
                    raise OidcError("Le fournisseur n'a pas renvoyé de jeton d'identité")
                claims = self.verify_id_token(token["id_token"], nonce)
                response = client.get(metadata["userinfo_endpoint"])
                response.raise_for_status()
                userinfo = response.json()
        except OidcError:
            raise
        except httpx.TransportError as exc:
            raise hiding(exc, OidcUnavailable(
                "Le service de connexion ne répond pas ; réessayez dans quelques minutes")
            ) from exc
        except Exception as exc:  # authlib's OAuthError, HTTP statuses, bad JSON
            raise hiding(exc, OidcError(
                "Échange avec le fournisseur d'identité refusé")) from exc
        if not isinstance(userinfo, dict) or userinfo.get("sub") != claims["sub"]:
            raise OidcError("Les informations du compte ne correspondent pas au jeton")
        return {**userinfo, **{k: claims[k] for k in ("sub", "acr", "amr", "auth_time")
                               if k in claims}}
