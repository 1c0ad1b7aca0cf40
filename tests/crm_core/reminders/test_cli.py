"""`relais reminders …` in-process, against a database of its own (committed data)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from crm_core.agents.actor import SYSTEM
from crm_core.app.launcher import full_app
from crm_core.config import Settings, get_settings
from crm_core.consent.service import set_consent
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.reminders import service
from crm_core.reminders.backends import Email, MemorySmsBackend
from crm_core.reminders.enums import DeliveryStatus, ReminderChannel
from crm_core.reminders.models import ReminderDelivery
from crm_core.residents.enums import ContactKind
from tests import factories as factory_module
from tests.crm_core.reminders.conftest import Mailbox
from tests.support import clock

app = full_app()

runner = CliRunner()
DAY = "2027-03-08"
MORNING = datetime(2027, 3, 8, 9, 0, tzinfo=clock.PARIS)


def _subscriber(db_session: Session, code: str, given: str,
                factories: ModuleType = factory_module) -> None:
    """A resident who opted in to `code` by e-mail, with a reminder due on DAY."""
    service.create_bundle(db_session=db_session, code=code, label=f"Bouquet {code}")
    service.add_date(db_session=db_session, code=code, occurs_on=MORNING.date()
                     + timedelta(days=1), title=f"Collecte {code}", message="Avant 20 h.",
                     days_before=1)
    resident = factories.ResidentFactory(given_name=given, family_name="Le Gall")
    factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                       value=f"{code}@exemple.fr", contact_allowed=True)
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                purpose=ConsentPurpose.CONTACT_EMAIL, granted=True,
                source=ConsentSource.RESIDENT)
    service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                      code=code, channel=ReminderChannel.EMAIL, source=ConsentSource.RESIDENT)


class _Crash:
    """The run dies once the message has left, before its outcome is written."""

    def send(self, email: Email) -> None:
        raise RuntimeError("le processus s'arrête")


@pytest.fixture
def stuck_engine(monkeypatch: pytest.MonkeyPatch, migrated_database_url: str,
                 smtp_server: Mailbox) -> Iterator[Engine]:
    """Two reminders left « envoi en cours » by dead runs: one claimed two hours before
    MORNING, one a minute before (a run might still be sending it)."""
    engine = make_engine(migrated_database_url)
    with make_session_factory(engine)() as db_session:
        factory_module.bind(db_session)
        try:
            for code, given in (("ancien", "Maëlle"), ("recent", "Yannick")):
                _subscriber(db_session, code, given)
                db_session.commit()
                with pytest.raises(RuntimeError):
                    service.send_due(db_session=db_session, settings=Settings(),
                                     today=MORNING.date(), email=_Crash(),
                                     sms=MemorySmsBackend(), public_url="http://x",
                                     checkpoint=db_session.commit)
                db_session.rollback()
        finally:
            factory_module.bind(None)
        claimed = db_session.scalars(select(ReminderDelivery)
                                     .order_by(ReminderDelivery.attempted_at)).all()
        assert [d.detail for d in claimed] == ["envoi en cours"] * 2
        for delivery, minutes in zip(claimed, (120, 1), strict=True):
            delivery.attempted_at = MORNING.astimezone(UTC) - timedelta(minutes=minutes)
        db_session.commit()
    monkeypatch.setenv("RELAIS_DATABASE_URL", migrated_database_url)
    monkeypatch.setenv("RELAIS_SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    yield engine
    engine.dispose()


def test_stuck_reminders_are_listed_then_released_after_the_timeout(
    stuck_engine: Engine, smtp_server: Mailbox
) -> None:
    with clock.starting_at(MORNING):
        listed = runner.invoke(app, ["reminders", "stuck"])
        assert listed.exit_code == 1, listed.output  # something to look at: a failed check
        assert "Rappels bloqués « envoi en cours » (2)" in listed.output
        assert "Bouquet ancien" in listed.output and "Bouquet recent" in listed.output
        assert "--release" in listed.output
        released = runner.invoke(app, ["reminders", "stuck", "--release"])
        assert released.exit_code == 1, released.output  # the recent one stays claimed
        assert "1 rappel(s) remis en file" in released.output
        assert "Bouquet recent" in released.output and "Bouquet ancien" not in released.output
        sent = runner.invoke(app, ["reminders", "send", "--date", DAY])
        assert sent.exit_code == 0, sent.output
        assert "1 rappel(s) envoyé(s)" in sent.output
        assert [m["To"] for m in smtp_server.messages] == ["ancien@exemple.fr"]
        both = runner.invoke(app, ["reminders", "stuck", "--release", "--older-than", "0"])
    assert both.exit_code == 2, both.output  # 0 minutes would release a send in progress
    with make_session_factory(stuck_engine)() as db_session:
        statuses = {(d.status, d.detail) for d in db_session.scalars(select(ReminderDelivery))}
    assert statuses == {(DeliveryStatus.SENT, None), (DeliveryStatus.SENT, "envoi en cours")}


def test_a_send_that_leaves_reminders_unsent_exits_1(
    stuck_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RELAIS_SMTP_URL", "")  # e-mail not configured: each one fails
    get_settings.cache_clear()
    with clock.starting_at(MORNING + timedelta(minutes=10)):
        released = runner.invoke(app, ["reminders", "stuck", "--release", "--older-than", "5"])
        assert released.exit_code == 0 and "2 rappel(s) remis en file" in released.output
        result = runner.invoke(app, ["reminders", "send", "--date", DAY])
    assert result.exit_code == 1, result.output
    assert "0 rappel(s) envoyé(s)" in result.output and "2 en échec" in result.output


def test_nothing_stuck_is_said_and_exits_0(stuck_engine: Engine) -> None:
    with make_session_factory(stuck_engine)() as db_session:
        for delivery in db_session.scalars(select(ReminderDelivery)):
            delivery.detail = None
        db_session.commit()
    result = runner.invoke(app, ["reminders", "stuck"])
    assert result.exit_code == 0, result.output
    assert "Aucun rappel bloqué" in result.output


def test_after_a_demo_on_another_port_reminders_link_to_that_port(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, smtp_server: Mailbox
) -> None:
    monkeypatch.setenv("RELAIS_DATA_DIR", str(tmp_path))
    for variable in ("RELAIS_DATABASE_URL", "RELAIS_PUBLIC_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RELAIS_DEMO_MODE", "false")  # put back after the demo sets it
    demo = runner.invoke(app, ["demo", "--seed-only", "--residents", "10", "--port", "8123"])
    assert demo.exit_code == 0, demo.output
    assert get_settings().public_url == "http://127.0.0.1:8123"
    # Later, in another process: nothing set, the demo's database found by itself.
    for variable in ("RELAIS_DATABASE_URL", "RELAIS_PUBLIC_URL"):
        monkeypatch.delenv(variable, raising=False)
    monkeypatch.setenv("RELAIS_DEMO_MODE", "false")
    monkeypatch.setenv("RELAIS_SMTP_URL", smtp_server.url)
    get_settings.cache_clear()
    engine = make_engine(f"sqlite:///{tmp_path / 'demo.db'}")
    try:
        with make_session_factory(engine)() as db_session:
            factory_module.bind(db_session)
            try:
                _subscriber(db_session, f"port-{uuid.uuid4().hex[:6]}", "Maëlle")
                db_session.commit()
            finally:
                factory_module.bind(None)
    finally:
        engine.dispose()
    sent = runner.invoke(app, ["reminders", "send", "--date", DAY])
    assert sent.exit_code == 0, sent.output
    links = re.findall(rb"List-Unsubscribe: <(https?://[^/]+)/", b"".join(smtp_server.raw))
    assert links == [b"http://127.0.0.1:8123"]
