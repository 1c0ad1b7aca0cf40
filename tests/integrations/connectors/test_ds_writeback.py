"""Counter and phone moves of a DS dossier reach Démarches Simplifiées as its state
mutations, through the outbox, against the loopback DS (which enforces DS's rules)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from types import ModuleType
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.agents.enums import Role
from crm_core.cases import service as cases
from crm_core.cases.enums import CaseStatus
from crm_core.cases.models import Case
from crm_core.config import Settings
from integrations.connectors.ds.backend import DsError, HttpDsBackend
from integrations.connectors.ds.writeback import motivation, plan, push_status
from integrations.models import OutboxEvent
from integrations.outbox.platforms import PlatformTransport
from integrations.outbox.transport import Outgoing, SendResult
from integrations.outbox.worker import webhook_id
from integrations.settings import IntegrationSettings, SourceConfig
from tests.integrations.conftest import connector_settings
from tests.integrations.connectors.ds_server import Ds, dossier, running_ds
from tests.support.fakes.transport import FakeTransport

TOKEN = "jeton-api-ds"
INSTRUCTEUR = "SW5zdHJ1Y3RldXItMQ=="
COUNTER = Actor(username="accueil", role=Role.COUNTER)


@pytest.fixture
def ds() -> Iterator[Ds]:
    with running_ds(TOKEN) as server:
        yield server


@pytest.fixture
def config(configure: Callable[..., None], ds: Ds, factories: ModuleType,
           db_session: Session) -> SourceConfig:
    factories.ServiceFactory(code="scolaire")
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": TOKEN, "demarches": [4242],
                      "default_service": "scolaire", "instructeur_id": INSTRUCTEUR}})
    return connector_settings(db_session).webhook_sources["ds"]


def _hinted(client: TestClient, db_session: Session, ds: Ds, number: int) -> Case:
    ds.dossiers[number] = dossier(number)
    response = client.post("/integrations/ds/ds", data={
        "procedure_id": "4242", "dossier_id": str(number), "state": "en_construction"})
    assert response.status_code == 200, response.text
    case = db_session.scalar(select(Case).where(Case.external_id == str(number)))
    assert case is not None
    return case


def _move(db_session: Session, case: Case, status: CaseStatus, note: str | None = None) -> None:
    cases.update_case(db_session=db_session, actor=COUNTER, reference=case.reference,
                      status=status, channel=None, note=note)


def _deliver(db_session: Session, config: SourceConfig) -> list[SendResult]:
    transport = PlatformTransport(webhooks=FakeTransport(),
                                  ds=lambda c: HttpDsBackend(c, timeout=2))
    results = []
    for row in db_session.scalars(select(OutboxEvent).order_by(OutboxEvent.created_at)):
        results.append(transport.send(config, Outgoing(
            event_id=webhook_id(row.id), target=row.target, event_type=row.event_type,
            payload=row.payload)))
    return results


def test_the_counter_moves_a_dossier_through_instruction_to_acceptance(
    client: TestClient, db_session: Session, ds: Ds, config: SourceConfig
) -> None:
    case = _hinted(client, db_session, ds, 101)
    _move(db_session, case, CaseStatus.IN_PROGRESS)
    _move(db_session, case, CaseStatus.RESOLVED, note="Inscription validée au guichet")
    assert [r.ok for r in _deliver(db_session, config)] == [True, True]
    assert ds.mutations == [(101, "dossierPasserEnInstruction"), (101, "dossierAccepter")]
    assert ds.dossiers[101]["state"] == "accepte"
    assert ds.dossiers[101]["motivation"] == "Inscription validée au guichet"
    _move(db_session, case, CaseStatus.CLOSED)  # our own filing: DS has decided already
    # Every event again, the older ones late: the decision stands.
    assert [r.ok for r in _deliver(db_session, config)] == [True, True, True]
    assert len(ds.mutations) == 2
    _move(db_session, case, CaseStatus.IN_PROGRESS, note="Pièce manquante")  # reopened
    assert all(r.ok for r in _deliver(db_session, config))
    assert ds.mutations[2:] == [(101, "dossierRepasserEnInstruction")]


def test_a_redelivery_changes_nothing_twice(
    client: TestClient, db_session: Session, ds: Ds, config: SourceConfig
) -> None:
    case = _hinted(client, db_session, ds, 102)
    _move(db_session, case, CaseStatus.CLOSED, note="Doublon d'une demande au guichet")
    first = _deliver(db_session, config)
    again = _deliver(db_session, config)  # a lost answer, a worker killed mid-batch
    assert [r.ok for r in first + again] == [True, True]
    assert ds.mutations == [(102, "dossierPasserEnInstruction"),
                            (102, "dossierClasserSansSuite")]
    assert ds.dossiers[102]["state"] == "sans_suite"


def test_the_motivation_defaults_to_the_reference_and_triggers_can_choose_refusal(
    client: TestClient, db_session: Session, ds: Ds, configure: Callable[..., None],
    factories: ModuleType,
) -> None:
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": TOKEN, "demarches": [4242],
                      "default_service": "scolaire", "instructeur_id": INSTRUCTEUR,
                      "triggers": {"closed": "refuse"}}})
    config = connector_settings(db_session).webhook_sources["ds"]
    factories.ServiceFactory(code="scolaire")
    case = _hinted(client, db_session, ds, 103)
    _move(db_session, case, CaseStatus.CLOSED)
    assert [r.ok for r in _deliver(db_session, config)] == [True]
    assert ds.dossiers[103]["state"] == "refuse"
    assert case.reference[:4] in ds.dossiers[103]["motivation"]


def test_refusals_and_outages_are_retried_and_change_nothing(
    client: TestClient, db_session: Session, ds: Ds, config: SourceConfig
) -> None:
    case = _hinted(client, db_session, ds, 104)
    _move(db_session, case, CaseStatus.IN_PROGRESS)
    ds.instructeurs.clear()  # the configured instructeur lost access to the démarche
    [refused] = _deliver(db_session, config)
    assert not refused.ok and not refused.permanent
    assert "Instructeur inconnu" in (refused.error or "")
    ds.fail_with = 500
    [down] = _deliver(db_session, config)
    assert not down.ok and "500" in (down.error or "")
    assert ds.mutations == [] and ds.dossiers[104]["state"] == "en_construction"
    ds.fail_with = None
    ds.instructeurs.add(INSTRUCTEUR)
    assert [r.ok for r in _deliver(db_session, config)] == [True]
    assert ds.dossiers[104]["state"] == "en_instruction"


def test_a_source_without_instructeur_writes_no_outbox(
    client: TestClient, db_session: Session, ds: Ds, configure: Callable[..., None],
    factories: ModuleType,
) -> None:
    factories.ServiceFactory(code="scolaire")
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": TOKEN, "demarches": [4242],
                      "default_service": "scolaire"}})
    case = _hinted(client, db_session, ds, 105)
    _move(db_session, case, CaseStatus.IN_PROGRESS)
    assert db_session.scalars(select(OutboxEvent)).all() == []


def test_bad_dossier_numbers_and_unknown_states_are_clear_errors(
    config: SourceConfig, ds: Ds
) -> None:
    backend = HttpDsBackend(config, timeout=2)
    try:
        with pytest.raises(DsError, match="Numéro de dossier invalide"):
            push_status(backend=backend, config=config, data={"id": "abc", "status": "closed"})
        with pytest.raises(DsError, match="not found"):
            push_status(backend=backend, config=config, data={"id": "999", "status": "closed"})
        bad = config.model_copy(update={"triggers": {"closed": "archive"}})
        with pytest.raises(DsError, match="inconnu"):
            push_status(backend=backend, config=bad, data={"id": "1", "status": "closed"})
        with pytest.raises(ValueError, match="unknown state"):  # refused at start-up
            SourceConfig.model_validate({"kind": "ds", "triggers": {"closed": "archive"}})
    finally:
        backend.close()
    assert plan("accepte", "en_instruction", previous_status="closed") == [
        "dossierRepasserEnInstruction"]  # a reopening at the counter
    assert plan("accepte", "en_instruction", previous_status="new") == []  # a late retry
    assert plan("refuse", "accepte", previous_status="in_progress") == []


def test_the_worker_delivers_a_batch_in_order_per_dossier(
    migrated_database_url: str, ds: Ds, configure: Callable[..., None]
) -> None:
    """`relais worker`'s path on a committed database: two moves of one dossier claimed in
    the same batch reach DS in the order they were made; other dossiers go alongside."""
    from crm_core.database.engine import make_engine, make_session_factory
    from integrations.outbox.transport import HttpTransport
    from integrations.outbox.worker import deliver_due
    from tests import factories

    factory_module: Any = factories  # factory_boy is untyped
    configure({"ds": {"kind": "ds", "api_url": ds.url, "token": TOKEN, "demarches": [4242],
                      "instructeur_id": INSTRUCTEUR}})
    city = Settings()
    settings = city.section(IntegrationSettings)
    engine = make_engine(migrated_database_url)
    try:
        factory = make_session_factory(engine, city.session_info())
        with factory() as db_session:
            factory_module.bind(db_session)
            service = factory_module.ServiceFactory()
            made = [factory_module.CaseFactory(service=service, external_system="ds",
                                               external_id=str(n)) for n in (201, 202, 203)]
            factory_module.bind(None)
            for number, case in zip((201, 202, 203), made, strict=True):
                ds.dossiers[number] = dossier(number)
                _move(db_session, case, CaseStatus.IN_PROGRESS)
                _move(db_session, case, CaseStatus.RESOLVED, note="Accordé")
            db_session.commit()
        http = HttpTransport(timeout=2, allow_private=True)
        transport = PlatformTransport(webhooks=http, ds=lambda c: HttpDsBackend(c, timeout=2))
        try:
            report = deliver_due(session_factory=factory, transport=transport,
                                 settings=settings, batch=10)
        finally:
            http.close()
        assert (report.claimed, report.delivered) == (6, 6), report.errors
        for number in (201, 202, 203):
            assert [m for n, m in ds.mutations if n == number] == [
                "dossierPasserEnInstruction", "dossierAccepter"]
            assert ds.dossiers[number]["state"] == "accepte"
    finally:
        engine.dispose()


def test_the_motivation_sent_to_ds_carries_no_control_character() -> None:
    """A note stored before the API refused them (or by another path) is cleaned, not
    refused: the worker has nobody to answer; the resident reads it on the platform."""
    sent = motivation({"note": "Pièce\r\nmanquante\u202e ici\x1b[2J\x07", "reference": "X"})
    assert sent == "Pièce\nmanquante ici[2J"
    assert motivation({"note": "\u202e\x1b", "reference": "R-1"}).startswith(
        "Demande traitée par la mairie (référence R-1)")
