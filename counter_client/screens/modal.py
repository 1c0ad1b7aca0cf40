"""Base of the small forms opened over the resident screen."""

from __future__ import annotations

from textual.binding import Binding

from counter_client.host import CounterHost
from counter_client.messages import Say
from crm_core.client.tui.discard import GuardedForm
from crm_core.client.tui.message_line import MessageLine


class FormScreen(GuardedForm[None]):
    BINDINGS = [  # noqa: RUF012
        Binding("escape", "cancel", "Annuler"),
        Binding("ctrl+s", "save", "Enregistrer"),
    ]

    @property
    def counter(self) -> CounterHost:
        assert isinstance(self.app, CounterHost)
        return self.app

    def say(self, text: str, *, error: bool = False) -> None:
        self.query_one(MessageLine).say(text, error=error)

    def action_save(self) -> None:  # overridden by forms that save
        self.dismiss(None)

    def finish(self, message: str) -> None:
        """Close the form and tell the agent, on the screen below, what happened."""
        self.dismiss(None)
        self.app.post_message(Say(message))
