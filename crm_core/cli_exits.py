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


def refused(error: DomainError, console: Console) -> typer.Exit:
    """Say the refusal in French and return the exit to raise (`raise refused(...)`)."""
    console.print(f"[bold red]Refusé :[/] {escape(error.detail)}", soft_wrap=True)
    return typer.Exit(exit_code_for(error))
