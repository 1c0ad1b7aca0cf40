"""The one start-up step: every registration the application relies on, made explicitly.

Retention rules, erasure hooks, what keeps step with the register (the search keys), the
plugins' listeners and the models are registered here, never as a side effect of
importing a module (which made import circles and left a process that happened not to
import a module without its rule). `create_app`, the `relais` command and the tests call
`bootstrap()` before anything else; the retention run, the erasure and a change of a
resident's file refuse to run in a process that did not (`crm_core.rights.retention`,
`crm_core.privacy.erasure_hooks`, `crm_core.residents.hooks`).
"""

from __future__ import annotations

from crm_core.app.models import load_models
from crm_core.plugins import plugins
from crm_core.privacy import erasure_hooks
from crm_core.recognition.indexing import reindex_residents
from crm_core.residents import hooks as resident_hooks
from crm_core.rights import retention
from crm_core.security import retention as security_retention
from crm_core.space import erasure as space_erasure
from crm_core.space import retention as space_retention

_done: list[bool] = []


def bootstrap() -> None:
    """Register everything (idempotent: once per process, cheap afterwards)."""
    if _done:
        return
    retention.add_rule(security_retention.abuse_counters)
    retention.add_rule(space_retention.resident_sessions)
    space_erasure.register_hooks()
    resident_hooks.register(reindex_residents)
    for plugin in plugins():
        plugin.register()
    retention.mark_complete()
    erasure_hooks.mark_complete()
    resident_hooks.mark_complete()
    load_models()
    _done.append(True)
