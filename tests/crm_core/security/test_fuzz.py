"""Schemathesis over the whole OpenAPI description, as every role, on a bounded budget
(`relais bench fuzz` runs the long version): no 5xx, no answer that breaks the schema.
Then, once per operation, the hostile values of `benchmarks.hostile` (naive and
extreme dates, huge numbers, labels with markup) against known objects: no 5xx."""

from __future__ import annotations

import os
from types import ModuleType

from fastapi import FastAPI
from sqlalchemy.orm import Session

from benchmarks.fuzz import fuzz_app
from tests.crm_core.security.world import AGENT_ROLES, Staff

EXAMPLES = int(os.environ.get("RELAIS_FUZZ_EXAMPLES", "4"))


def test_the_whole_api_survives_fuzzing_as_every_role(
    app: FastAPI, db_session: Session, factories: ModuleType
) -> None:
    staff = Staff.make(db_session)
    callers: dict[str, dict[str, str]] = {"anonymous": {}}
    for role in AGENT_ROLES:
        callers[role.value] = staff.headers(role)
    # Known objects, so that hostile values reach the code behind the lookups; labels
    # holding every renderer's markup, so that lists and reports carry them.
    resident = factories.ResidentFactory()
    service = factories.ServiceFactory(code="fuzz", label=r"[/] $\frac{$ =1+1")
    db_session.commit()
    seed = None if os.environ.get("RELAIS_FUZZ_RANDOM") else 0
    report = fuzz_app(app, callers=callers, max_examples=EXAMPLES, seed=seed,
                      known={"resident_id": str(resident.id), "code": service.code})
    assert report.operations >= 60
    assert not report.failures, "\n".join(report.lines())


def test_relais_bench_fuzz_runs_on_a_throwaway_database() -> None:
    from typer.testing import CliRunner

    from crm_core.app.launcher import full_app

    cli = full_app()

    result = CliRunner().invoke(cli, ["bench", "fuzz", "--examples", "1", "--seed", "1"])
    assert result.exit_code == 0, result.output
    assert "operations" in result.output and "statuses" in result.output
