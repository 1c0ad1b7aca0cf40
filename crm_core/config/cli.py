"""`relais config …`: the configuration's reference, generated from the settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from crm_core.cli_exits import BAD_INPUT, REFUSED, errors
from crm_core.cli_french import FrenchTyper

config_app = FrenchTyper(help="La configuration (variables RELAIS_*).", no_args_is_help=True)


@config_app.command("docs")
def config_docs(
    check: Annotated[Path | None, typer.Option(
        "--check", help="Comparer à ce fichier au lieu d'écrire : code 1 s'il n'est plus à"
        " jour.")] = None,
) -> None:
    """Écrire la référence des variables (Markdown, docs/configuration.md)."""
    from crm_core.config.docs import configuration_markdown

    generated = configuration_markdown()
    if check is None:
        typer.echo(generated, nl=False)
        return
    try:
        committed = check.read_text(encoding="utf-8")
    except OSError as exc:
        errors.print(f"{_unreadable(exc)} : {check}", markup=False)
        raise typer.Exit(BAD_INPUT) from exc
    if committed != generated:
        errors.print(f"{check} n'est plus à jour : relais config docs > {check}", markup=False)
        raise typer.Exit(REFUSED)
    typer.echo(f"{check} est à jour.")


def _unreadable(exc: OSError) -> str:
    """Why the file cannot be read, in French (the system's own words are English)."""
    if isinstance(exc, IsADirectoryError):
        return "C'est un dossier, pas un fichier"
    if isinstance(exc, FileNotFoundError):
        return "Fichier introuvable"
    if isinstance(exc, PermissionError):
        return "Lecture non autorisée"
    return "Fichier illisible"
