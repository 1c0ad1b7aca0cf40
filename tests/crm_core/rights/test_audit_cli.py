"""`relais audit` and the server's periodic sealer, on a database of their own."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date

import pytest
from sqlalchemy import Engine, func, select, text
from typer.testing import CliRunner

from crm_core.agents.actor import SYSTEM
from crm_core.app.launcher import full_app
from crm_core.config import get_settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.privacy.models import AccessLogSeal
from crm_core.privacy.sealer import PeriodicSealer
from crm_core.residents import service as residents
from crm_core.residents.models import AccountLink, Resident
from crm_core.residents.schemas import ResidentCreate

app = full_app()

runner = CliRunner()


@pytest.fixture
def own_engine(monkeypatch: pytest.MonkeyPatch, migrated_database_url: str) -> Iterator[Engine]:
    monkeypatch.setenv("RELAIS_DATABASE_URL", migrated_database_url)
    get_settings.cache_clear()
    engine = make_engine(migrated_database_url)
    with make_session_factory(engine)() as session:
        for given in ("Hélène", "Yannick"):
            residents.create(db_session=session, phone_region="FR",
                             actor=SYSTEM, data=ResidentCreate(
                given_name=given, family_name="Le Goff", birth_date=date(1975, 3, 2)))
        session.commit()
    yield engine
    engine.dispose()


def _sealed(engine: Engine) -> int:
    with engine.connect() as connection:
        return connection.scalar(select(func.count()).select_from(AccessLogSeal)) or 0


def test_seal_verify_purge_from_the_command_line(own_engine: Engine) -> None:
    sealed = runner.invoke(app, ["audit", "seal"])
    assert sealed.exit_code == 0, sealed.output
    assert "2 ligne(s) scellée(s)" in sealed.output
    verified = runner.invoke(app, ["audit", "verify"])
    assert verified.exit_code == 0, verified.output
    assert "intègre" in verified.output and "Tête de chaîne" in verified.output
    head = verified.output.split("conserver ailleurs) : ")[1].split()[0]
    assert runner.invoke(app, ["audit", "verify", "--expect-head", head]).exit_code == 0
    dry = runner.invoke(app, ["audit", "purge", "--dry-run"])
    assert dry.exit_code == 0 and "0 ligne(s)" in dry.output and "seraient" in dry.output
    # Someone edits a row with the triggers out of the way: verify fails, and says where.
    with own_engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("SET LOCAL session_replication_role = replica"))
        else:
            connection.execute(text("DROP TRIGGER trg_access_log_no_update"))
        connection.execute(text("UPDATE access_log SET reason = 'falsifié'"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "modifiée" in broken.output


def test_the_server_sealer_seals_new_rows_in_the_background(own_engine: Engine) -> None:
    sealer = PeriodicSealer(make_session_factory(own_engine), interval_seconds=0.05)
    sealer.start()
    try:
        deadline = time.monotonic() + 20
        while _sealed(own_engine) < 2 and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        sealer.stop()
    assert _sealed(own_engine) == 2


def test_retention_run_reports_then_applies(own_engine: Engine) -> None:
    dry = runner.invoke(app, ["retention", "run", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "simulation" in dry.output and "journal des consultations" in dry.output
    done = runner.invoke(app, ["retention", "run"])
    assert done.exit_code == 0, done.output
    assert "dossiers sans contact ni demande" in done.output


def test_verify_refuses_to_vouch_for_an_empty_log(
    monkeypatch: pytest.MonkeyPatch, migrated_database_url: str
) -> None:
    monkeypatch.setenv("RELAIS_DATABASE_URL", migrated_database_url)
    get_settings.cache_clear()
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "Journal vide : rien à vérifier" in result.output
    assert "intègre" not in result.output


def test_verify_says_unsealed_rows_are_not_yet_verifiable(own_engine: Engine) -> None:
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 2, result.output
    assert "Aucune ligne scellée : rien à vérifier" in result.output
    assert "2 ligne(s) pas encore scellée(s)" in result.output  # one per resident created
    assert "intègre" not in result.output


def test_an_unreadable_expected_head_is_refused_before_the_chain_is_read(
    own_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    def chain_read(**_: object) -> None:
        raise AssertionError("the whole chain was read before the argument was checked")

    monkeypatch.setattr("crm_core.privacy.audit.verify", chain_read)
    result = runner.invoke(app, ["audit", "verify", "--expect-head", "foo"])
    assert result.exit_code == 2, result.output
    assert "tête attendue illisible (forme : NUMÉRO:EMPREINTE) : « foo »" in result.output
    assert "lignes vérifiées" not in result.output


def test_verify_lists_the_account_links_stored_before_the_rules(own_engine: Engine) -> None:
    """Issue 20 leftover: subjects are identities, never rewritten; the links whose subject
    breaks the identifier rule (or whose provider 0022 left in upper case) are listed by id
    for a person to review, their subjects never printed."""
    with make_session_factory(own_engine)() as session:
        resident = session.scalars(select(Resident)).first()
        assert resident is not None
        hidden = AccountLink(resident_id=resident.id, provider="fc", subject="secret\u3164")
        spaced = AccountLink(resident_id=resident.id, provider="fc", subject="mot de passe")
        upper = AccountLink(resident_id=resident.id, provider="FC", subject="S-9")
        session.add_all([hidden, spaced, upper,
                         AccountLink(resident_id=resident.id, provider="fc", subject="S-9")])
        session.commit()
        ids = {name: str(link.id) for name, link in
               (("hidden", hidden), ("spaced", spaced), ("upper", upper))}
    assert runner.invoke(app, ["audit", "seal"]).exit_code == 0
    result = runner.invoke(app, ["audit", "verify"])
    assert result.exit_code == 0, result.output  # the chain's verdict, not the links'
    lines = result.output.splitlines()
    subjects = next(line for line in lines if "règle des identifiants" in line)
    assert "2 lien(s)" in subjects and ids["hidden"] in subjects and ids["spaced"] in subjects
    providers = next(line for line in lines if "pas en minuscules" in line)
    assert "1 lien(s)" in providers and ids["upper"] in providers
    assert "secret" not in result.output and "mot de passe" not in result.output
    assert "S-9" not in result.output
