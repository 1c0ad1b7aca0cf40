"""The application under test, built once per engine and settings in each test process.

`create_app` costs 0.3-0.5 s (FastAPI analyses every route's parameters), which was about
half the time of a short API test. A test gets the application built for the same engine
and equal settings, with its run state renewed (`renew_run_state`) and its dependency
overrides and settings reset, so nothing a previous test left on it carries over.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.config import Settings
from crm_core.main import create_app, renew_run_state
from integrations.settings import IntegrationSettings, get_integration_settings
from tests.support.sessions import use_test_session

# (engine, server settings, connector settings, application): settings compare by value,
# secrets included, and are not hashable, hence a list.
_built: list[tuple[Engine, Settings, IntegrationSettings, FastAPI]] = []


def app_under_test(engine: Engine, db_session: Session) -> FastAPI:
    settings, connectors = Settings(), get_integration_settings()
    for built_engine, built_settings, built_connectors, app in _built:
        if built_engine is engine and built_settings == settings and built_connectors == connectors:
            renew_run_state(app)
            break
    else:
        app = create_app(settings, engine)
        _built.append((engine, settings, connectors, app))
    app.state.settings = settings  # a test may have replaced it
    app.dependency_overrides.clear()
    return use_test_session(app, db_session)
