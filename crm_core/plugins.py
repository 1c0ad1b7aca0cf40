"""Packages that plug into Relais without the core importing them (the integrations).

A plugin declares itself in its `pyproject.toml`, in the entry-point group
`relais.plugins`, as one `Plugin` object; the core finds it with
`importlib.metadata.entry_points` (no framework: Dispatch finds its plugins the same way).
`relais` commands of other packages are found the same way, in the group
`relais.commands` (see `crm_core.app.launcher`). A plugin's module must stay cheap to import:
everything heavy is loaded by its functions, when the server or a command asks for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from fastapi import APIRouter, FastAPI
    from pydantic_settings import BaseSettings

PLUGINS = "relais.plugins"
COMMANDS = "relais.commands"


def _nothing(*_: Any) -> None:
    return None


def _no_routers() -> Sequence[APIRouter]:
    return ()


async def _nothing_to_close(_: FastAPI) -> None:
    return None


@dataclass(frozen=True)
class Plugin:
    """What a package adds to the server: each part optional."""

    name: str
    # The module holding its models, imported with the core's (metadata, mappers, Alembic).
    models: str | None = None
    # Registrations done once at start-up (erasure hooks, SQLAlchemy listeners).
    register: Callable[[], None] = _nothing
    # Its settings class, loaded when asked: a section of `crm_core.config.Settings`, built
    # with it (a misconfiguration refuses every command, not each call), read with
    # `settings.section(cls)`; its `RELAIS_*` variables are known to the start-up check
    # (`crm_core.config.variables`) and listed in docs/configuration.md.
    settings: Callable[[], type[BaseSettings]] | None = None
    # Its routes, mounted before the core's API.
    routers: Callable[[], Sequence[APIRouter]] = _no_routers
    # Its share of one run of the application: made at each start, closed at the stop.
    start: Callable[[FastAPI], None] = _nothing
    stop: Callable[[FastAPI], Awaitable[None]] = _nothing_to_close
    # URL prefixes of its HTML pages, which get the pages' security headers.
    page_prefixes: tuple[str, ...] = ()
    # What the residents' space asks of it (`crm_core.space.accounts.OnlineAccounts`),
    # when it manages the residents' online accounts; made with the application's
    # `crm_core.config.Settings` (not named here: this module stays below the config).
    online_accounts: Callable[..., Any] | None = None


@cache
def plugins() -> tuple[Plugin, ...]:
    """Every installed plugin, in the order of their names (stable from run to run)."""
    found = sorted(entry_points(group=PLUGINS), key=lambda point: point.name)
    loaded = tuple(point.load() for point in found)
    for plugin in loaded:
        if not isinstance(plugin, Plugin):
            raise TypeError(f"entry point {PLUGINS} {plugin!r} is not a crm_core.plugins.Plugin")
    return loaded
