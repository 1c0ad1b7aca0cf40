"""The `relais` command's entry point, and the one place its command tree is assembled.

`relais counter` and `relais phone` start the agents' terminal apps. They need none of the
server's modules (SQLAlchemy, FastAPI, the migrations), which the other commands import to
register themselves: about 1.5 s before the first screen on the counter workstation. Those
two commands are therefore routed here to a command line holding only themselves; every
other command (and `relais --help`) gets the full one, built by `full_app`.

Each package keeps its commands in its own `cli.py`, which imports only downward (the
shared helpers are in `crm_core/cli_database.py`); no `cli.py` imports another. Packages
beside the core add their commands through the entry-point group `relais.commands`
(`crm_core.plugins`): the integrations (`relais integrations …`, `relais worker`) and
the benchmarks (`relais bench …`, in `benchmarks/`: a checkout has them, the installed
product does not, and says so).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from functools import cache
from importlib.metadata import EntryPoint, entry_points

import typer

from crm_core.cli_french import FrenchTyper
from crm_core.plugins import COMMANDS

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
        from crm_core.config.variables import check_app_variables

        _refuse_unknown_variables(check_app_variables)

    app.command("counter")(counter)
    app.add_typer(phone_app, name="phone")
    app.command("password")(change_own_password)
    return app


@cache
def full_app() -> FrenchTyper:
    """Every `relais` command, each package's group under its name."""
    from counter_client.cli import counter
    from crm_core.agents.password_cli import change_own_password
    from crm_core.app.cli import agent_app, db_app, demo, seed, serve
    from crm_core.config.cli import config_app
    from crm_core.recognition.cli import residents_app
    from crm_core.reminders.cli import reminders_app
    from crm_core.reports.cli import report_app
    from crm_core.rights.cli import audit_app, retention_app
    from phone_desk.cli import phone_app

    app = FrenchTyper(help=HELP, no_args_is_help=True)

    @app.callback()
    def _bootstrap() -> None:
        # Every command sees every model and registration, whichever modules it imported.
        from crm_core.app.bootstrap import bootstrap
        from crm_core.config.variables import check_variables

        _refuse_unknown_variables(check_variables)
        bootstrap()

    app.add_typer(db_app, name="db")
    app.add_typer(agent_app, name="agent")
    app.add_typer(residents_app, name="residents")
    app.add_typer(audit_app, name="audit")
    app.add_typer(retention_app, name="retention")
    app.add_typer(reminders_app, name="reminders")
    app.command("counter")(counter)
    app.command("password")(change_own_password)
    app.add_typer(phone_app, name="phone")
    app.add_typer(report_app, name="report")
    app.add_typer(config_app, name="config")
    for command in (serve, demo, seed):
        app.command()(command)
    add_plugin_commands(app, entry_points(group=COMMANDS))
    return app


def _refuse_unknown_variables(check: Callable[[], None]) -> None:
    """A `RELAIS_*` variable nothing reads (a typo) stops the command, exit 2."""
    from crm_core.cli_exits import BAD_INPUT, errors
    from crm_core.config.variables import UnknownVariables

    try:
        check()
    except UnknownVariables as exc:
        errors.print(f"Configuration refusée : {exc}", soft_wrap=True, markup=False)
        raise typer.Exit(BAD_INPUT) from exc


def add_plugin_commands(app: FrenchTyper, points: Iterable[EntryPoint]) -> None:
    """Each entry point of `relais.commands` names a function that adds its package's
    commands to `app`. `relais bench …` comes from `benchmarks/` when it is there (a
    checkout of the repository), else one command says in French where they are."""
    added = set()
    for point in sorted(points, key=lambda point: point.name):
        try:
            add: Callable[[FrenchTyper], None] = point.load()
        except ModuleNotFoundError as exc:
            module = point.value.partition(":")[0]
            if not exc.name or not (module == exc.name or module.startswith(exc.name + ".")):
                raise  # the package is there, but something it imports is not
            continue
        add(app)
        added.add(point.name)
    if "bench" not in added:
        app.command("bench", help="Bancs d'essai (dans une copie du dépôt seulement).",
                    context_settings={"allow_extra_args": True,
                                      "ignore_unknown_options": True})(_no_benchmarks)


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
