"""The request's unit of work: one transaction per request, owned by the boundary.

Routes call the services (which flush, never commit) and return; `request_transaction`
then commits once — after the endpoint has returned and its answer been serialized, but
BEFORE the response is sent, so that a client reading right after sees the data, and a
failed commit answers with an error rather than a 200. That ordering comes from the
dependency's scope: `Depends(..., scope="function")` closes a `yield` dependency as the
endpoint's function ends; the default scope ("request") would close it after the response
has gone out.

An exception from the route rolls everything back and goes on to the problem handlers. A
commit that breaks a constraint (a race no check could see: two requests inserting the
same key at once) rolls back and raises its `IntegrityError` unchanged, which the one
handler in `crm_core.api.problems` answers with a 409 problem that never quotes the SQL
parameters.

What must happen only once the data is committed — a ring pushed to the phone desks, the
outbox worker woken — is registered with `on_commit` and runs right after the commit; a
rolled-back request runs none of it.

A few writes must survive the request's failure (the sign-in lock-out counters, a lookup
counted towards the lock, a one-time code spent): those routes still commit in the
middle, explicitly, with a comment saying why."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from weakref import WeakKeyDictionary

from anyio import CapacityLimiter, to_thread
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)

_HOOKS = "relais.on_commit"


def on_commit(db_session: Session, hook: Callable[[], object]) -> None:
    """Run `hook` (from the event loop: it must not block) once the request's transaction
    has committed; never if it rolls back."""
    db_session.info.setdefault(_HOOKS, []).append(hook)


# Commits run in threads of their own, as many as the request threads (one per database
# connection): not on the event loop, where they queued one behind another (each COMMIT
# waits for the disk) and held every other request meanwhile, nor among the request
# threads, where a commit would wait for a thread held by requests that wait for its
# locks (on SQLite the write lock, on PostgreSQL the rows it wrote).
_COMMIT_LIMITERS: WeakKeyDictionary[asyncio.AbstractEventLoop, CapacityLimiter] = (
    WeakKeyDictionary())


def _commit_limiter() -> CapacityLimiter:
    loop = asyncio.get_running_loop()
    limiter = _COMMIT_LIMITERS.get(loop)
    if limiter is None:
        tokens = to_thread.current_default_thread_limiter().total_tokens
        limiter = _COMMIT_LIMITERS[loop] = CapacityLimiter(tokens)
    return limiter


@asynccontextmanager
async def request_transaction(session: Session) -> AsyncIterator[Session]:
    """Commit on success, roll back on error, then the after-commit hooks."""
    try:
        yield session
    except BaseException:
        session.info.pop(_HOOKS, None)
        session.rollback()  # no I/O when nothing was begun; a plain ROLLBACK otherwise
        raise
    try:
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            await to_thread.run_sync(session.commit, limiter=_commit_limiter())
    except BaseException:
        session.info.pop(_HOOKS, None)
        session.rollback()
        raise
    for hook in session.info.pop(_HOOKS, []):
        try:
            hook()
        except Exception:  # committed already: the answer stands; the log says what
            logger.exception("after-commit hook %r failed", hook)
