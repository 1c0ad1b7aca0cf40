"""The Relais server: `create_app()` is the one composition root (uvicorn factory)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import timedelta
from typing import Any

from anyio import to_thread
from fastapi import APIRouter, FastAPI
from sqlalchemy import Engine, text

from crm_core import __version__
from crm_core.agents.router import router as agents_router
from crm_core.api import problems
from crm_core.api.deps import DbSession
from crm_core.api.limits import BodySizeLimit
from crm_core.app.bootstrap import bootstrap
from crm_core.badges.router import router as badges_router
from crm_core.cases.router import router as cases_router
from crm_core.config import Settings, get_settings
from crm_core.config.variables import check_variables
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.interactions.router import router as interactions_router
from crm_core.plugins import plugins
from crm_core.privacy.sealer import PeriodicSealer
from crm_core.queue.router import router as queue_router
from crm_core.recognition.identity_router import router as identity_router
from crm_core.recognition.router import router as recognition_router
from crm_core.reminders.router import pages as reminder_pages
from crm_core.reminders.router import router as reminders_router
from crm_core.reports.folder import PeriodicFolder
from crm_core.reports.router import router as reports_router
from crm_core.residents.router import router as residents_router
from crm_core.rights.router import router as privacy_router
from crm_core.security.router import router as security_router
from crm_core.space.api import router as privacy_requests_router
from crm_core.space.contact_pages import pages as space_contact_pages
from crm_core.space.data_pages import pages as space_data_pages
from crm_core.space.router import pages as space_pages
from crm_core.space.web import FORM_MAX_BYTES, limit_page
from crm_core.summary.router import router as summary_router
from crm_core.telephony.broadcast import broadcast_for
from crm_core.telephony.hub import DeskHub
from crm_core.telephony.router import router as telephony_router
from crm_core.web.security import FormSizeLimit, SecurityHeaders

API_PREFIX = "/api/v1"

DESCRIPTION = """\
Relais: the shared memory between a city hall and its residents, across every channel.

Agents authenticate with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`.
Every error is an RFC 9457 `application/problem+json` document whose `detail` is written
in French for the agent, with a stable `code`.
"""


def renew_run_state(app: FastAPI) -> None:
    """What one run of the application holds and closes when it stops (the desk's feed,
    the plugins' share, such as the webhooks' grouped acknowledgements): made anew for an
    application started again (the test suite starts one application per engine and
    settings many times)."""
    engine = app.state.engine
    for plugin in plugins():
        plugin.start(app)
    app.state.desk_hub = DeskHub()
    app.state.desk_broadcast = broadcast_for(engine, app.state.desk_hub)


def create_app(settings: Settings | None = None, engine: Engine | None = None) -> FastAPI:
    bootstrap()
    check_variables()  # a RELAIS_* variable nothing reads (a typo) refuses the start
    settings = settings or get_settings()  # with the plugins' sections, checked
    owns_engine = engine is None
    engine = engine or make_engine(
        settings.effective_database_url, pool_size=settings.db_pool_size, echo=settings.log_sql
    )
    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Never more request threads than database connections: excess requests queue
        # for a thread instead of timing out on the connection pool.
        to_thread.current_default_thread_limiter().total_tokens = 2 * settings.db_pool_size
        app.state.desk_broadcast.start(asyncio.get_running_loop())
        sealer = None
        if settings.audit_seal_seconds > 0:
            sealer = PeriodicSealer(app.state.session_factory, settings.audit_seal_seconds)
            sealer.start()
        folder = None
        if settings.report_fold_seconds > 0:
            folder = PeriodicFolder(app.state.session_factory, settings.report_fold_seconds,
                                    timezone=settings.timezone)
            folder.start()
        # What start-up built (routes, schemas, mappers) lives as long as the process:
        # frozen, the collector's full passes stop walking it in the middle of requests.
        gc.collect()
        gc.freeze()
        yield
        if folder is not None:
            folder.stop()
        if sealer is not None:
            sealer.stop()
        app.state.desk_broadcast.stop()
        for plugin in plugins():
            await plugin.stop(app)
        if owns_engine:  # an engine handed in (tests, tools) stays its owner's to close
            engine.dispose()

    docs = settings.docs_served
    app = FastAPI(
        title="Relais API", version=__version__, description=DESCRIPTION, lifespan=lifespan,
        docs_url="/docs" if docs else None, redoc_url="/redoc" if docs else None,
    )
    app.state.settings = settings
    app.state.agent_idle_timeout = (
        timedelta(minutes=settings.agent_idle_minutes) if settings.agent_idle_minutes else None
    )
    app.state.engine = engine
    app.state.session_factory = make_session_factory(engine, settings.session_info())
    renew_run_state(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_request_bytes,
                       pages=("/espace/", "/rappels/"), page=limit_page)
    app.add_middleware(FormSizeLimit, prefixes=("/espace/",), max_bytes=FORM_MAX_BYTES,
                       page=limit_page)
    pages = ("/espace/", *(prefix for plugin in plugins() for prefix in plugin.page_prefixes))
    app.add_middleware(SecurityHeaders, prefixes=pages)
    # Last: its last resort wraps the middleware above.
    problems.install(app, pages=(*pages, "/rappels/"), page=limit_page)

    api = APIRouter(prefix=API_PREFIX)

    @api.get("/health", tags=["system"])
    def health(db_session: DbSession) -> dict[str, Any]:
        db_session.execute(text("SELECT 1"))
        return {"status": "ok", "version": __version__, "database": engine.dialect.name}

    for router in (
        agents_router, identity_router, residents_router, summary_router, cases_router,
        interactions_router, recognition_router, badges_router, privacy_router,
        reminders_router, queue_router, telephony_router, privacy_requests_router,
        security_router, reports_router,
    ):
        api.include_router(router)
    # Matching walks each router's routes in turn, with no look at prefixes first: the
    # plugins' small routers (the connectors) go first (a webhook paid 0.2 ms to pass the
    # API's routes), then the API, then the residents' pages.
    for plugin in plugins():
        for router in plugin.routers():
            app.include_router(router)
    app.include_router(api)
    app.include_router(reminder_pages)
    app.include_router(space_pages)
    app.include_router(space_contact_pages)
    app.include_router(space_data_pages)
    if settings.demo_mode:  # demo-only pages exist in demo mode, and nowhere else
        from crm_core.demo.sign_in import demo_accounts
        from crm_core.demo.sign_in import pages as demo_pages

        app.state.demo_accounts = demo_accounts
        app.include_router(demo_pages)
    return app
