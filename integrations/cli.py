"""`relais integrations …` and `relais worker`: deliver the outbox, purge the inbox."""

from __future__ import annotations

import signal
import time
from types import FrameType
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from sqlalchemy import Engine
from sqlalchemy.exc import OperationalError

from crm_core.cli_exits import errors, unreachable_database
from crm_core.cli_french import FrenchTyper
from crm_core.database.engine import make_engine, make_session_factory
from integrations.connectors.ds.backend import HttpDsBackend
from integrations.connectors.wcs.backend import HttpWcsBackend
from integrations.inbound.deferred import process_pending
from integrations.outbox import hooks
from integrations.outbox.platforms import PlatformTransport
from integrations.outbox.transport import HttpTransport
from integrations.outbox.worker import deliver_due
from integrations.settings import IntegrationSettings
from integrations.webhooks.signature import new_secret

integrations_app = FrenchTyper(help="Connecteurs des téléservices.", no_args_is_help=True)
console = Console()

if TYPE_CHECKING:
    from crm_core.config import Settings


def _existing_engine(city: Settings) -> Engine:
    """The configured database, which must exist: a cron job never creates one."""
    from crm_core.cli_database import open_existing

    return open_existing(city)


def run_worker(*, once: bool, interval: float, batch: int, worker_id: str | None) -> int:
    """Apply the events of deferred sources and deliver the outbox until stopped
    (SIGTERM/SIGINT finish the current batch, then exit)."""
    from crm_core.app.bootstrap import bootstrap
    from crm_core.cli_database import load_settings, refuse_missing_file

    bootstrap()  # applying events touches every mapper (also when called directly)

    hooks.install()
    city = load_settings()  # with the connectors' section, checked
    settings = city.section(IntegrationSettings)
    # A missing SQLite file is refused (opening it would create an empty one); a database
    # that is there but unreachable or not yet migrated is waited for, below.
    refuse_missing_file(city)
    engine = make_engine(city.effective_database_url)
    factory = make_session_factory(engine, city.session_info())
    http = HttpTransport(timeout=settings.outbound_timeout_seconds,
                         allow_private=settings.outbound_allow_private, parallel=batch)
    transport = PlatformTransport(webhooks=http, wcs=lambda config: HttpWcsBackend(
        config, timeout=settings.outbound_timeout_seconds,
        allow_private=settings.outbound_allow_private), ds=lambda config: HttpDsBackend(
        config, timeout=settings.outbound_timeout_seconds,
        allow_private=settings.outbound_allow_private))
    stopping = False

    def stop(_signum: int, _frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    delivered = 0
    try:
        while not stopping:
            try:
                with factory() as db_session:  # also events left by a source since
                    # switched back to answering after processing
                    inbox = process_pending(db_session=db_session, settings=settings,
                                            timezone=city.timezone,
                                            phone_region=city.default_phone_region,
                                            batch=batch)
                    db_session.commit()
                report = deliver_due(session_factory=factory, transport=transport,
                                     settings=settings, worker_id=worker_id, batch=batch)
            except OperationalError as exc:  # the database restarting (or a deadlock
                # between two batches): nothing was committed; wait, then go on
                if once:  # one pass was asked for: the command line says it (exit 2),
                    raise  # in the words of every other command (cli_exits)
                errors.print(f"{unreachable_database(exc)} Nouvelle tentative dans"
                             f" {max(interval, 1.0):g} s.", soft_wrap=True)
                time.sleep(max(interval, 1.0))
                continue
            delivered += report.delivered
            if inbox.claimed:
                console.print(f"reçus traités {inbox.processed}, refusés {inbox.refused}, "
                              f"à reprendre {inbox.retried}")
            if report.claimed:
                console.print(f"livrés {report.delivered}, à réessayer {report.retried}, "
                              f"échecs {report.failed}, refusés (410) {report.gone}")
            if once:
                break
            if inbox.claimed < batch and report.claimed < batch:
                # Nothing more was waiting: a pause lets the next pass find a fuller batch
                # (each pass has fixed costs) and leaves the CPU to the API meanwhile.
                time.sleep(interval)
    finally:
        http.close()
        engine.dispose()
    return delivered


@integrations_app.command("deliver")
def deliver_command(
    once: Annotated[bool, typer.Option(help="Un lot, puis s'arrêter.")] = False,
    interval: Annotated[float, typer.Option(
        help="Secondes d'attente après un passage qui a trouvé moins d'un lot plein.")] = 1.0,
    batch: Annotated[int, typer.Option(help="Événements pris (et envoyés en parallèle) à la fois.",
                                       min=1, max=64)] = 64,
    worker_id: Annotated[str | None, typer.Option(
        help="Nom inscrit dans les réservations.")] = None,
) -> None:
    """Appliquer les événements des sources différées, livrer la file sortante aux
    plateformes (nouvelles tentatives espacées, arrêt sur 410)."""
    run_worker(once=once, interval=interval, batch=batch, worker_id=worker_id)


@integrations_app.command("poll")
def poll_command() -> None:
    """Lire les dossiers Démarches Simplifiées modifiés depuis le dernier passage (le filet
    de leur webhook non signé et jamais renvoyé). À lancer par cron, toutes les 5 minutes."""
    from crm_core.cli_database import load_settings
    from integrations.connectors.ds.service import poll

    hooks.install()
    city = load_settings()  # with the connectors' section, checked
    settings = city.section(IntegrationSettings)
    engine = _existing_engine(city)
    with make_session_factory(engine, city.session_info())() as db_session:
        for name, config in settings.webhook_sources.items():
            if config.kind != "ds":
                continue
            backend = HttpDsBackend(config, timeout=settings.outbound_timeout_seconds,
                                    allow_private=settings.outbound_allow_private)
            try:
                report = poll(db_session=db_session, source=name, config=config,
                              backend=backend, timezone=city.timezone,
                              phone_region=city.default_phone_region)
            finally:
                backend.close()
            console.print(f"{name} : {report.read} dossiers lus, {report.created} créés, "
                          f"{report.updated} mis à jour, {report.refused} refusés")
    engine.dispose()


@integrations_app.command("purge")
def purge_command() -> None:
    """Oublier les identifiants d'événements reçus plus anciens que la conservation
    (≥ 72 h) et les connexions périmées."""
    from crm_core.cli_database import load_settings
    from integrations.inbound.service import purge

    city = load_settings()
    settings = city.section(IntegrationSettings)
    engine = _existing_engine(city)
    with make_session_factory(engine, city.session_info())() as db_session:
        forgotten = purge(db_session=db_session, retention_hours=settings.inbox_retention_hours)
        db_session.commit()
    engine.dispose()
    console.print(f"{forgotten} identifiants d'événements oubliés.")


@integrations_app.command("new-secret")
def new_secret_command() -> None:
    """Un nouveau secret Standard Webhooks (whsec_…) à donner à une plateforme."""
    console.print(new_secret())


def add_commands(app: typer.Typer) -> None:
    """`relais integrations …` and `relais worker` (entry point `relais.commands`)."""
    app.add_typer(integrations_app, name="integrations")
    app.command("worker", help="Appliquer les événements reçus en différé, livrer la file"
                " sortante (comme `integrations deliver`).")(deliver_command)
