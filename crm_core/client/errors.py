from __future__ import annotations

from typing import Any


class ClientError(Exception):
    """Base of everything the client raises; `message` is French, ready for an agent."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ServerUnreachable(ClientError):
    """No answer (network down, server stopped, timeout): the apps switch to offline mode."""


class NotRelais(ServerUnreachable):
    """Something answers at the address but it is not a Relais server (a proxy's error page,
    a maintenance page, another service): as good as no answer, the apps stay offline."""


class ClientClosed(ServerUnreachable):
    """The app is closing its client: nothing more is sent (what was kept offline stays)."""


class ApiError(ClientError):
    """The server answered with a problem document (RFC 9457)."""

    def __init__(self, status: int, code: str, message: str, problem: dict[str, Any]) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.problem = problem


class Ambiguous(ApiError):
    """Several residents match (a shared family phone...): the agent chooses."""

    @property
    def candidates(self) -> list[dict[str, Any]]:
        return list(self.problem.get("candidates", []))
