"""The `relais` command's entry point, and the one place its command tree is assembled.

`relais counter` and `relais phone` start the agents' terminal apps. They need none of the
server's modules (SQLAlchemy, FastAPI, the migrations), which the other commands import to
register themselves: about 1.5 s before the first screen on the counter workstation. Those
two commands are therefore routed here to a command line holding only themselves; every
other command (and `relais --help`) gets the full one, built by `full_app`.

Each package keeps its commands in its own `cli.py`, which imports only downward (the
shared helpers are in `crm_core/cli_database.py`); no `cli.py` imports another. The
benchmarks (`relais bench …`) live in `benchmarks/`, beside the product: a checkout has
them, the installed product does not, and says so.
"""

from __future__ import annotations

import sys
from functools import cache

import typer

from crm_core.cli_french import FrenchTyper

APPS = ("counter", "phone", "password")
HELP = "Relais — le back-office de la relation usagers."


def apps_only() -> FrenchTyper:
    from counter_client.cli import counter
    from crm_core.agents.password_cli import change_own_password
    from phone_desk.cli import phone_app

    app = FrenchTyper(help=HELP, no_args_is_help=True, add_completion=False)

    @app.callback()
    def _group() -> None:
        """Les applications des agents."""  # a group, so that the command keeps its name

    app.command("counter")(counter)
    app.add_typer(phone_app, name="phone")
    app.command("password")(change_own_password)
    return app


@cache
def full_app() -> FrenchTyper:
    """Every `relais` command, each package's group under its name."""
    from counter_client.cli import counter
    from crm_core.agents.password_cli import change_own_password
    from crm_core.cli import agent_app, db_app, demo, seed, serve
    from crm_core.privacy.cli import audit_app, retention_app
    from crm_core.recognition.cli import residents_app
    from crm_core.reminders.cli import reminders_app
    from crm_core.reports.cli import report_app
    from integrations.cli import deliver_command, integrations_app
    from phone_desk.cli import phone_app

    app = FrenchTyper(help=HELP, no_args_is_help=True)

    @app.callback()
    def _bootstrap() -> None:
        # Every command sees every model, whichever modules it imported (see registry).
        from crm_core.database.registry import load_models

        load_models()

    app.add_typer(db_app, name="db")
    app.add_typer(agent_app, name="agent")
    _add_benchmarks(app)
    app.add_typer(residents_app, name="residents")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
    app.add_typer(reminders_app, name="reminders")
    app.add_typer(integrations_app, name="integrations")
    app.command("worker", help="Appliquer les événements reçus en différé, livrer la file"
                " sortante (comme `integrations deliver`).")(deliver_command)
    app.command("counter")(counter)
    app.command("password")(change_own_password)
    app.add_typer(phone_app, name="phone")
    app.add_typer(report_app, name="report")
    for command in (serve, demo, seed):
        app.command()(command)
    return app


def _add_benchmarks(app: FrenchTyper) -> None:
    """`relais bench …` from `benchmarks/` when it is there (a checkout of the repository),
    else one command saying in French where the benchmarks are."""
    try:
        from benchmarks.cli import bench_app
    except ModuleNotFoundError as exc:
        if exc.name not in ("benchmarks", "benchmarks.cli"):
            raise
        app.command("bench", help="Bancs d'essai (dans une copie du dépôt seulement).",
                    context_settings={"allow_extra_args": True,
                                      "ignore_unknown_options": True})(_no_benchmarks)
        return
    app.add_typer(bench_app, name="bench")


def _no_benchmarks() -> None:
    from crm_core.cli_exits import BAD_INPUT, errors

    errors.print("Les bancs d'essai ne sont pas installés avec Relais : lancez « relais bench »"
                 " depuis une copie du dépôt (dossier benchmarks/, uv sync).", soft_wrap=True)
    raise typer.Exit(BAD_INPUT)


def main() -> None:
    if sys.argv[1:2] and sys.argv[1] in APPS:
        apps_only()(prog_name="relais")
        return
    full_app()(prog_name="relais")


if __name__ == "__main__":
    main()
