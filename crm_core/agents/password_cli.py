"""`relais password`: an agent changes their own password from their workstation.

A password someone else set (an admin, the console) must be replaced before the account
can do anything else, and the counter app and the phone desk have no screen for it yet:
this command does it through the API, as the agent (it needs none of the server's
modules, like `relais counter`)."""

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
) -> None:
    """Changer son propre mot de passe (obligatoire quand un administrateur l'a défini)."""
    from crm_core.client import RelaisClient
    from crm_core.client.errors import ApiError, ClientError

    current = _ask("Mot de passe actuel : ")
    new = _ask("Nouveau mot de passe : ")
    if _ask("Nouveau mot de passe, à nouveau : ") != new:
        errors.print("Les deux saisies du nouveau mot de passe diffèrent : rien n'a changé.")
        raise typer.Exit(BAD_INPUT)
    with RelaisClient(server or DEFAULT_SERVER) as client:
        try:
            client.sign_in(username, current)
            try:
                client.change_password(current, new)
            finally:
                client.sign_out()
        except ClientError as exc:
            errors.print(exc.message, markup=False)
            typed = isinstance(exc, ApiError) and exc.status == 422
            raise typer.Exit(BAD_INPUT if typed else REFUSED) from exc
    console.print("Mot de passe changé : connectez-vous avec le nouveau.")
