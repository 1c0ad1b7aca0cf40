"""Every figure checked against an answer computed by hand on a small fixed dataset."""

from __future__ import annotations

from datetime import date, datetime
from types import ModuleType

import pytest
from sqlalchemy.orm import Session

from crm_core.channels import Channel
from crm_core.reports.query import Scope
from crm_core.reports.rollup import fold_all
from crm_core.reports.schemas import Report, Table
from crm_core.reports.service import build_report
from tests.crm_core.reports.dataset import OCTOBER, World, at, make_world
from tests.support import clock
from tests.support.clock import city_zone


def _report(db_session: Session, name: str, **scope: object) -> Report:
    start, end = OCTOBER
    return build_report(
        db_session=db_session, name=name,
        scope=Scope(start=start, end=end, timezone=city_zone(), **scope),  # type: ignore[arg-type]
    )


def _grid(table: Table) -> dict[str, list[object]]:
    return {row.label: [None if c.suppressed else c.value for c in row.cells]
            for row in table.rows}


def test_channels_counts_shares_and_suppression(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    for who in range(6):
        world.contact(who, Channel.PHONE, at(3 + who))
    world.contact(0, Channel.PHONE, at(4))  # phone: 7 contacts, 6 residents
    for who in range(10, 15):
        world.contact(who, Channel.EMAIL, at(9))  # e-mail: 5 contacts, 5 residents
    world.contact(20, Channel.COUNTER, at(9))
    world.contact(20, Channel.COUNTER, at(10))  # counter: 2 contacts, 1 resident
    world.case(20, Channel.WEB, at(9))  # one case, one resident
    grid = _grid(_report(db_session, "channels").tables[0])
    assert grid["Téléphone"] == [7, 50.0, 0, None]
    # The counter stands for one person: suppressed; e-mail, the smallest other non-zero
    # cell of the column, goes too, or 14 - 7 - 5 would give the counter away.
    assert grid["Guichet"] == [None, None, 0, None]
    assert grid["Courriel"] == [None, None, 0, None]
    # The only case is one resident's: its cell and the total that would repeat it.
    assert grid["En ligne"] == [0, 0.0, None, None]
    assert grid["Total"] == [14, 100.0, None, None]


def test_an_empty_period_is_an_empty_report(db_session: Session, factories: ModuleType) -> None:
    make_world(db_session, factories)
    report = _report(db_session, "month")
    assert report.empty
    assert report.notes[0] == "Aucune donnée sur cette période pour ce périmètre."
    assert _grid(report.tables[0])["Total"] == [0, None, 0, None]


def _web_cases_closed_at_counter(world: World, residents: range) -> None:
    for who in residents:
        case = world.case(who, Channel.WEB, at(2))
        world.contact(who, Channel.COUNTER, at(6), case=case)
        world.resolve(case, Channel.COUNTER, at(6, 11))


def test_journeys_first_contact_delays_and_web_to_counter(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    _web_cases_closed_at_counter(world, range(5))
    # Opened on the 2nd at 10:00, resolved on the 6th at 11:00: 4 days 1 hour = 4.04 days,
    # within the 10 days announced; one exchange each (first contact), at the counter.
    matrix, summary = _report(db_session, "journeys").tables
    assert _grid(matrix)["En ligne"] == [0, 5, 0, 0, 0, 0, 0, 5]  # ..., SMS, total
    assert _grid(summary)["En ligne"] == [5, 100.0, 100.0, 4.0, 100.0, 100.0]
    assert _grid(summary)["Total"] == [5, 100.0, 100.0, 4.0, 100.0, 100.0]


def test_journeys_complementary_suppression_in_both_directions(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    _web_cases_closed_at_counter(world, range(5))
    lone = world.case(9, Channel.PHONE, at(3))
    world.resolve(lone, Channel.PHONE, at(4))
    grid = _grid(_report(db_session, "journeys").tables[0])
    # One resident phoned: that cell goes, then every cell that would give it back by
    # difference (its row and column totals, then the web → counter cell and the web
    # total); only the grand total, 6, is left.
    assert grid["Téléphone"] == [0, 0, None, 0, 0, 0, 0, None]
    assert grid["En ligne"] == [0, None, 0, 0, 0, 0, 0, None]
    assert grid["Total"] == [0, None, None, 0, 0, 0, 0, 6]


def test_waiting_times_at_the_counter(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    waits = [300, 600, 900, 900, 600, 1200, 1500, 1800, 1000, 1100]
    for index, wait in enumerate(waits):
        world.ticket(index, at(5, 9, index), wait=wait, service_time=300, number=index + 1)
    grid = _grid(_report(db_session, "waiting").tables[0])
    # Mean wait 9,900 s / 10 = 16.5 min; 5 of 10 waited 15 min or less; service 5 min.
    assert grid["État civil"] == [10, 16.5, 50.0, 5.0]
    assert grid["Total"] == [10, 16.5, 50.0, 5.0]


def test_calls_offered_answered_abandoned(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    agent = factories.AgentFactory(site=world.nord)
    for index, after in enumerate([10, 20, 30, 40, 50, 70, 80, 90, 100, 110]):
        world.call(f"+3361000{index:04d}", at(8, 9, index), answer_after=after,
                   agent_id=agent.id)
    for index in range(5):
        world.call(f"+3362000{index:04d}", at(8, 10, index), answer_after=None)
    grid = _grid(_report(db_session, "calls").tables[0])
    # 10 answered of 15 offered (66.7 %), 5 of them within 60 s, 600 s / 10 = 60 s mean.
    assert grid["Mairie Nord"] == [10, 10, 0, 100.0, 50.0, 60.0]
    assert grid["Non attribué"] == [5, 0, 5, 0.0, None, None]
    assert grid["Total"] == [15, 10, 5, 66.7, 50.0, 60.0]


def test_themes_and_an_emerging_theme(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    for who in range(5):
        world.case(who, Channel.WEB, at(20), service=world.voirie)
    for who in range(100, 120):
        world.case(who, Channel.PHONE, at(30), service=world.voirie)
    themes, emerging = _report(db_session, "themes").tables
    assert _grid(themes)["Voirie"] == [25, 0, 0, 0, 0, 25]
    row = _grid(emerging)["Voirie"]
    # 5 then 20: P(X ≥ 20 | X ~ B(25, 1/2)) = 68,406 / 2^25 = 0.0020 (one theme: Holm = p).
    assert row[:3] == [5, 20, 300.0]
    assert row[3] == 0.002
    assert row[4] == "oui"


def test_a_running_month_compares_its_last_complete_weeks(
    db_session: Session, factories: ModuleType
) -> None:
    # On 22 October the month runs on: its last 14 days (18–31) are mostly future, and
    # empty. The weeks compared are the two complete ones before today: 8–14 and 15–21.
    with clock.starting_at(datetime(2026, 10, 22, 10, 0, tzinfo=clock.PARIS)):
        world = make_world(db_session, factories)
        for who in range(5):
            world.case(who, Channel.WEB, at(10), service=world.voirie)
        for who in range(100, 120):
            world.case(who, Channel.PHONE, at(17), service=world.voirie)
        emerging = _report(db_session, "themes").tables[1]
    assert [column.label for column in emerging.columns[:2]] == ["Du 08/10 au 14/10",
                                                                 "Du 15/10 au 21/10"]
    assert _grid(emerging)["Voirie"][:3] == [5, 20, 300.0]
    assert _grid(emerging)["Voirie"][4] == "oui"


def test_a_site_filter_keeps_that_site_only(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    for who in range(5):
        world.contact(who, Channel.COUNTER, at(3), site=world.nord)
        world.contact(who + 10, Channel.COUNTER, at(3), site=world.sud)
    world.contact(30, Channel.COUNTER, at(3), site=world.sud)
    nord = _grid(_report(db_session, "channels", site=world.nord).tables[0])
    sud = _grid(_report(db_session, "channels", site=world.sud).tables[0])
    assert nord["Guichet"][0] == 5
    assert sud["Guichet"][0] == 6
    assert _grid(_report(db_session, "channels").tables[0])["Guichet"][0] == 11


def test_no_names_ids_or_free_text_in_a_report(db_session: Session, factories: ModuleType) -> None:
    world = make_world(db_session, factories)
    _web_cases_closed_at_counter(world, range(6))
    text = str(_report(db_session, "month").as_dict())
    for resident in world.residents:
        assert str(resident.id) not in text
        assert resident.family_name not in text
    assert "Sujet libre" not in text


def test_writes_into_a_closed_period_count_nobody_so_they_are_suppressed(
    db_session: Session, factories: ModuleType
) -> None:
    """Late writes into a period whose presence sets are gone add to the counts, not to
    the residents: a count with no known residents is never published."""
    world = make_world(db_session, factories)
    for who in range(6):
        world.contact(who, Channel.PHONE, at(3 + who))
    fold_all(db_session=db_session, timezone=city_zone(),
             today=date(2027, 1, 1))  # October long closed
    grid = _grid(_report(db_session, "channels").tables[0])
    assert grid["Téléphone"][0] is None


def test_calls_by_queue_are_cut_by_the_service_of_that_code(
    db_session: Session, factories: ModuleType
) -> None:
    world = make_world(db_session, factories)
    agent = factories.AgentFactory(site=world.nord)
    calls = [("etat-civil", [10, 20, 30, 40, 50, 70, 80, 90, 100, 110]),
             ("voirie", [10, 20, 30, 40, 50])]
    for queue, waits in calls:
        for index, after in enumerate(waits):
            world.call(f"+336{len(queue)}00{index:04d}", at(8, 9, index), answer_after=after,
                       agent_id=agent.id, queue=queue)
    for index in range(5):  # a queue named after no service, and calls lost there
        world.call(f"+3362000{index:04d}", at(8, 10, index), answer_after=None,
                   queue="standard")
    by_site, by_queue = _report(db_session, "calls").tables
    assert by_queue.row_header == "File (service)"
    grid = _grid(by_queue)
    # État civil: 10 answered, 5 within 60 s, 600 s / 10 = 60 s; Voirie: 5 of 5 within
    # 60 s, 150 s / 5 = 30 s; all: 15 of 20 answered, 10 of 15 within 60 s, 750 s / 15.
    assert grid["État civil"] == [10, 10, 0, 100.0, 50.0, 60.0]
    assert grid["Voirie"] == [5, 5, 0, 100.0, 100.0, 30.0]
    assert grid["File sans service correspondant"] == [5, 0, 5, 0.0, None, None]
    assert grid["Total"] == [20, 15, 5, 75.0, 66.7, 50.0]
    assert _grid(by_site)["Total"] == grid["Total"]
    only_voirie = _report(db_session, "calls", service=world.voirie).tables
    assert _grid(only_voirie[1]) == {"Voirie": [5, 5, 0, 100.0, 100.0, 30.0],
                                     "Total": [5, 5, 0, 100.0, 100.0, 30.0]}
    assert _grid(only_voirie[0])["Mairie Nord"] == [5, 5, 0, 100.0, 100.0, 30.0]


@pytest.mark.parametrize(("start", "end", "why"), [
    (date(2026, 12, 8), date(2026, 12, 31), "pas encore commencé"),  # from tomorrow
    (date(2027, 1, 1), date(2027, 1, 31), "pas encore commencé"),  # next month
    (date(2027, 12, 25), date(2027, 12, 31), "pas encore commencé"),
    (date(2026, 11, 28), date(2026, 12, 31), "moins de deux semaines"),  # 9 days done
])
def test_no_weeks_compared_outside_the_period(
    db_session: Session, factories: ModuleType, start: date, end: date, why: str
) -> None:
    # On 7 December, the weeks of 23/11 and 30/11 were once compared for any of these.
    with clock.starting_at(datetime(2026, 12, 7, 10, 0, tzinfo=clock.PARIS)):
        world = make_world(db_session, factories)
        for who in range(5):
            world.case(who, Channel.WEB, datetime(2026, 11, 25, 10, tzinfo=clock.PARIS),
                       service=world.voirie)
        for who in range(100, 120):
            world.case(who, Channel.WEB, datetime(2026, 12, 2, 10, tzinfo=clock.PARIS),
                       service=world.voirie)
        report = build_report(db_session=db_session, name="themes",
                              scope=Scope(timezone=city_zone(), start=start, end=end))
    emerging = report.tables[1]
    assert emerging.rows == [] and why in emerging.note
    assert report.empty == (start > date(2026, 12, 7))
