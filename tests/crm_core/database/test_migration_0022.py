"""Migration 0022 puts keys stored before their rules in the normal form: agents'
extensions (ASCII digits) and account-link providers (lower case), without ever giving one
extension to two active agents nor merging two residents' links (issue 20, leftovers)."""

from __future__ import annotations

import logging
import uuid

import pytest
from sqlalchemy import inspect, select

from crm_core.agents.enums import Role
from crm_core.agents.models import Agent
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.residents.models import AccountLink, Resident

# username -> (stored extension, active, extension after the migration)
AGENTS = {
    "spaced": (" 2 01", True, "201"),
    "wide": ("２０２", True, "202"),
    "arabic": ("٢٠٣", False, "203"),
    "word": ("20a", True, None),  # no number: cleared
    "held": ("204", True, "204"),  # already in the normal form: kept
    "lookalike": ("２０４", True, None),  # would be held's: cleared
    "twin-a": ("2 05", True, None),  # two rewrites to one extension: both cleared
    "twin-b": ("２05", True, None),
    "retired": ("2 04", False, "204"),  # inactive: no collision, rewritten
}


def _resident(name: str) -> Resident:
    return Resident(given_name=name, family_name="Test", given_name_key=name.lower(),
                    family_name_key="test", status="active")


def _agent(username: str, extension: str, active: bool) -> Agent:
    return Agent(username=username, display_name=username, password_hash="x",
                 role=Role.PHONE, phone_extension=extension, active=active)


def test_stored_keys_are_put_in_their_normal_form(
    fresh_database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    engine = make_engine(fresh_database_url)
    try:
        upgrade(engine, "0021")
        with make_session_factory(engine)() as session:
            session.add_all(_agent(name, stored, active)
                            for name, (stored, active, _) in AGENTS.items())
            owner, other, alone = _resident("Anna"), _resident("Basile"), _resident("Chloe")
            session.add_all([owner, other, alone])
            session.flush()
            session.add_all([
                AccountLink(resident_id=alone.id, provider="Compte-Unique", subject="S-1"),
                AccountLink(resident_id=owner.id, provider="FC", subject="S-2"),
                AccountLink(resident_id=other.id, provider="fc", subject="S-2"),
            ])
            session.commit()
            colliding = sorted(str(link.id) for link in session.scalars(
                select(AccountLink).where(AccountLink.subject == "S-2")))
        with caplog.at_level(logging.WARNING):
            upgrade(engine)
        with make_session_factory(engine)() as session:
            stored = dict(session.execute(select(Agent.username, Agent.phone_extension)).all())
            assert stored == {name: after for name, (_, _, after) in AGENTS.items()}
            links = session.execute(select(AccountLink.provider, AccountLink.resident_id)
                                    .order_by(AccountLink.provider)).all()
            # The collision is left for a person to settle, both links kept.
            assert links == [("FC", owner.id), ("compte-unique", alone.id), ("fc", other.id)]
            cleared = {str(session.scalar(select(Agent.id).where(Agent.username == name)))
                       for name in ("word", "lookalike", "twin-a", "twin-b")}
        logged = caplog.text
        assert all(agent_id in logged for agent_id in cleared)
        assert all(link_id in logged for link_id in colliding)
        assert "S-2" not in logged and "S-1" not in logged  # subjects never logged
        uuid.UUID(next(iter(cleared)))  # ids, not names, identify what was cleared
    finally:
        engine.dispose()


def test_the_provider_lookup_is_covered_by_a_unique_index(fresh_database_url: str) -> None:
    """Lookups compare (provider, subject) with plain equality (`same_provider`): the
    unique constraint on those two columns, in that order, serves them."""
    engine = make_engine(fresh_database_url)
    try:
        upgrade(engine)
        uniques = [c["column_names"] for c in inspect(engine).get_unique_constraints(
            "account_link")]
        assert ["provider", "subject"] in uniques
    finally:
        engine.dispose()
