"""The security section of the settings: rate limits and lock-outs, from `RELAIS_*`
variables (defaults suit a city hall's front office)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class SecuritySettings(BaseSettings):
    """Limits of sign-ins, lookups and finds (defaults suit a city hall's front office)."""

    model_config = SettingsConfigDict(env_prefix="RELAIS_", env_file=".env", extra="ignore")

    sign_in_failures_per_user: int = Field(
        default=5, ge=1,
        description="Failed sign-ins of one username from one address: that address stops"
        " trying it.")
    sign_in_failures_per_account: int = Field(
        default=20, ge=1,
        description="Failed sign-ins of one username from every address, each counting for"
        " `sign_in_failures_per_user` at most: one address never locks an agent out.")
    sign_in_failures_per_address: int = Field(
        default=30, ge=1,
        description="Failed sign-ins from one client address (password spraying).")
    sign_in_window_seconds: int = Field(
        default=900, ge=10, description="Sliding window of the sign-in limits.")
    lookup_misses_per_agent: int = Field(
        default=30, ge=1,
        description="Lookups of one agent that find nobody (badge, phone, reference...):"
        " a counter scanning random tokens is stopped here and reported.")
    lookup_window_seconds: int = Field(
        default=600, ge=10, description="Sliding window of the lookup misses.")
    finds_per_agent: int = Field(
        default=120, ge=1,
        description="Every way of finding a person (lookups, searches, candidates), per"
        " agent: far above a busy desk, far below a scraper.")
    find_window_seconds: int = Field(
        default=600, ge=10, description="Sliding window of the finds.")
    ds_hints_per_address: int = Field(
        default=120, ge=1,
        description="Unsigned Démarches Simplifiées hints per client address.")
    open311_posts_per_address: int = Field(
        default=60, ge=1, description="Open311 reports per client address.")
    inbound_window_seconds: int = Field(
        default=60, ge=10, description="Window of the two limits above.")

