"""The exit codes of every `relais` command, one convention (docs/command-line.md).

- 0 (`DONE`): done; for a check, nothing wrong found.
- 1 (`REFUSED`): the command was understood and ran, and the answer is no: a check found a
  problem (`audit verify`, `reminders stuck`, `bench fuzz`), the data or the rules refused
  the action (already exists, role not allowed, conflict), or something outside failed
  while working (port taken, database gone mid-run).
- 2 (`BAD_INPUT`): the command cannot run as typed, and nothing was done: a usage error
  (unknown option, missing argument), a value that cannot be read or cannot be right
  (date, period, format, a directory for a file), a name or id that matches nothing,
  a missing or refused configuration or database.

Scripts and timers can thus tell "fix the command line" (2) from "look at the data" (1).
"""

from __future__ import annotations

import contextlib
import errno
import sys

import typer
from rich.console import Console
from rich.markup import escape

from crm_core.exceptions import DomainError

DONE, REFUSED, BAD_INPUT = 0, 1, 2

# Statuses a domain error carries for what the caller typed (unreadable, impossible,
# naming nothing); the others (401, 403, 409, ...) are refusals by the data or the rules.
_INPUT_STATUSES = frozenset({400, 404, 422})


def exit_code_for(error: DomainError) -> int:
    return BAD_INPUT if error.status in _INPUT_STATUSES else REFUSED


# Refusals and failures go to stderr, never into what a command writes on stdout
# (`relais report … > rapport.csv` keeps a clean file). Rich reads sys.stderr at each print.
errors = Console(stderr=True)


def refused(error: DomainError) -> typer.Exit:
    """Say the refusal in French and return the exit to raise (`raise refused(...)`)."""
    errors.print(f"[bold red]Refusé :[/] {escape(error.detail)}", soft_wrap=True)
    return typer.Exit(exit_code_for(error))


_SYSTEM_ERRORS = {
    errno.EACCES: "accès refusé", errno.EPERM: "accès refusé", errno.ENOSPC: "disque plein",
    errno.EDQUOT: "quota disque dépassé", errno.EROFS: "disque en lecture seule",
    errno.EISDIR: "c'est un dossier", errno.ENOENT: "fichier ou dossier introuvable",
    errno.ENOTDIR: "un élément du chemin n'est pas un dossier",
    errno.EPIPE: "la sortie a été fermée", errno.EIO: "erreur d'entrée-sortie",
    errno.EMFILE: "trop de fichiers ouverts", errno.ENOMEM: "mémoire insuffisante",
}


def system_reason(error: OSError) -> str:
    """The French words for what the system refused (its own message is English)."""
    return _SYSTEM_ERRORS.get(error.errno or 0, f"erreur système n° {error.errno}"
                              if error.errno else "erreur système")


def outside_failure(error: OSError) -> int:
    """Say in French that the system failed the command while it worked (a full disk, a
    closed pipe, a file refused): exit 1, as docs/command-line.md promises, not a
    traceback. Only OSError: any other exception is a bug and keeps its traceback."""
    where = f" ({error.filename})" if error.filename else " (sortie de la commande)"
    with contextlib.suppress(OSError):  # stderr gone too: the exit code still says it
        errors.print(f"[bold red]Erreur :[/] {system_reason(error)}{escape(where)}.",
                     soft_wrap=True)
    return REFUSED


def database_reason(error: Exception) -> str:
    """A French reason for a failed connection, from what the driver said."""
    said = str(getattr(error, "orig", error)).lower()
    if "not a database" in said:
        return "ce fichier n'est pas une base SQLite."
    if "password" in said or "authentication" in said:
        return "identifiant ou mot de passe refusé."
    if "does not exist" in said:
        return "cette base n'existe pas sur le serveur."
    if "resolve host" in said or "name or service not known" in said \
            or "nodename nor servname" in said:
        return "ce serveur est introuvable."
    if "connection refused" in said or "could not connect" in said or "timeout" in said:
        return "le serveur ne répond pas."
    return "la connexion a échoué."


# Where the command's database is (its host, or its file), as `cli_database` read it from
# the settings: named by `database_failure`, which cannot read the settings itself.
_database_place = {"place": ""}


def database_in_use(place: str) -> None:
    _database_place["place"] = place


def database_failure(error: Exception) -> int | None:
    """A database that cannot be reached (unknown host, closed port, refused password,
    missing database), whichever command opened it: one French line, exit 2, never the
    driver's English traceback nor the password. None for any other exception (a bug
    keeps its traceback)."""
    sqlalchemy_errors = sys.modules.get("sqlalchemy.exc")  # not loaded: not its error
    if sqlalchemy_errors is None or not isinstance(error, sqlalchemy_errors.OperationalError):
        return None
    with contextlib.suppress(OSError):
        errors.print(f"{unreachable_database(error)} Vérifiez RELAIS_DATABASE_URL.",
                     soft_wrap=True)
    return BAD_INPUT


def unreachable_database(error: Exception) -> str:
    """« Base de données injoignable (hôte) : why. » (Rich markup), the one sentence every
    command says, also a worker that waits for the database to come back."""
    place = _database_place["place"]
    return (f"[bold red]Base de données injoignable[/]{f' ({escape(place)})' if place else ''}"
            f" : {escape(database_reason(error))}")
