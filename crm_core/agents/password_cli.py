"""`relais password`: an agent sets or changes their own password from their workstation.

With `--code`, the agent sets their first password (or the one after a reset) with the
one-time activation code handed to them; without it, they change their password giving
the current one — required first after `relais agent add` typed it at the console. The
counter app and the phone desk have no screen for either: this command does it through the
API, as the agent (it needs none of the server's modules, like `relais counter`)."""

from __future__ import annotations

import getpass
import sys
from typing import Annotated

import typer
from rich.console import Console

from crm_core.cli_exits import BAD_INPUT, REFUSED, errors

DEFAULT_SERVER = "http://127.0.0.1:8000"
console = Console()


def _ask(prompt: str) -> str:
    """Without echo on a terminal; one line when piped (`getpass` would warn in English)."""
    if sys.stdin.isatty():
        return getpass.getpass(prompt)
    return sys.stdin.readline().rstrip("\r\n")


def change_own_password(
    username: Annotated[str, typer.Argument(help="Votre identifiant d'agent.")],
    server: Annotated[str | None, typer.Option(
        help=f"Adresse du serveur Relais (par défaut {DEFAULT_SERVER}).")] = None,
    code: Annotated[bool, typer.Option(
        "--code", help="Choisir son mot de passe avec le code d'activation reçu "
        "(demandé, jamais en clair sur la ligne de commande).")] = False,
) -> None:
    """Choisir son mot de passe avec un code d'activation, ou changer le sien."""
    from crm_core.client import RelaisClient
    from crm_core.client.errors import ApiError, ClientError, ServerUnreachable
    from crm_core.client.settings_checks import server_url_problem

    url = server or DEFAULT_SERVER
    if problem := server_url_problem(url):
        errors.print(f"{problem[0].upper()}{problem[1:]} : rien n'a changé.", markup=False)
        raise typer.Exit(BAD_INPUT)
    secret = _ask("Code d'activation : " if code else "Mot de passe actuel : ")
    new = _ask("Nouveau mot de passe : ")
    if _ask("Nouveau mot de passe, à nouveau : ") != new:
        errors.print("Les deux saisies du nouveau mot de passe diffèrent : rien n'a changé.")
        raise typer.Exit(BAD_INPUT)
    with RelaisClient(url) as client:
        try:
            if code:
                client.activate(username, secret, new)
            else:
                client.sign_in(username, secret)
                try:
                    client.change_password(secret, new)
                finally:
                    client.sign_out()
        except ServerUnreachable as exc:
            errors.print(f"Serveur Relais injoignable ({url}) : rien n'a changé.",
                         markup=False)
            raise typer.Exit(REFUSED) from exc
        except ClientError as exc:
            errors.print(exc.message, markup=False)
            typed = isinstance(exc, ApiError) and exc.status == 422
            raise typer.Exit(BAD_INPUT if typed else REFUSED) from exc
    console.print("Mot de passe enregistré : connectez-vous avec." if code
                  else "Mot de passe changé : connectez-vous avec le nouveau.")
