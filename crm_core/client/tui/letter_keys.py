"""One-letter actions that also answer with Caps Lock on.

Textual names a key by the character typed: with Caps Lock (or Shift) « v » arrives as
« V », which a binding on "v" does not catch, and the agent's key silently does nothing.
Each one-letter binding gets a hidden twin on the capital, so the key bar is unchanged."""

from __future__ import annotations

from textual.binding import Binding, BindingType


def with_capitals(*bindings: BindingType) -> list[BindingType]:
    """The bindings, then a hidden capital twin of each single lowercase letter."""
    twins = [
        Binding(binding.key.upper(), binding.action, binding.description, show=False,
                priority=binding.priority)
        for binding in bindings
        if isinstance(binding, Binding) and is_letter_key(binding.key)
    ]
    return [*bindings, *twins]


def is_letter_key(key: str) -> bool:
    return len(key) == 1 and key.isalpha() and key.islower()
