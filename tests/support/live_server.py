"""A real Relais server (uvicorn) on 127.0.0.1 in a background thread, for client-side tests."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import uvicorn
from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.agents.enums import Role, SiteKind
from crm_core.agents.service import create_agent, create_site
from crm_core.app.main import create_app
from crm_core.config import Settings
from crm_core.database.engine import make_session_factory


@dataclass
class LiveServer:
    url: str
    engine: Engine
    app: FastAPI

    def session(self) -> Session:
        return make_session_factory(self.engine, self.app.state.settings.session_info())()

    def reread_settings(self) -> None:
        """The server's one `Settings` built again from the environment a test changed."""
        from tests.support.apps import use_settings

        use_settings(self.app, Settings())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def serve(engine: Engine, *, port: int | None = None,
          settings: Settings | None = None) -> Iterator[LiveServer]:
    port = port or free_port()
    settings = settings or Settings()
    app = create_app(settings, engine)
    config = uvicorn.Config(  # the proxy options `relais serve` gives uvicorn
        app, host="127.0.0.1", port=port, log_level="warning",
        access_log=False, lifespan="on", **settings.proxy_options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.02)
    try:
        yield LiveServer(url=f"http://127.0.0.1:{port}", engine=engine, app=app)
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def seed_agents(engine: Engine, password: str = "secret-pass") -> None:
    """A site and one agent per role: accueil, telephone, superviseur, admin."""
    with make_session_factory(engine)() as session:
        create_site(db_session=session, code="hdv", name="Hôtel de ville", kind=SiteKind.TOWN_HALL)
        for username, role in (("accueil", Role.COUNTER), ("telephone", Role.PHONE),
                               ("superviseur", Role.SUPERVISOR), ("admin", Role.ADMIN)):
            create_agent(db_session=session, username=username, display_name=username.title(),
                         password=password, role=role, site_code="hdv")
        session.commit()
