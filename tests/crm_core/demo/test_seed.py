"""`seed_demo` on both engines: seeded once per engine for the module, rolled back after."""

from __future__ import annotations

import functools
from collections.abc import Iterator
from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, distinct, func, select
from sqlalchemy.orm import Session

from crm_core.agents import service as agents_service
from crm_core.agents.models import Agent
from crm_core.agents.security import hash_password
from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.cases.models import Case, CaseStatusChange
from crm_core.cases.reference import normalize
from crm_core.channels import Channel
from crm_core.config import get_settings
from crm_core.database.base import utcnow
from crm_core.demo.catalogue import DEMO_USERNAMES, ONLINE_ACCOUNT_PROVIDER
from crm_core.demo.seed import DemoAlreadySeeded, DemoSummary, seed_demo
from crm_core.interactions.enums import Direction
from crm_core.interactions.models import Interaction
from crm_core.privacy.models import AccessLog
from crm_core.recognition import service as recognition
from crm_core.residents.contacts import normalize_phone
from crm_core.residents.models import AccountLink, ContactPoint, Resident
from tests.crm_core.conftest import sign_in
from tests.support.clock import city_day

RESIDENTS = 40


@pytest.fixture(scope="module")
def db_session(engine: Engine) -> Iterator[Session]:
    """Overrides the per-test session: the demo is seeded once per engine for this module."""
    connection = engine.connect()
    transaction = connection.begin()
    session = Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False,
        autoflush=False,
    )
    try:
        yield session
    finally:
        session.close()
        transaction.rollback()
        connection.close()


@pytest.fixture(scope="module")
def summary(db_session: Session) -> DemoSummary:
    # Argon2 is slow on purpose: hash the one demo password once, not once per agent.
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(agents_service, "hash_password", functools.cache(hash_password))
        return seed_demo(db_session=db_session, residents=RESIDENTS,
                         timezone=get_settings().timezone)


def example(summary: DemoSummary, label: str) -> tuple[str, ...]:
    found = [e for e in summary.examples if e.label == label]
    assert found, [e.label for e in summary.examples]
    item = found[0]
    return str(item.resident_id), item.phone or "", item.case_reference or "", item.name


def test_summary_counts_what_was_written(db_session: Session, summary: DemoSummary) -> None:
    assert summary.residents == RESIDENTS
    assert db_session.scalar(select(func.count()).select_from(Resident)) == RESIDENTS
    assert db_session.scalar(select(func.count()).select_from(Case)) == summary.cases
    assert db_session.scalar(select(func.count()).select_from(Interaction)) == (
        summary.interactions
    )
    assert db_session.scalar(select(func.count()).select_from(AccountLink)) == summary.accounts
    assert len(summary.hints()) == len(summary.examples) >= 4


def test_demo_agents_sign_in_with_the_demo_password(
    client: TestClient, db_session: Session, summary: DemoSummary
) -> None:
    for username in DEMO_USERNAMES:
        headers = sign_in(client, username, "demo")
        assert client.get("/api/v1/auth/me", headers=headers).json()["username"] == username
    telephone = db_session.scalar(select(Agent).where(Agent.username == "telephone"))
    assert telephone is not None and telephone.phone_extension == "201"
    assert telephone.role == "phone" and telephone.site is not None
    assert telephone.site.name == "Allô mairie"


def test_every_channel_kind_and_status_appears(db_session: Session, summary: DemoSummary) -> None:
    # SMS carries reminders only, sent by `relais reminders send`, not by the demo's history.
    channels = set(Channel) - {Channel.SMS}
    assert set(db_session.scalars(select(Case.origin_channel).distinct())) == channels
    assert set(db_session.scalars(select(Case.kind).distinct())) == set(CaseKind)
    assert set(db_session.scalars(select(Case.status).distinct())) == set(CaseStatus)
    assert set(db_session.scalars(select(Interaction.channel).distinct())) == channels
    assert set(db_session.scalars(select(Interaction.direction).distinct())) == set(Direction)


def test_cases_cross_channels(db_session: Session, summary: DemoSummary) -> None:
    """A request filed online, a phone call about it, a counter visit, then closed."""
    journeys = db_session.execute(
        select(Case.reference)
        .join(Interaction, Interaction.case_id == Case.id)
        .where(Case.origin_channel == Channel.WEB, Case.status == CaseStatus.CLOSED)
        .group_by(Case.reference)
        .having(func.count(distinct(Interaction.channel)) >= 3)
    ).all()
    assert journeys
    _, _, reference, _ = example(summary, "Déposée en ligne, reconnue au guichet")
    case = db_session.scalar(select(Case).where(Case.reference == normalize(reference)))
    assert case is not None and case.origin_channel == Channel.WEB
    assert case.external_system == "publik" and case.external_id
    channels = set(db_session.scalars(
        select(Interaction.channel).where(Interaction.case_id == case.id)
    ))
    assert {Channel.WEB, Channel.PHONE} <= channels
    assert db_session.scalar(
        select(AccountLink.subject).where(AccountLink.resident_id == case.resident_id,
                                          AccountLink.provider == ONLINE_ACCOUNT_PROVIDER)
    )


def test_status_histories_are_consistent(db_session: Session, summary: DemoSummary) -> None:
    changes = db_session.execute(
        select(CaseStatusChange.case_id, CaseStatusChange.from_status,
               CaseStatusChange.to_status)
        .order_by(CaseStatusChange.case_id, CaseStatusChange.changed_at)
    ).all()
    last: dict[object, CaseStatus | None] = {}
    for case_id, from_status, to_status in changes:
        assert last.get(case_id) == from_status
        last[case_id] = to_status
    statuses = {row.id: row.status for row in db_session.execute(select(Case.id, Case.status))}
    assert last == statuses


def test_history_spans_four_months(db_session: Session, summary: DemoSummary) -> None:
    now = utcnow()
    oldest_case = db_session.scalar(select(func.min(Case.opened_at)))
    assert oldest_case is not None and now - oldest_case > timedelta(days=60)
    assert db_session.scalar(select(func.max(Case.opened_at))) <= now  # type: ignore[operator]
    oldest_access = db_session.scalar(select(func.min(AccessLog.occurred_at)))
    assert oldest_access is not None and now - oldest_access > timedelta(days=60)
    old_contacts = db_session.scalar(
        select(func.count()).select_from(Interaction)
        .where(Interaction.case_id.is_(None), Interaction.occurred_at < now - timedelta(days=31))
    )
    assert old_contacts


def test_summary_of_the_example_resident(client: TestClient, summary: DemoSummary) -> None:
    resident_id, phone, reference, name = example(
        summary, "Déposée en ligne, reconnue au guichet"
    )
    headers = sign_in(client, "accueil", "demo")
    response = client.get(f"/api/v1/residents/{resident_id}/summary", headers=headers)
    assert response.status_code == 200, response.text
    body = response.json()
    assert f"{body['resident']['given_name']} {body['resident']['family_name']}" == name
    assert normalize(reference) in {c["reference"] for c in body["open_cases"]}
    assert normalize_phone(phone) in {normalize_phone(p["display"])
                                      for p in body["contact_points"] if p["kind"] == "phone"}
    assert {"web", "phone"} <= {i["channel"] for i in body["recent_interactions"]}


def test_examples_are_found_by_phone(db_session: Session, summary: DemoSummary) -> None:
    resident_id, phone, _, _ = example(summary, "Appel d'un numéro connu")
    assert str(recognition.by_phone(db_session=db_session, phone_region="FR",
                                    phone=phone)) == resident_id
    _, shared, _, _ = example(summary, "Numéro partagé par un foyer")
    with pytest.raises(recognition.AmbiguousMatch):
        recognition.by_phone(db_session=db_session, phone_region="FR", phone=shared)
    resident_id, _, reference, _ = example(summary, "Recherche par référence")
    assert str(recognition.by_reference(db_session=db_session, reference=reference)) == (
        resident_id
    )


def test_seeding_twice_is_refused(db_session: Session, summary: DemoSummary) -> None:
    with pytest.raises(DemoAlreadySeeded):
        seed_demo(db_session=db_session, residents=5, timezone=get_settings().timezone)


def test_reminder_bundles_have_dates_ahead_and_some_residents_opted_in(
    db_session: Session, summary: DemoSummary
) -> None:
    from sqlalchemy import func, select

    from crm_core.consent.service import may_contact
    from crm_core.privacy.enums import ConsentPurpose
    from crm_core.reminders.models import ReminderBundle, ReminderDate, ReminderSubscription

    assert db_session.scalar(select(func.count()).select_from(ReminderBundle)) == 4
    assert db_session.scalar(select(func.min(ReminderDate.occurs_on))) is not None
    subscribers = set(db_session.scalars(select(ReminderSubscription.resident_id)))
    assert subscribers
    assert all(may_contact(db_session=db_session, resident_id=r,
                           purpose=ConsentPurpose.REMINDERS) for r in subscribers)


def test_the_demo_gives_one_answer_about_contact_everywhere(
    db_session: Session, summary: DemoSummary
) -> None:
    # Issue 19: a point "contact accepté" at the counter while "Mes choix" said no. In the
    # demo, a point kept for contact comes with the resident's yes to its way, and the
    # counter's card, the space and the sending paths read the same `contact_ways`.
    from crm_core.consent.contactability import ContactWay, point_for
    from crm_core.summary.service import build_summary

    ids = list(db_session.scalars(select(Resident.id).limit(RESIDENTS)))
    reachable = 0
    for resident_id in ids:
        points = build_summary(db_session=db_session, resident_id=resident_id,
                               today=city_day())["contact_points"]
        for point in points:
            if point["contact_allowed"] and point["kind"] == "email":
                assert point["contact_ways"] == ["email"], point
        has_email = any(p["contact_ways"] for p in points if p["kind"] == "email")
        usable = point_for(db_session=db_session, resident_id=resident_id,
                           way=ContactWay.EMAIL)
        assert has_email == (usable is not None)
        reachable += has_email
    assert reachable  # the demo shows residents the mairie may contact


@pytest.mark.parametrize("region", ["FR", "BE", "CH", "US"])
def test_the_printed_numbers_name_the_same_phone_in_any_region(
    db_session: Session, summary: DemoSummary, region: str
) -> None:
    """Outside look at issue 21: « 06 89 07 28 29 » and `phone ring 0689072829` are French
    national writings; with RELAIS_DEFAULT_PHONE_REGION=BE they named another number."""
    stored = set(db_session.scalars(select(ContactPoint.value)))
    printed = [example.phone for example in summary.examples if example.phone]
    assert printed
    for phone in printed:
        assert normalize_phone(phone, region=region) in stored, phone
        assert normalize_phone(phone.replace(" ", ""), region=region) in stored, phone
