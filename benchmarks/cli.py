"""`relais bench …`: every benchmark's command (measures, never pass/fail).

The launcher adds this group to `relais` when the `benchmarks/` folder is there (a
checkout); the installed product neither ships nor imports it. Each command imports its
benchmark when it runs, so that `relais --help` stays quick."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from crm_core.cli_exits import BAD_INPUT, REFUSED, errors
from crm_core.cli_french import FrenchTyper

bench_app = FrenchTyper(help="Bancs d'essai (des mesures, jamais réussi/échoué).",
                        no_args_is_help=True)
console = Console()


def bench_fuzz(
    examples: Annotated[int, typer.Option(help="Requêtes générées par opération.",
                                          min=1)] = 100,
    database_url: Annotated[str | None, typer.Option(
        help="Base à tester (par défaut : une SQLite jetable). Jamais une base en"
        " service.")] = None,
    seed: Annotated[int | None, typer.Option(help="Rejouer un passage.")] = None,
) -> None:
    """Schemathesis sur toute l'OpenAPI, chaque requête envoyée anonymement et sous chaque
    rôle : liste chaque 5xx et chaque réponse hors schéma (sortie 1 s'il y en a)."""
    try:
        from benchmarks.fuzz import fuzz_app
    except ImportError as exc:  # pragma: no cover - schemathesis is a dev dependency
        errors.print("schemathesis manque : uv sync --all-extras (dépendances de dev)")
        raise typer.Exit(BAD_INPUT) from exc
    from crm_core.agents.enums import Role, SiteKind
    from crm_core.agents.models import AgentSession
    from crm_core.agents.security import new_token, token_digest
    from crm_core.agents.service import create_agent, create_site
    from crm_core.app.main import create_app
    from crm_core.config import Settings
    from crm_core.database.base import utcnow
    from crm_core.database.engine import make_engine, make_session_factory
    from crm_core.database.migrate import upgrade

    with tempfile.TemporaryDirectory(prefix="relais-fuzz-") as directory:
        url = database_url or f"sqlite:///{Path(directory) / 'fuzz.db'}"
        engine = make_engine(url)
        try:
            upgrade(engine)
            callers: dict[str, dict[str, str]] = {"anonymous": {}}
            with make_session_factory(engine)() as session:
                site = create_site(db_session=session, code=f"fuzz-{new_token()[:6]}",
                                   name="Banc de fuzzing", kind=SiteKind.ANNEX)
                for role in Role:
                    agent = create_agent(
                        db_session=session, username=f"fuzz-{role.value}-{new_token()[:6]}",
                        display_name="Fuzz", password=new_token(), role=role,
                        site_code=site.code)
                    token = new_token()
                    session.add(AgentSession(
                        token_hash=token_digest(token), agent_id=agent.id, site_id=site.id,
                        created_at=utcnow(), expires_at=utcnow() + timedelta(hours=12)))
                    callers[role.value] = {"Authorization": f"Bearer {token}"}
                known = _known_objects(session)
                session.commit()
            app = create_app(Settings(), engine)
            report = fuzz_app(app, callers=callers, max_examples=examples, seed=seed,
                              known=known)
        finally:
            engine.dispose()
    for line in report.lines():
        console.print(line, markup=False)
    if report.failures:
        raise typer.Exit(REFUSED)


def _known_objects(session: Any) -> dict[str, str]:
    """A resident and a service whose label holds every renderer's markup: hostile values
    then reach the code behind the lookups, and lists and reports carry the label."""
    from crm_core.agents.actor import Actor
    from crm_core.agents.enums import Role
    from crm_core.cases.schemas import ServiceCreate
    from crm_core.cases.service import create_service
    from crm_core.residents import service as residents
    from crm_core.residents.schemas import ResidentCreate

    actor = Actor(username="fuzz", role=Role.COUNTER)
    resident = residents.create(db_session=session, actor=actor, phone_region="FR",
                                data=ResidentCreate(
        given_name="Camille", family_name="Fuzz", birth_date=date(1984, 3, 12)))
    service = create_service(db_session=session, data=ServiceCreate(
        code=f"fuzz-{resident.id.hex[:6]}", label=r"[/] $\frac{$ =1+1",
        announced_delay_days=1))
    return {"resident_id": str(resident.id), "code": service.code}


def bench_load(
    database_url: Annotated[str, typer.Option(
        help="Une base PostgreSQL chargée (relais seed --residents 1000000).")],
    processes: Annotated[str, typer.Option(
        help="Nombres de processus de l'API, séparés par des virgules.")] = "1,2,4",
    requests: Annotated[int, typer.Option(help="Requêtes par nombre de processus.")] = 6000,
    concurrency: Annotated[int, typer.Option(help="Connexions simultanées.")] = 32,
) -> None:
    """Charge mixte (80 % fiches et consultations, 15 % contacts écrits, 5 % recherches)
    contre 1, 2, 4 processus de l'API : débit et p50/p95/p99 par nombre de processus."""
    from benchmarks.load import run_load_benchmark

    counts = [int(part) for part in processes.split(",") if part.strip()]
    run_load_benchmark(database_url=database_url, processes=counts, requests=requests,
                       concurrency=concurrency, console=console)


def bench_core(
    residents: Annotated[int, typer.Option(help="Taille du jeu de données.")] = 100_000,
    requests: Annotated[int, typer.Option(help="Requêtes par mesure.")] = 2000,
    engines: Annotated[str, typer.Option(help="Séparés par des virgules : postgresql,sqlite.")] = (
        "postgresql,sqlite"
    ),
    workers: Annotated[int, typer.Option(
        help="Processus de l'API pour la mesure concurrente.")] = 2,
    concurrency: Annotated[int, typer.Option(help="Clients simultanés.")] = 32,
    database_url: Annotated[
        str | None, typer.Option(help="Mesurer plutôt une base existante, déjà chargée.")
    ] = None,
) -> None:
    """Fiche et recherches par l'API contre SQL brut, sur PostgreSQL et SQLite."""
    from benchmarks.core import run_core_benchmark

    kinds = [kind.strip() for kind in engines.split(",") if kind.strip()]
    if database_url:
        kinds = ["sqlite" if database_url.startswith("sqlite") else "postgresql"]
    run_core_benchmark(
        residents=residents, requests=requests, engines=kinds, workers=workers,
        concurrency=concurrency, console=console, database_url=database_url,
    )


def bench_badge(
    residents: Annotated[int, typer.Option(help="Taille du jeu de données.")] = 100_000,
    requests: Annotated[int, typer.Option(help="Lectures de badge à chronométrer.")] = 2000,
    engine: Annotated[str, typer.Option(help="postgresql ou sqlite.")] = "postgresql",
    database_url: Annotated[
        str | None, typer.Option(help="Mesurer plutôt une base existante, déjà chargée.")
    ] = None,
) -> None:
    """Vérifications de jetons par seconde, et délai du badge à la fiche par l'API."""
    from benchmarks.badge import run_badge_benchmark

    run_badge_benchmark(
        residents=residents, requests=requests, engine_kind=engine, console=console,
        database_url=database_url,
    )


def bench_export(
    interactions: Annotated[int, typer.Option(help="Contacts de l'usager.")] = 1000,
    cases: Annotated[int, typer.Option(help="Demandes de l'usager.")] = 50,
    repeats: Annotated[int, typer.Option(help="Exports chronométrés.", min=1)] = 20,
    database_url: Annotated[
        str | None, typer.Option(help="Base à utiliser (par défaut : une SQLite jetable).")
    ] = None,
) -> None:
    """Durée de l'export de tout ce qui est détenu sur un usager à long historique."""
    from benchmarks.export import run_export_benchmark

    run_export_benchmark(interactions=interactions, cases=cases, repeats=repeats,
                         console=console, database_url=database_url)


def bench_search(
    residents: Annotated[int, typer.Option(help="Taille du jeu de données.")] = 100_000,
    queries: Annotated[int, typer.Option(help="Requêtes du jeu de qualité par mode.")] = 1000,
    engines: Annotated[str, typer.Option(help="Séparés par des virgules : postgresql,sqlite.")] = (
        "postgresql,sqlite"
    ),
    database_url: Annotated[
        str | None, typer.Option(help="Mesurer une base existante (complétée si plus petite).")
    ] = None,
    show_misses: Annotated[int, typer.Option(help="Requêtes manquées à afficher par mode.")] = 0,
) -> None:
    """Recherche approchée : rappel@1/@10 et MRR sur des requêtes mal orthographiées,
    latence SQL brut contre API."""
    from benchmarks.search import run_search_benchmark

    kinds = [kind.strip() for kind in engines.split(",") if kind.strip()]
    if database_url:
        kinds = ["sqlite" if database_url.startswith("sqlite") else "postgresql"]
    run_search_benchmark(residents=residents, queries=queries, engines=kinds, console=console,
                         database_url=database_url, show_misses=show_misses)


def bench_reports(
    interactions: Annotated[int, typer.Option(help="Contacts à charger.")] = 10_000_000,
    repeats: Annotated[int, typer.Option(help="Mesures par rapport.", min=1)] = 50,
    sites: Annotated[int, typer.Option(help="Sites simulés côté lecture.", min=1)] = 24,
    write_seconds: Annotated[
        float, typer.Option(help="Durée totale de chaque mode d'écriture.")] = 30,
    rounds: Annotated[int, typer.Option(help="Tours alternés des modes d'écriture.", min=1)] = 5,
    writers: Annotated[int, typer.Option(help="Fils d'écriture.", min=1)] = 4,
    database_url: Annotated[
        str | None, typer.Option(help="Base PostgreSQL déjà chargée (sinon : jetable).")
    ] = None,
) -> None:
    """Rapports mensuels et annuels depuis les cumuls, et coût des cumuls en écriture."""
    from benchmarks.reports import run_reports_benchmark

    run_reports_benchmark(
        interactions=interactions, repeats=repeats, sites=sites, write_seconds=write_seconds,
        writers=writers, console=console, database_url=database_url, rounds=rounds,
    )


def bench_ingest(
    events: Annotated[int, typer.Option(help="Webhooks signés à envoyer.")] = 5000,
    concurrency: Annotated[int, typer.Option(help="Connexions simultanées.")] = 32,
    workers: Annotated[int, typer.Option(help="Processus de l'API.")] = 2,
    engine: Annotated[str, typer.Option(help="postgresql ou sqlite.")] = "postgresql",
    residents: Annotated[int, typer.Option(help="Usagers dans la base.")] = 10_000,
    deliver_workers: Annotated[int, typer.Option(help="Processus relais worker.")] = 2,
    database_url: Annotated[str | None, typer.Option(help="Une base existante.")] = None,
    deferred: Annotated[bool, typer.Option(
        help="Accuser réception, appliquer par `relais worker` (sinon répondre après).")] = True,
) -> None:
    """Webhooks reçus/s avec p50/p95/p99 (et, en différé, événements appliqués de bout en
    bout/s), écritures dans la file sortante/s, livraisons/s."""
    from benchmarks.ingest import run_ingest_benchmark

    run_ingest_benchmark(events=events, concurrency=concurrency, workers=workers,
                         engine_kind=engine, residents=residents, console=console,
                         database_url=database_url, deliver_workers=deliver_workers,
                         deferred=deferred)


def bench_phone(
    residents: Annotated[int, typer.Option(help="Taille du jeu de données.")] = 100_000,
    calls: Annotated[int, typer.Option(help="Appels à chronométrer.")] = 500,
    desks: Annotated[int, typer.Option(help="Postes connectés (WebSockets).")] = 50,
    engine: Annotated[str, typer.Option(help="postgresql ou sqlite.")] = "postgresql",
    database_url: Annotated[
        str | None, typer.Option(help="Mesurer plutôt une base existante, déjà chargée.")
    ] = None,
) -> None:
    """newCall reçu par le serveur → fiche de l'appelant affichée au poste (p50/p95/p99)."""
    from benchmarks.phone import run_phone_benchmark

    run_phone_benchmark(residents=residents, calls=calls, desks=desks, engine_kind=engine,
                        console=console, database_url=database_url)


def bench_counter(
    residents: Annotated[int, typer.Option(help="Taille du jeu de données.")] = 100_000,
    scans: Annotated[int, typer.Option(help="Lectures de badge à chronométrer.")] = 200,
    engine: Annotated[str, typer.Option(help="postgresql ou sqlite.")] = "postgresql",
    database_url: Annotated[
        str | None, typer.Option(help="Mesurer plutôt une base existante, déjà chargée.")
    ] = None,
) -> None:
    """Lecture du badge (Entrée) → fiche de l'usager affichée (p50/p95/p99), et démarrage de
    l'application → prête."""
    from benchmarks.counter import run_counter_benchmark

    run_counter_benchmark(residents=residents, scans=scans, engine_kind=engine,
                          console=console, database_url=database_url)


# In the order `relais bench --help` has always listed them.
for _name, _command in (
    ("search", bench_search), ("ingest", bench_ingest), ("phone", bench_phone),
    ("counter", bench_counter), ("fuzz", bench_fuzz), ("load", bench_load),
    ("reports", bench_reports), ("core", bench_core), ("badge", bench_badge),
    ("export", bench_export),
):
    bench_app.command(_name)(_command)


def add_commands(app: typer.Typer) -> None:
    """`relais bench …` (entry point `relais.commands`, from a checkout only)."""
    app.add_typer(bench_app, name="bench")
