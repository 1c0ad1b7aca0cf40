"""The limits, from `RELAIS_*` variables (defaults suit a city hall's front office)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SecuritySettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    # Failed sign-ins of one username from one address: that address stops trying it.
    sign_in_failures_per_user: int = Field(default=5, ge=1)
    # Failed sign-ins of one username from every address, each address counting for
    # `sign_in_failures_per_user` at most: one address alone never locks an agent out.
    sign_in_failures_per_account: int = Field(default=20, ge=1)
    # Failed sign-ins from one client address (password spraying across usernames).
    sign_in_failures_per_address: int = Field(default=30, ge=1)
    sign_in_window_seconds: int = Field(default=900, ge=10)
    # Lookups of one agent that find nobody (unknown badge, phone, reference, ...): a
    # counter scanning random tokens is stopped here and reported.
    lookup_misses_per_agent: int = Field(default=30, ge=1)
    lookup_window_seconds: int = Field(default=600, ge=10)
    # Every way of finding a person (lookups, searches, candidates), per agent, over a
    # sliding window: far above a busy desk, far below a scraper.
    finds_per_agent: int = Field(default=120, ge=1)
    find_window_seconds: int = Field(default=600, ge=10)
    # Unauthenticated platform endpoints, per client address.
    ds_hints_per_address: int = Field(default=120, ge=1)
    open311_posts_per_address: int = Field(default=60, ge=1)
    inbound_window_seconds: int = Field(default=60, ge=10)

