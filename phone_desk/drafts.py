"""A form being typed when the session ends elsewhere (password changed on another client,
account deactivated): its fields are kept in memory for the same agent only, and the form
opens again, filled in, once that agent signs in again on this desk. Never written to disk,
never shown to another agent; lost (the desk says so) if the app quits."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from textual.screen import Screen
from textual.widgets import Checkbox, Input, Select
from textual.widgets._select import InvalidSelectValueError

# Opens the same form again on the new desk screen (given as its first argument: the
# drafts sit below the screens), with these field values.
Reopen = Callable[[Any, dict[str, Any]], None]


@dataclass(frozen=True)
class Draft:
    agent: str  # the login of the agent who typed it: only they see it again
    name: str  # « Votre rappel », « Votre appel »
    reopen: Reopen
    fields: dict[str, Any]


class DraftForm:
    """Mixed into the desk's forms: the desk screen sets `reopen` as it opens one."""

    DRAFT_NAME = "Votre saisie"
    reopen: Reopen | None = None


def field_values(screen: Screen[Any]) -> dict[str, Any]:
    return {str(widget.id): widget.value for widget in screen.query("Input, Select, Checkbox")
            if widget.id and isinstance(widget, Input | Select | Checkbox)}


def restore_fields(screen: Screen[Any], values: dict[str, Any]) -> None:
    """Put the kept values back; a choice no longer offered (a service removed meanwhile)
    stays as the form opened."""
    for widget in screen.query("Input, Select, Checkbox"):
        if widget.id in values and isinstance(widget, Input | Select | Checkbox):
            with contextlib.suppress(InvalidSelectValueError):
                widget.value = values[widget.id]


def draft_of(screen: Screen[Any], agent: str) -> Draft | None:
    """The draft of a desk form the agent typed in, or None."""
    from crm_core.client.tui.discard import GuardedForm

    if (not agent or not isinstance(screen, DraftForm) or screen.reopen is None
            or not isinstance(screen, GuardedForm) or not screen.typed_something()):
        return None
    return Draft(agent=agent, name=screen.DRAFT_NAME, reopen=screen.reopen,
                 fields=field_values(screen))
