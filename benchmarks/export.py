"""`relais bench export`: time to export a resident with a long history (target: a resident
with 1,000 exchanges in under 2 s), on a database of its own or the one given."""

from __future__ import annotations

import contextlib
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from rich.console import Console
from rich.table import Table
from sqlalchemy import insert

from benchmarks.harness import CITY_ZONE
from crm_core.agents.actor import SYSTEM
from crm_core.cases.schemas import CaseCreate, ServiceCreate
from crm_core.cases.service import create_service, open_case
from crm_core.channels import Channel
from crm_core.config import Settings
from crm_core.database.engine import make_engine, make_session_factory
from crm_core.database.migrate import upgrade
from crm_core.interactions.enums import Outcome
from crm_core.interactions.models import Interaction
from crm_core.residents import service as residents
from crm_core.residents.schemas import ResidentCreate
from crm_core.rights.export import export_resident


def run_export_benchmark(
    *, interactions: int, cases: int, repeats: int, console: Console,
    database_url: str | None = None,
) -> None:
    with contextlib.ExitStack() as stack:
        if database_url is None:
            folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="relais-")))
            database_url = f"sqlite:///{folder / 'export.db'}"
        # The bench's own server settings: a throwaway database needs no secret.
        settings = Settings(demo_mode=True)
        engine = make_engine(database_url)
        stack.callback(engine.dispose)
        upgrade(engine)
        with make_session_factory(engine)() as db_session:
            service = create_service(db_session=db_session, data=ServiceCreate(
                code=f"bench-export-{time.time_ns()}", label="Banc d'essai",
                announced_delay_days=10))
            resident = residents.create(
                db_session=db_session, actor=SYSTEM, phone_region="FR", data=ResidentCreate(
                given_name="Anne-Sophie", family_name="Le Bihan", birth_date=date(1979, 5, 4),
                phones=["06 11 22 33 44"], emails=["as.lebihan@exemple.fr"]))
            start = datetime.now(UTC) - timedelta(days=3 * 365)
            case_ids = [
                open_case(db_session=db_session, actor=SYSTEM, opened_at=start + timedelta(days=i),
                          timezone=CITY_ZONE,
                          data=CaseCreate(resident_id=resident.id, service_code=service.code,
                                          channel=Channel.WEB, subject=f"Demande n°{i}",
                                          record_interaction=False))
                for i in range(cases)
            ]
            db_session.execute(insert(Interaction), [
                {"resident_id": resident.id, "channel": list(Channel)[i % len(Channel)],
                 "outcome": Outcome.INFORMED, "note": f"Échange n°{i} : réponse donnée",
                 "occurred_at": start + timedelta(hours=i),
                 "case_id": case_ids[i % cases].id if cases else None}
                for i in range(interactions)
            ])
            db_session.commit()
            timings = []
            for _ in range(repeats):
                began = time.perf_counter()
                document = export_resident(db_session=db_session, actor=SYSTEM,
                                           resident_id=resident.id, settings=settings)
                timings.append((time.perf_counter() - began) * 1000)
                db_session.rollback()
    table = Table(title=f"relais bench export — {engine.dialect.name}")
    for column in ("échanges", "demandes", "exports", "p50 (ms)", "max (ms)"):
        table.add_column(column)
    table.add_row(str(len(document["interactions"])), str(len(document["cases"])),
                  str(repeats), f"{statistics.median(timings):.1f}", f"{max(timings):.1f}")
    console.print(table)
