"""The demo's catalogue and planned story, without a database."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from crm_core.cases.enums import CaseKind, CaseStatus
from crm_core.cases.workflow import check_transition
from crm_core.channels import Channel
from crm_core.demo import notes
from crm_core.demo.catalogue import DEMO_AGENTS, OTHER_AGENTS, SERVICES, SITES
from crm_core.demo.examples import sloppy_spelling
from crm_core.demo.names import FAMILY_NAMES, GIVEN_NAMES, all_given_names
from crm_core.demo.places import COMMUNES
from crm_core.demo.plan import plan_demo
from crm_core.demo.story import DemoPlan
from crm_core.residents.contacts import normalize_email, normalize_phone

NOW = datetime(2026, 6, 15, 10, 30, tzinfo=UTC)


@pytest.fixture(scope="module")
def plan() -> DemoPlan:
    return plan_demo(residents=120, rng_seed=2026, now=NOW)


def test_the_catalogue_is_rich_french_and_well_formed() -> None:
    assert len(all_given_names()) >= 140
    assert len(FAMILY_NAMES) >= 200
    assert {"Élodie", "Loïc", "Anaïs", "Jérôme", "Hélène", "François", "Maëlle", "Noël"} <= set(
        all_given_names()
    )
    assert {"Le Goff", "N'Diaye", "Dupont-Moreau", "de La Fontaine", "Nguyen"} <= {
        name for name, _ in FAMILY_NAMES
    }
    assert all(re.fullmatch(r"\d{5}", c.insee_code) for c in COMMUNES)
    assert all(re.fullmatch(r"35\d{3}", p) for c in COMMUNES for p in c.postal_codes)
    for service in SERVICES:
        assert re.fullmatch(r"[a-z0-9][a-z0-9_-]{1,49}", service.code)
        assert 0 < service.announced_delay_days <= 365
    assert {s.kind for service in SERVICES for s in service.subjects} == set(CaseKind)
    assert {site.kind for site in SITES} >= {"town_hall", "annex", "call_centre"}
    assert len({a.username for a in DEMO_AGENTS + OTHER_AGENTS}) == len(DEMO_AGENTS + OTHER_AGENTS)


def test_catalogue_text_is_safe_for_copy() -> None:
    """The bulk loader writes COPY text without escaping: no tab, newline nor backslash."""
    texts = [n for names in GIVEN_NAMES.values() for n, _ in names]
    texts += [n for n, _ in FAMILY_NAMES]
    texts += [s.subject for service in SERVICES for s in service.subjects]
    texts += [n for pool in notes.STANDALONE.values() for n in pool] + list(notes.FOLLOW_UP)
    assert not [t for t in texts if re.search(r"[\t\n\r\\]", t)]


def test_the_plan_is_deterministic() -> None:
    first = plan_demo(residents=50, rng_seed=7, now=NOW)
    second = plan_demo(residents=50, rng_seed=7, now=NOW)
    other = plan_demo(residents=50, rng_seed=8, now=NOW)
    assert first == second
    assert [p.given_name for p in first.people] != [p.given_name for p in other.people]


def test_the_first_resident_is_camille_durand(plan: DemoPlan) -> None:
    camille = plan.people[0]
    assert (camille.given_name, camille.family_name) == ("Camille", "Durand")
    assert camille.account_subject
    assert sloppy_spelling("Camille", "Durand") == "camile durant"


def test_every_channel_kind_and_status_is_planned(plan: DemoPlan) -> None:
    origins = set(Channel) - {Channel.SMS}  # the city's SMS only go out (reminders)
    assert {c.origin for c in plan.cases} == origins
    assert {c.kind for c in plan.cases} == set(CaseKind)
    assert {c.final_status for c in plan.cases} == set(CaseStatus)
    assert {(c.origin, c.kind) for c in plan.cases} == {(ch, k) for ch in origins for k in CaseKind}


@pytest.mark.parametrize("day", range(7))  # office hours and weekends shift moments
def test_planned_moves_follow_the_workflow_and_time(day: int) -> None:
    now = NOW + timedelta(days=day, hours=5 * day)
    plan = plan_demo(residents=60, rng_seed=day, now=now)
    for case in plan.cases:
        status, at = CaseStatus.NEW, case.opened_at
        assert case.opened_at < now
        for step in case.steps:
            assert at <= step.at < now
            if step.status is not None:
                check_transition(status, step.status)
                status = step.status
            at = step.at
        if case.origin is Channel.WEB:
            assert case.agent is None and case.external_id
        else:
            assert case.agent


def test_residents_exist_and_are_linked_before_they_act(plan: DemoPlan) -> None:
    for case in plan.cases:
        online = [case.opened_at] if case.origin is Channel.WEB else []
        online += [step.at for step in case.steps if step.channel is Channel.WEB]
        if online:  # whoever acts online has an online account, linked beforehand
            linked = plan.registrations[case.person].account_linked_at
            assert plan.people[case.person].account_subject
            assert linked is not None and linked <= min(online)
    for registration, person in zip(plan.registrations, plan.people, strict=True):
        own = [c.opened_at for c in plan.cases if c.person == person.index]
        own += [c.at for c in plan.contacts if c.person == person.index]
        assert own and registration.at < min(own)


def test_contact_points_are_valid_and_some_landlines_are_shared(plan: DemoPlan) -> None:
    owners: dict[str, int] = {}
    for person in plan.people:
        for phone in person.phones:
            assert normalize_phone(phone.written) == phone.e164
            owners[phone.e164] = owners.get(phone.e164, 0) + 1
        for email in person.emails:
            assert normalize_email(email.address) == email.address
            assert email.address.rsplit("@", 1)[1].endswith(("example.org", "example.com",
                                                             "example.net"))
    mobiles = {p.e164 for person in plan.people for p in person.phones if p.label == "mobile"}
    assert all(owners[m] == 1 for m in mobiles)
    assert any(count > 1 for count in owners.values())


@pytest.mark.parametrize("hour", range(0, 24, 1))
def test_every_exchange_is_over_by_now_whatever_the_hour(hour: int) -> None:
    """`relais demo` failed at 11:35 UTC on a Monday: an exchange started ten minutes ago
    and lasting twenty ended ahead of the clock, which the service refuses."""
    now = datetime(2026, 12, 7, hour, 35, tzinfo=UTC)
    for rng_seed in (2026, 7):
        plan = plan_demo(residents=300, rng_seed=rng_seed, now=now)
        for contact in plan.contacts:
            ends = contact.at + timedelta(minutes=contact.minutes or 0)
            assert ends <= now, (contact, now)
