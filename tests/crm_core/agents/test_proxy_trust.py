"""Whose address the sign-in lock-out counts: the connection's, unless proxies are named in
RELAIS_TRUSTED_PROXIES. uvicorn believes X-Forwarded-For from 127.0.0.1 by default, so
anyone on the server's machine could pose as any address (and lock agents out); the
server runs with uvicorn's own proxy options, as `relais serve` gives them."""

from __future__ import annotations

import httpx
import pytest
from sqlalchemy import select

from crm_core.config import Settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.security.enums import Bucket
from crm_core.security.models import AbuseCounter
from tests.support.live_server import seed_agents, serve

SPOOFED = "203.0.113.7"


def _addresses_counted(trusted_proxies: str, database_url: str) -> set[str]:
    engine = make_engine(database_url)
    try:
        upgrade(engine)
        seed_agents(engine)
        settings = Settings(trusted_proxies=trusted_proxies)
        with serve(engine, settings=settings) as server:
            for _ in range(2):
                answer = httpx.post(f"{server.url}/api/v1/auth/token", data={
                    "username": "accueil", "password": "wrong-password"},
                    headers={"X-Forwarded-For": SPOOFED}, trust_env=False)
                assert answer.status_code == 401, answer.text
        with make_session_factory(engine)() as session:
            return set(session.scalars(select(AbuseCounter.key).where(
                AbuseCounter.bucket == Bucket.SIGN_IN_FAILURE_ADDRESS)))
    finally:
        engine.dispose()


def test_a_spoofed_forwarded_for_does_not_move_the_lock_out(fresh_database_url: str) -> None:
    assert _addresses_counted("", fresh_database_url) == {"127.0.0.1"}


def test_a_named_proxy_is_believed(fresh_database_url: str) -> None:
    assert _addresses_counted("127.0.0.1", fresh_database_url) == {SPOOFED}


def test_proxy_trust_is_off_unless_named() -> None:
    assert Settings().proxy_options == {"proxy_headers": False, "forwarded_allow_ips": []}
    named = Settings(trusted_proxies=" 10.0.0.5 , 192.0.2.0/24")
    assert named.proxy_options == {"proxy_headers": True,
                                   "forwarded_allow_ips": "10.0.0.5,192.0.2.0/24"}


def test_an_unreadable_proxy_address_is_refused_in_french() -> None:
    with pytest.raises(ValueError, match="n'est ni une adresse IP"):
        Settings(trusted_proxies="10.0.0.5, proxy.example")
