"""The `relais` command's entry point.

`relais counter` and `relais phone` start the agents' terminal apps. They need none of the
server's modules (SQLAlchemy, FastAPI, the migrations, the benchmarks), which
`crm_core.cli` imports to register its commands: about 1.5 s before the first screen on
the counter workstation. Those two commands are therefore routed here to a command line
holding only themselves; every other command (and `relais --help`) gets the full one.
"""

from __future__ import annotations

import sys

from crm_core.cli_french import FrenchTyper

APPS = ("counter", "phone", "password")


def apps_only() -> FrenchTyper:
    from counter_client.cli import counter
    from crm_core.agents.password_cli import change_own_password
    from phone_desk.cli import phone_app

    app = FrenchTyper(help="Relais — le back-office de la relation usagers.",
                      no_args_is_help=True, add_completion=False)

    @app.callback()
    def _group() -> None:
        """Les applications des agents."""  # a group, so that the command keeps its name

    app.command("counter")(counter)
    app.add_typer(phone_app, name="phone")
    app.command("password")(change_own_password)
    return app


def main() -> None:
    if sys.argv[1:2] and sys.argv[1] in APPS:
        apps_only()(prog_name="relais")
        return
    from crm_core.cli import app

    app(prog_name="relais")
