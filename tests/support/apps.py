"""The application under test, built once per engine and settings in each test process.

`create_app` costs 0.3-0.5 s (FastAPI analyses every route's parameters), which was about
half the time of a short API test. A test gets the application built for the same engine
and equal settings (the plugins' sections included), with its run state renewed
(`renew_run_state`) and its dependency overrides and settings reset, so nothing a previous
test left on it carries over.
"""

from __future__ import annotations

from fastapi import FastAPI
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from crm_core.app.main import create_app, renew_run_state
from crm_core.config import Settings
from tests.support.sessions import use_test_session

# (engine, settings, application): settings compare by value, secrets and plugins'
# sections included, and are not hashable, hence a list.
_built: list[tuple[Engine, Settings, FastAPI]] = []


def use_settings(app: FastAPI, settings: Settings, db_session: Session | None = None) -> None:
    """`settings` for `app` from now on: its requests, the flush listeners of its sessions
    and of the test's session (`Settings.session_info`), which its requests use."""
    app.state.settings = settings
    app.state.session_factory.configure(info=settings.session_info())
    if db_session is not None:
        db_session.info.update(settings.session_info())


def app_under_test(engine: Engine, db_session: Session) -> FastAPI:
    settings = Settings()
    for built_engine, built_settings, app in _built:
        if built_engine is engine and built_settings == settings:
            renew_run_state(app)
            break
    else:
        app = create_app(settings, engine)
        _built.append((engine, settings, app))
    use_settings(app, settings, db_session)  # a test may have replaced them
    app.dependency_overrides.clear()
    return use_test_session(app, db_session)
