"""The tables of each report, from roll-up cells (suppression comes after, in `service`)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy.orm import Session

from crm_core.agents.models import Site
from crm_core.cases.models import Service
from crm_core.config import city_today
from crm_core.reports import labels
from crm_core.reports.emerging import trends
from crm_core.reports.models import NONE_ID
from crm_core.reports.periods import last_complete_day
from crm_core.reports.query import Agg, Read, Scope, combined, marginal, names, read_cells
from crm_core.reports.schemas import COUNT, FLAG, MEAN, SHARE, Cell, Chart, Column, Row, Table

Spot = tuple[int, int]


def count(agg: Agg | None) -> Cell:
    agg = agg or Agg()
    return Cell(COUNT, agg.n, residents=agg.residents)


def share(numerator: int, denominator: int, *bases: Spot) -> Cell:
    value = round(100 * numerator / denominator, 1) if denominator else None
    return Cell(SHARE, value, numerator=numerator, denominator=denominator, bases=list(bases))


def mean(total: float, n: int, divisor: float, *bases: Spot) -> Cell:
    return Cell(MEAN, round(total / n / divisor, 1) if n else None, bases=list(bases))


def _vertical(table: Table, *columns: int) -> None:
    table.lines += [[(r, c) for r in range(len(table.rows))] for c in columns]


def channels(db_session: Session, scope: Scope) -> list[Table]:
    contacts = read_cells(db_session=db_session, kind="contact", scope=scope)
    opened = read_cells(db_session=db_session, kind="case", scope=scope)
    by_contact, by_case = contacts.by("channel"), opened.by("channel")
    all_contacts, all_cases = combined(by_contact.values()), combined(by_case.values())
    table = Table(
        key="channels", title="Contacts et demandes ouvertes par canal", row_header="Canal",
        columns=[Column("Contacts"), Column("Part des contacts", "%"),
                 Column("Demandes ouvertes"), Column("Part des demandes", "%")],
        chart=Chart(0, "Contacts par canal", "Nombre de contacts"),
    )
    for r, (channel, label) in enumerate(labels.CHANNELS.items()):
        c, k = by_contact.get(channel, Agg()), by_case.get(channel, Agg())
        table.rows.append(Row(label, [count(c), share(c.n, all_contacts.n, (r, 0)),
                                      count(k), share(k.n, all_cases.n, (r, 2))]))
    r = len(table.rows)
    table.rows.append(Row(labels.TOTAL, [
        count(all_contacts), share(all_contacts.n, all_contacts.n, (r, 0)),
        count(all_cases), share(all_cases.n, all_cases.n, (r, 2)),
    ], total=True))
    _vertical(table, 0, 2)
    return [table]


def journeys(db_session: Session, scope: Scope) -> list[Table]:
    resolved = read_cells(db_session=db_session, kind="resolution", scope=scope)
    matrix = resolved.by("channel", "detail")
    by_origin, by_end = marginal(matrix, 0), marginal(matrix, 1)
    everything = combined(matrix.values())
    codes = list(labels.CHANNELS)
    crossing = Table(
        key="journeys_matrix", row_header="Canal d'origine",
        title="Demandes résolues : canal d'origine (lignes) et canal de résolution (colonnes)",
        columns=[*(Column(labels.CHANNELS[c]) for c in codes), Column(labels.TOTAL)],
    )
    for origin in codes:
        crossing.rows.append(Row(labels.CHANNELS[origin], [
            *(count(matrix.get((origin, end))) for end in codes), count(by_origin.get(origin)),
        ]))
    crossing.rows.append(Row(labels.TOTAL, [
        *(count(by_end.get(end)) for end in codes), count(everything)], total=True))
    width = len(codes) + 1
    crossing.lines = [[(r, c) for c in range(width)] for r in range(width)]
    _vertical(crossing, *range(width))
    summary = Table(
        key="journeys", title="Parcours et résolution selon le canal d'origine",
        row_header="Canal d'origine",
        columns=[Column("Demandes résolues"), Column("Parcours multicanal", "%"),
                 Column("Résolues au premier contact", "%"),
                 Column("Délai moyen de résolution", "jours"),
                 Column("Résolues dans le délai annoncé", "%"),
                 Column("Terminées au guichet", "%")],
        chart=Chart(3, "Délai moyen de résolution par canal d'origine", "Délai (jours)"),
    )
    groups = [(labels.CHANNELS[c], by_origin.get(c, Agg()), c) for c in codes]
    for r, (label, agg, code) in enumerate([*groups, (labels.TOTAL, everything, None)]):
        at_counter = matrix.get((code, "counter")) if code else by_end.get("counter")
        at_counter = at_counter or Agg()
        summary.rows.append(Row(label, [
            count(agg), share(agg.flag2, agg.n, (r, 0)), share(agg.flag1, agg.n, (r, 0)),
            mean(agg.sum1, agg.n, 86400, (r, 0)), share(agg.ok, agg.due, (r, 0)),
            share(at_counter.n, agg.n, (r, 0)),
        ], total=code is None))
    _vertical(summary, 0)
    summary.note = ("« Terminées au guichet » sur la ligne « En ligne » : part des demandes "
                    "commencées en ligne et closes à un guichet.")
    return [crossing, summary]


def _labelled(
    db_session: Session, groups: dict[Any, Agg], model: type[Site] | type[Service],
    fallback: str | None = None,
) -> list[tuple[str, Any, Agg]]:
    """(label, key, figures) sorted by label; the all-zero id is "no site" / "no service"."""
    found = names(db_session, model, [key for key in groups if key != NONE_ID])
    fallback = fallback or (labels.NO_SITE if model is Site else labels.NO_SERVICE)
    rows = [(found.get(key, fallback), key, agg) for key, agg in groups.items()]
    return sorted(rows, key=lambda item: (item[0], str(item[1])))


def waiting(db_session: Session, scope: Scope) -> list[Table]:
    tickets = read_cells(db_session=db_session, kind="ticket", scope=scope)
    table = Table(
        key="waiting", title="Attente et service aux guichets, par service",
        row_header="Service",
        columns=[Column("Tickets servis"), Column("Attente moyenne", "min"),
                 Column("Attente de 15 min au plus", "%"),
                 Column("Durée moyenne de service", "min")],
        chart=Chart(1, "Attente moyenne aux guichets", "Attente moyenne (minutes)"),
    )
    per_service = tickets.by("service_id")
    rows = _labelled(db_session, per_service, Service)
    entries = [(label, agg) for label, _, agg in rows]
    entries.append((labels.TOTAL, combined(per_service.values())))
    for r, (label, agg) in enumerate(entries):
        table.rows.append(Row(label, [
            count(agg), mean(agg.sum1, agg.n, 60, (r, 0)), share(agg.ok, agg.n, (r, 0)),
            mean(agg.sum2, agg.n, 60, (r, 0)),
        ], total=r == len(entries) - 1))
    _vertical(table, 0)
    return [table]


_CALL_COLUMNS = ("Appels offerts", "Décrochés", "Abandonnés", ("Taux de décroché", "%"),
                 ("Décrochés en 60 s au plus", "%"), ("Temps moyen avant décroché", "s"))


def _calls_table(
    db_session: Session, split: dict[Any, Agg], model: type[Site] | type[Service], **table: Any
) -> Table:
    """Calls offered / answered / abandoned per site or per service (queue), from cells
    split by (site or service, outcome)."""
    found = Table(
        columns=[Column(c) if isinstance(c, str) else Column(*c) for c in _CALL_COLUMNS],
        **table)
    fallback = labels.NO_QUEUE_SERVICE if model is Service else None
    entries = [
        (label, agg, split.get((key, "answered"), Agg()), split.get((key, "abandoned"), Agg()))
        for label, key, agg in _labelled(db_session, marginal(split, 0), model, fallback)
    ]
    outcomes = marginal(split, 1)
    entries.append((labels.TOTAL, combined(split.values()), outcomes.get("answered", Agg()),
                    outcomes.get("abandoned", Agg())))
    for r, (label, offered, picked, lost) in enumerate(entries):
        found.rows.append(Row(label, [
            count(offered), count(picked), count(lost), share(picked.n, offered.n, (r, 0)),
            share(picked.ok, picked.n, (r, 1)), mean(picked.sum1, picked.n, 1, (r, 1)),
        ], total=r == len(entries) - 1))
    found.lines = [[(r, 1), (r, 2), (r, 0)] for r in range(len(entries))]
    _vertical(found, 0, 1, 2)
    return found


def calls(db_session: Session, scope: Scope) -> list[Table]:
    found = read_cells(db_session=db_session, kind="call", scope=scope)
    by_site = _calls_table(
        db_session, found.by("site_id", "detail"), Site,
        key="calls", title="Appels entrants, par site qui a décroché", row_header="Site",
        chart=Chart(3, "Taux de décroché (objectif : 85 %)", "Appels décrochés (%)"),
        note="Un appel abandonné avant toute réponse n'est rattaché à aucun site.",
    )
    by_queue = _calls_table(
        db_session, found.by("service_id", "detail"), Service,
        key="calls_queues", title="Appels entrants, par file d'attente (service)",
        row_header="File (service)",
        chart=Chart(3, "Taux de décroché par file (objectif : 85 %)",
                    "Appels décrochés (%)"),
        note=("La file est celle que le standard a indiquée ; elle est rattachée au service "
              "de même code (par exemple « etat-civil »)."),
    )
    return [by_site, by_queue]


def themes(db_session: Session, scope: Scope) -> list[Table]:
    opened = read_cells(db_session=db_session, kind="case", scope=scope)
    kinds = list(labels.KINDS)
    grid = opened.by("service_id", "detail")
    by_theme, by_kind = marginal(grid, 0), marginal(grid, 1)
    table = Table(
        key="themes", title="Demandes ouvertes par thème et par nature", row_header="Thème",
        columns=[*(Column(labels.KINDS[k]) for k in kinds), Column(labels.TOTAL)],
        chart=Chart(len(kinds), "Demandes ouvertes par thème", "Nombre de demandes"),
    )
    for label, key, agg in _labelled(db_session, by_theme, Service):
        table.rows.append(Row(label, [
            *(count(grid.get((key, kind))) for kind in kinds), count(agg)]))
    table.rows.append(Row(labels.TOTAL, [
        *(count(by_kind.get(kind)) for kind in kinds), count(combined(grid.values()))],
        total=True))
    width = len(kinds) + 1
    table.lines = [[(r, c) for c in range(width)] for r in range(len(table.rows))]
    _vertical(table, *range(width))
    return [table, _emerging(db_session, scope)]


def _fortnight_end(scope: Scope) -> date:
    """The last day of the two weeks compared: the period's last complete day, so that a
    running month compares the weeks just past, not its future (empty) ones."""
    return last_complete_day(scope.end, city_today(scope.timezone))


def _fortnight(scope: Scope) -> list[tuple[str, date]]:
    """The 14 days up to `_fortnight_end`, as day cells (the two weeks compared); none
    when the period holds fewer than 14 complete days (not started, or too short): weeks
    outside the period would be compared in its name."""
    end = _fortnight_end(scope)
    if end - timedelta(days=13) < scope.start:
        return []
    return [("d", end - timedelta(days=offset)) for offset in range(14)]


def _no_fortnight(scope: Scope) -> Table:
    why = ("la période n'a pas encore commencé" if _fortnight_end(scope) < scope.start
           else "la période compte moins de deux semaines complètes")
    return Table(
        key="emerging", title="Thèmes en hausse d'une semaine à l'autre", row_header="Thème",
        columns=[Column("Semaine précédente"), Column("Dernière semaine"),
                 Column("Évolution", "%"), Column("p ajustée (Holm)"), Column("En hausse")],
        note=f"Pas de comparaison : {why}.",
    )


def _emerging(db_session: Session, scope: Scope) -> Table:
    fortnight = _fortnight(scope)
    if not fortnight:
        return _no_fortnight(scope)
    end = _fortnight_end(scope)
    daily = read_cells(db_session=db_session, kind="case", scope=scope, parts=fortnight)
    split = end - timedelta(days=7)
    weeks: dict[tuple[Any, bool], Agg] = {}
    for (service_id, period), agg in daily.by("service_id", "period").items():
        weeks.setdefault((service_id, period > split), Agg()).add(agg)
    halves = {False: Agg(), True: Agg()}
    for (_, later), agg in weeks.items():
        halves[later].add(agg)
    themes_seen = {key for key, _ in weeks}
    theme_names = names(db_session, Service, themes_seen)
    tests = trends({
        key: (weeks.get((key, False), Agg()).n, weeks.get((key, True), Agg()).n)
        for key in themes_seen
    })
    first = end - timedelta(days=13)
    table = Table(
        key="emerging", title="Thèmes en hausse d'une semaine à l'autre",
        row_header="Thème",
        columns=[Column(f"Du {first:%d/%m} au {split:%d/%m}"),
                 Column(f"Du {split + timedelta(days=1):%d/%m} au {end:%d/%m}"),
                 Column("Évolution", "%"), Column("p ajustée (Holm)"), Column("En hausse")],
        chart=Chart(1, "Demandes de la dernière semaine, par thème", "Nombre de demandes"),
        note=("Hausse significative : test binomial exact conditionnel (deux comptages de "
              "Poisson), p-valeurs ajustées par la méthode de Holm, seuil 5 %."),
    )
    ordered = sorted(themes_seen, key=lambda k: (tests[k].adjusted, theme_names.get(k, "")))
    for r, key in enumerate(ordered):
        before, after = weeks.get((key, False), Agg()), weeks.get((key, True), Agg())
        trend = tests[key]
        change = round(100 * (after.n - before.n) / before.n, 1) if before.n else None
        both = [(r, 0), (r, 1)]
        table.rows.append(Row(theme_names.get(key, labels.NO_SERVICE), [
            count(before), count(after), Cell(MEAN, change, bases=both),
            Cell(MEAN, round(trend.adjusted, 4), bases=both),
            Cell(FLAG, "oui" if trend.emerging else "non", bases=both),
        ]))
    table.rows.append(Row(labels.TOTAL, [
        count(halves[False]), count(halves[True]),
        Cell(FLAG, ""), Cell(FLAG, ""), Cell(FLAG, ""),
    ], total=True))
    _vertical(table, 0, 1)
    return table


BUILDERS: dict[str, Callable[[Session, Scope], list[Table]]] = {
    "channels": channels, "journeys": journeys, "waiting": waiting, "calls": calls,
    "themes": themes,
}


def _reads(db_session: Session, scope: Scope, kind: str, *groupings: tuple[str, ...],
           parts: list[tuple[str, date]] | None = None) -> list[Read]:
    cells = read_cells(db_session=db_session, kind=kind, scope=scope, parts=parts)
    return [cells.read(*dimensions) for dimensions in groupings]


# What each report reads (as its builder above asks for it): `query.prefetch` reads it
# all in one statement. A read missing here still works, with a statement of its own.
READS: dict[str, Callable[[Session, Scope], list[Read]]] = {
    "channels": lambda db, scope: [*_reads(db, scope, "contact", ("channel",)),
                                   *_reads(db, scope, "case", ("channel",))],
    "journeys": lambda db, scope: _reads(db, scope, "resolution", ("channel", "detail")),
    "waiting": lambda db, scope: _reads(db, scope, "ticket", ("service_id",)),
    "calls": lambda db, scope: _reads(db, scope, "call", ("site_id", "detail"),
                                      ("service_id", "detail")),
    "themes": lambda db, scope: [
        *_reads(db, scope, "case", ("service_id", "detail")),
        *(_reads(db, scope, "case", ("service_id", "period"), parts=_fortnight(scope))
          if _fortnight(scope) else [])],
}
