"""`relais bench fuzz` and `relais bench load`."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from crm_core.cli_exits import BAD_INPUT, REFUSED, errors

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
        from crm_core.bench.fuzz import fuzz_app
    except ImportError as exc:  # pragma: no cover - schemathesis is a dev dependency
        errors.print("schemathesis manque : uv sync --all-extras (dépendances de dev)")
        raise typer.Exit(BAD_INPUT) from exc
    from crm_core.agents.enums import Role, SiteKind
    from crm_core.agents.models import AgentSession
    from crm_core.agents.security import new_token, token_digest
    from crm_core.agents.service import create_agent, create_site
    from crm_core.config import Settings
    from crm_core.database.base import utcnow
    from crm_core.database.engine import make_engine, make_session_factory
    from crm_core.database.migrate import upgrade
    from crm_core.main import create_app

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
    resident = residents.create(db_session=session, actor=actor, data=ResidentCreate(
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
    from crm_core.bench.load import run_load_benchmark

    counts = [int(part) for part in processes.split(",") if part.strip()]
    run_load_benchmark(database_url=database_url, processes=counts, requests=requests,
                       concurrency=concurrency, console=console)
