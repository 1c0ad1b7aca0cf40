"""What the desk's screens and helpers tell their app: typed messages the app handles.

A screen never calls `PhoneDeskApp`; it posts one of these and the app decides.
"""

from __future__ import annotations

from textual.message import Message

from crm_core.client.types import Me


class SignedIn(Message):
    """The agent signed in: `me` is the server's account of them."""

    def __init__(self, me: Me) -> None:
        super().__init__()
        self.me = me


class FollowCalls(Message):
    """The desk screen is up: follow the line's calls (the live feed)."""


class LoadServices(Message):
    """Fetch the services again (the call form opens): one added today is offered."""


class JournalDelivered(Message):
    """Kept items reached the server: the day's lists show them."""


class SessionEnded(Message):
    """The server refused the token (401) while up: the app shows the sign-in screen."""


class FileChanged(Message):
    """A form on the call changed the open file on the server: the desk screen reloads it."""


class ListsChanged(Message):
    """A form on the call changed the day's calls or call-backs: the desk screen reloads
    them."""
