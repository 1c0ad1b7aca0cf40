"""Typed HTTP client of the Relais API, for the terminal apps and integrations."""

from crm_core.client.client import RelaisClient
from crm_core.client.errors import Ambiguous, ApiError, ServerUnreachable

__all__ = ["Ambiguous", "ApiError", "RelaisClient", "ServerUnreachable"]
