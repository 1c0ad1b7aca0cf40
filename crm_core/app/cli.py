"""The server's own commands: `relais serve`, `demo`, `seed`, `db …` and `agent …`.

The launcher (`crm_core/app/launcher.py`) puts them in the `relais` command line beside the
other packages' groups; the helpers every `cli.py` shares are in `crm_core/cli_database.py`."""

from __future__ import annotations

import getpass
import logging
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.markup import escape

from crm_core.agents.enums import ROLE_LABELS, Role
from crm_core.app.bootstrap import bootstrap
from crm_core.cli_database import (
    DEMO_PBX_SECRETS,
    creating_settings,
    demo_database,
    demo_public_url,
    load_settings,
    prepare_database,
)
from crm_core.cli_exits import BAD_INPUT, REFUSED, errors, refused
from crm_core.cli_french import FrenchTyper
from crm_core.config import Settings, get_settings
from crm_core.text import echoed

db_app = FrenchTyper(help="Migrations de la base de données.", no_args_is_help=True)
agent_app = FrenchTyper(help="Comptes des agents.", no_args_is_help=True)
# The codes typed, each with the French name agents know its role by (one mapping).
ROLE_CHOICES = ", ".join(f"{role.value} ({label})" for role, label in ROLE_LABELS.items()) + "."
console = Console()


def _prepare_database(settings: Settings) -> None:
    """Every registration first (idempotent: the launcher already ran it), then the database."""
    bootstrap()
    prepare_database(settings)


def serve(
    host: Annotated[str, typer.Option(help="Interface d'écoute.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port TCP (1 à 65535).", min=1, max=65535)] = 8000,
    workers: Annotated[int, typer.Option(help="Processus de l'API.", min=1, max=64)] = 1,
) -> None:
    """Lancer le serveur de l'API."""
    import uvicorn

    _address_usable_or_exit(host, port, command="serve")
    settings = load_settings()  # the plugins' sections too (RELAIS_WEBHOOK_SOURCES...)
    _prepare_database(settings)
    # /docs is served only in demo mode or when RELAIS_API_DOCS asks: never named for nothing.
    docs = ", doc : /docs" if settings.docs_served else ""
    console.print(f"Relais écoute sur http://{host}:{port} (API : /api/v1{docs})")
    uvicorn.run(
        "crm_core.app.main:create_app", factory=True, host=host, port=port, workers=workers,
        log_level="warning", access_log=False, **settings.proxy_options,
    )


def _read_password() -> str:
    """Asked on a terminal, without echo; read as one line when piped (`getpass` would
    print Python's English GetPassWarning there, and echo nothing useful anyway)."""
    import sys

    if sys.stdin.isatty():
        return getpass.getpass("Mot de passe : ")
    return sys.stdin.readline().rstrip("\r\n")


def _address_usable_or_exit(host: str, port: int, *, command: str) -> None:
    """Say in French what is wrong with --host/--port, before uvicorn says it in English.

    A host that names nothing or no interface of this machine is a value to fix (2);
    only a port someone else holds is a refusal from outside (1).
    """
    import errno
    import socket

    shown = escape(echoed(host))
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE)[0]
    except (OSError, UnicodeError):
        errors.print(f"[red]Adresse d'écoute invalide : « {shown} » n'est ni une adresse IP"
                     " ni un nom connu (par exemple : --host 127.0.0.1).[/]", soft_wrap=True)
        raise typer.Exit(BAD_INPUT) from None
    with socket.socket(family, kind, proto) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn does
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                errors.print(
                    f"[red]Le port {port} est déjà utilisé sur {shown} (une autre démonstration"
                    " ou un autre serveur tourne ?). Arrêtez-le, ou choisissez un autre port"
                    + _free_port_hint(family, kind, address, port, command) + "[/]",
                    soft_wrap=True)
                raise typer.Exit(REFUSED) from None
            if error.errno in (errno.EACCES, errno.EPERM):
                errors.print(f"[red]Le port {port} est réservé à l'administrateur sur cette"
                             " machine : choisissez un port au-dessus de 1023.[/]", soft_wrap=True)
                raise typer.Exit(BAD_INPUT) from None
            errors.print(f"[red]Adresse d'écoute injoignable : « {shown} » n'est pas une"
                         " adresse de cette machine (par exemple : --host 127.0.0.1).[/]",
                         soft_wrap=True)
            raise typer.Exit(BAD_INPUT) from None


def _free_port_hint(family: int, kind: int, address: tuple[Any, ...], port: int,
                    command: str) -> str:
    """« : relais demo --port N » with N the next port free on that address, if any of the
    next twenty is (suggesting a port that is taken too sends the operator round)."""
    import socket

    for candidate in range(port + 1, min(port + 21, 65536)):
        with socket.socket(family, kind) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            try:
                probe.bind((address[0], candidate, *address[2:]))
            except OSError:
                continue
        return f" : [bold]relais {command} --port {candidate}[/]"
    return " (--port)"


def demo(
    port: Annotated[int, typer.Option(help="Port TCP (1 à 65535).", min=1, max=65535)] = 8000,
    password: Annotated[str, typer.Option(
        help="Mot de passe des agents de démonstration.")] = "demo",  # noqa: S107
    residents: Annotated[int, typer.Option(help="Usagers de démonstration à créer.", min=10)] = 300,
    reset: Annotated[bool, typer.Option(help="Repartir d'une base de démonstration vide.")] = False,
    host: Annotated[str, typer.Option(help="Interface d'écoute.")] = "127.0.0.1",
    seed_only: Annotated[bool, typer.Option(help="Préparer les données sans servir.")] = False,
) -> None:
    """Base embarquée, données de démonstration réalistes et serveur, en une commande."""
    from crm_core.demo.runner import prepare_demo

    if not seed_only:
        _address_usable_or_exit(host, port, command="demo")

    os.environ["RELAIS_DEMO_MODE"] = "true"
    os.environ.setdefault("RELAIS_TELEPHONY_PBX_SECRETS", DEMO_PBX_SECRETS)
    data_dir = Path(os.environ.get("RELAIS_DATA_DIR") or Settings(demo_mode=True).data_dir)
    os.environ.setdefault("RELAIS_DATABASE_URL", f"sqlite:///{demo_database(data_dir)}")
    demo_public_url(data_dir=data_dir, host=host, port=port)
    get_settings.cache_clear()
    settings = load_settings()
    hints, caller = prepare_demo(
        settings=settings, password=password, residents=residents, reset=reset
    )
    base = f"http://{host}:{port}"
    console.rule("[bold]Relais — démonstration")
    console.print(f"Base de démonstration : {settings.effective_database_url}")
    console.print(f"API : {base}/api/v1   Documentation : {base}/docs")
    console.print("Agents de démonstration (mot de passe : " f"[bold]{password}[/]) :")
    for username, role in (("accueil", "guichet"), ("telephone", "téléphone"),
                           ("superviseur", "superviseur"), ("admin", "administrateur")):
        console.print(f"  • {username:<12} {role}")
    console.print(
        f"Essayer l'API : ouvrez {base}/docs, bouton « Authorize » (accueil / {password})"
    )
    for line in hints:
        console.print(f"  essai : {line}")
    console.print(f"Espace usager : {base}/espace/ (démonstration : « Entrer comme… »,"
                  " sans compte en ligne)")
    console.print("Application guichet (autre terminal) : [bold]uv run relais counter"
                  f" --server {base}[/] (accueil / {password})")
    console.print("Poste téléphonique (autre terminal) : [bold]uv run relais phone"
                  f" --server {base} --extension 201[/] (telephone / {password})")
    if caller is not None and caller.phone:
        console.print(f"  faire sonner ce poste (appel de {caller.name}) : [bold]uv run"
                      f" relais phone ring {caller.phone.replace(' ', '')} --demo"
                      f" --server {base}[/]")
    if seed_only:
        return
    import uvicorn

    uvicorn.run(
        "crm_core.app.main:create_app", factory=True, host=host, port=port,
        log_level="warning", access_log=False, **settings.proxy_options,
    )


@db_app.command("upgrade")
def db_upgrade(revision: str = "head") -> None:
    """Créer la base, ou la migrer au dernier schéma."""
    from crm_core.database.engine import make_engine
    from crm_core.database.migrate import current_revision, upgrade

    engine = make_engine(load_settings().effective_database_url)
    try:
        upgrade(engine, revision)
        console.print(f"Base à jour (révision {current_revision(engine)}).")
    finally:
        engine.dispose()


def seed(
    residents: Annotated[int, typer.Option(help="Usagers fictifs à charger.", min=1)] = 1000,
    cases: Annotated[float, typer.Option(help="Demandes par usager, en moyenne.")] = 3,
    interactions: Annotated[float, typer.Option(help="Contacts par usager.")] = 10,
) -> None:
    """Charger en masse des données fictives (essais, bancs), avec une barre de progression."""
    from crm_core.database.engine import make_engine
    from crm_core.demo.loading import load_with_progress

    settings = load_settings()
    _prepare_database(settings)
    engine = make_engine(settings.effective_database_url)
    try:
        stats = load_with_progress(
            engine=engine, residents=residents, cases=cases, interactions=interactions,
            console=console, timezone=settings.timezone,
        )
    finally:
        engine.dispose()
    console.print(stats)


@agent_app.command("add")
def agent_add(
    username: str,
    role: Annotated[Role, typer.Option(help=ROLE_CHOICES)],
    name: Annotated[str | None, typer.Option(help="Nom affiché.")] = None,
    site: Annotated[str | None, typer.Option(help="Code du site.")] = None,
    extension: Annotated[str | None, typer.Option(help="Poste téléphonique.")] = None,
    password: Annotated[str | None, typer.Option(
        help="Demandé s'il est omis (conseillé : en option, il reste dans l'historique du"
             " shell et se lit dans la liste des processus).")] = None,
) -> None:
    """Créer un compte d'agent, actif aussitôt (tout rôle).

    Un chemin de confiance : qui la lance sur le serveur tient déjà sa base. La création
    reste un événement de sécurité, d'auteur « console »."""
    from crm_core.agents.actor import CONSOLE
    from crm_core.agents.changes import create
    from crm_core.agents.extensions import normalize_extension
    from crm_core.agents.schemas import username_problem
    from crm_core.database.engine import make_engine, make_session_factory
    from crm_core.exceptions import DomainError, InvalidInput
    from crm_core.text import name_problem

    if (problem := username_problem(username)) is not None:  # the API's rule, asked first
        raise refused(InvalidInput(f"Identifiant d'agent : {problem}", field="username"))
    if name is not None and (problem := name_problem(name)) is not None:
        raise refused(InvalidInput(f"Nom affiché : {problem}", field="display_name"))
    if name is None and name_problem(username) is not None:
        # The display name defaults to the username: « tel1 » is no person's name.
        raise refused(InvalidInput(
            f"Nom affiché requis : l'identifiant « {escape(username)} » ne peut pas servir de"
            " nom (chiffres ou signes) ; donnez --name \"Prénom Nom\"", field="display_name"))
    if extension is not None:  # the API's rule, before anything is asked or opened
        try:
            extension = normalize_extension(extension)
        except ValueError as exc:
            raise refused(InvalidInput(f"Poste téléphonique : {exc}",
                                       field="extension")) from exc
    settings = creating_settings()
    _prepare_database(settings)
    if password is not None:  # kept for scripts, but the operator is told what it costs
        errors.print("Attention : un mot de passe donné par --password reste dans l'historique"
                     " du shell et se lit dans la liste des processus ; omettez-le pour qu'il"
                     " soit demandé (ou passé par l'entrée standard).", soft_wrap=True)
    # The event is stored (relais audit); its English log line is for the server's logs.
    logging.getLogger("relais.security").addHandler(logging.NullHandler())
    secret = password or _read_password()
    engine = make_engine(settings.effective_database_url)
    try:
        with make_session_factory(engine, settings.session_info())() as db_session:
            agent, _, _ = create(
                db_session=db_session, author=CONSOLE, username=username,
                display_name=name or username,
                password=secret, role=role, site_code=site, phone_extension=extension,
                timezone=settings.timezone,
            )
            db_session.commit()
            console.print(f"Agent « {escape(agent.username)} » créé "
                          f"({ROLE_LABELS[agent.role]}).")
    except DomainError as exc:
        raise refused(exc) from exc
    finally:
        engine.dispose()

