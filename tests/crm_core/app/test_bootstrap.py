"""Registrations are explicit: after `bootstrap()`, in a fresh process, the retention run
holds every rule and the erasure every hook; a process that skipped it refuses both."""

from __future__ import annotations

import json
import subprocess
import sys

AFTER_BOOTSTRAP = """
import json
from crm_core.app.bootstrap import bootstrap
bootstrap()
bootstrap()  # idempotent
from crm_core.database.base import Base
from crm_core.privacy import erasure_hooks
from crm_core.rights import retention
from sqlalchemy import event
from sqlalchemy.orm import Session
from integrations.outbox import hooks
print(json.dumps({"rules": [rule.__name__ for rule in retention.RULES],
                  "hooks": list(erasure_hooks.HOOKS),
                  "outbox": event.contains(Session, "before_flush", hooks._before_flush),
                  "tables": sorted(Base.metadata.tables)}))
"""

WITHOUT_BOOTSTRAP = """
from crm_core.privacy import erasure_hooks
from crm_core.rights import retention
for call in (erasure_hooks.scrubbers,
             lambda: retention.run_retention(db_session=None, settings=None, now=None,
                                             dry_run=True)):
    try:
        call()
    except RuntimeError as exc:
        print("refused:", exc)
"""


def _python(code: str) -> str:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=120, check=True).stdout


def test_bootstrap_registers_every_rule_hook_listener_and_model() -> None:
    seen = json.loads(_python(AFTER_BOOTSTRAP))
    assert seen["rules"] == ["_access_log", "_agent_sessions", "abuse_counters",
                             "resident_sessions", "_residents"]  # the erasure stays last
    assert seen["hooks"] == [
        "resident_session.resident_id", "privacy_request.resident_id",
        "account_link_proposal.resident_id", "integration_resident_review.resident_id",
        "open311_request.case_id",
    ]
    assert seen["outbox"] is True
    # The plugins' models are part of the metadata (the core's models module lists none).
    assert {"integration_outbox", "integration_inbox", "abuse_counter", "resident_session"} <= set(
        seen["tables"])


def test_a_process_that_skipped_the_bootstrap_refuses_retention_and_erasure() -> None:
    refused = _python(WITHOUT_BOOTSTRAP).splitlines()
    assert len(refused) == 2
    assert all("bootstrap()" in line for line in refused)
