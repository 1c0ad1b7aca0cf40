"""The access log's hash chain: append-only in the database, tampering caught, purge kept
verifiable — on both engines."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from types import ModuleType

import pytest
from sqlalchemy import delete, func, select, text, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.sql import Executable

from crm_core.agents.actor import Actor
from crm_core.privacy.audit import parse_head, purge, seal_all, seal_pending, verify
from crm_core.privacy.enums import AccessOperation
from crm_core.privacy.models import AccessLog, AccessLogSeal, AuditPurge
from crm_core.privacy.service import record_access, record_search


def _log_rows(db_session: Session, factories: ModuleType, count: int,
              at: datetime | None = None) -> list[AccessLog]:
    resident = factories.ResidentFactory()
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    for i in range(count):
        record_access(db_session=db_session, actor=actor, resident_id=resident.id,
                      operation=AccessOperation.READ_SUMMARY, reason=f"visite n°{i} | é")
    db_session.flush()
    rows = list(db_session.scalars(
        select(AccessLog).where(AccessLog.resident_id == resident.id).order_by(AccessLog.id)
    ))
    if at is not None:  # written "long ago": behind the triggers' back, before sealing
        with _triggers_bypassed(db_session):
            db_session.execute(update(AccessLog).where(AccessLog.resident_id == resident.id)
                               .values(occurred_at=at))
        db_session.expire_all()
    return rows


class _triggers_bypassed:
    """What someone with database rights can do: PostgreSQL's replica role skips ordinary
    triggers; on SQLite the triggers are dropped (inside the test's transaction)."""

    def __init__(self, db_session: Session) -> None:
        self.db_session = db_session
        self.is_pg = db_session.get_bind().dialect.name == "postgresql"
        self.dropped: list[tuple[str, str]] = []

    def __enter__(self) -> None:
        if self.is_pg:
            self.db_session.execute(text("SET LOCAL session_replication_role = replica"))
        else:  # put back on exit exactly as the database held them
            self.dropped = [(str(name), str(sql)) for name, sql in self.db_session.execute(text(
                "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name IN"
                " ('trg_access_log_no_update', 'trg_access_log_no_delete',"
                " 'trg_access_log_seal_no_delete', 'trg_access_log_seal_no_update')"))]
            assert len(self.dropped) == 4
            for name, _ in self.dropped:
                self.db_session.execute(text(f"DROP TRIGGER {name}"))

    def __exit__(self, *_: object) -> None:
        if self.is_pg:
            self.db_session.execute(text("SET LOCAL session_replication_role = origin"))
        else:
            for _name, statement in self.dropped:
                self.db_session.execute(text(statement))


Refused = Callable[[Executable], None]


@pytest.fixture
def refused(db_session: Session) -> Refused:
    """refused(statement): the database itself refuses it (the session stays usable)."""

    def check(statement: Executable) -> None:
        with pytest.raises(DBAPIError, match=r"append-only|only by"), db_session.begin_nested():
            db_session.execute(statement)

    return check


def test_the_database_refuses_to_change_or_delete_log_rows(
    db_session: Session, factories: ModuleType, refused: Refused
) -> None:
    rows = _log_rows(db_session, factories, 2)
    seal_all(db_session=db_session)
    check = refused
    check(update(AccessLog).where(AccessLog.id == rows[0].id).values(reason="rien vu"))
    check(delete(AccessLog).where(AccessLog.id == rows[1].id))
    check(update(AccessLogSeal).values(chain_hash="0" * 64))
    check(delete(AccessLogSeal))
    if db_session.get_bind().dialect.name == "postgresql":
        check(text("TRUNCATE access_log CASCADE"))
    assert db_session.scalar(select(func.count()).select_from(AccessLog).where(
        AccessLog.id.in_([r.id for r in rows]))) == 2


def test_an_intact_chain_verifies_and_names_its_head(
    db_session: Session, factories: ModuleType
) -> None:
    _log_rows(db_session, factories, 5)
    assert seal_all(db_session=db_session) >= 5
    assert seal_pending(db_session=db_session) == 0
    report = verify(db_session=db_session)
    assert report.intact, report.problems
    assert report.unsealed == 0
    head_seq = db_session.scalar(select(func.max(AccessLogSeal.seq)))
    assert report.head_seq == head_seq and report.checked >= 5
    assert verify(db_session=db_session, expect_head=report.head).intact


def test_a_search_row_naming_nobody_verifies_and_its_edit_is_caught(
    db_session: Session, factories: ModuleType
) -> None:
    """A search leaves a row with no resident: the verifier once read a missing resident as
    a deleted row and cried « supprimée » after every search."""
    rows = _log_rows(db_session, factories, 1)
    agent = factories.AgentFactory()
    actor = Actor(username=agent.username, agent_id=agent.id, role=agent.role,
                  site_id=agent.site_id)
    record_search(db_session=db_session, actor=actor, criteria=["phone"], results=2)
    db_session.flush()
    seal_all(db_session=db_session)
    report = verify(db_session=db_session)
    assert report.intact, report.problems
    search_id = db_session.scalar(select(func.max(AccessLog.id)))
    assert search_id is not None and search_id > rows[0].id
    with _triggers_bypassed(db_session):
        db_session.execute(update(AccessLog).where(AccessLog.id == search_id)
                           .values(reason="phone : 0 résultat(s)"))
    problems = verify(db_session=db_session).problems
    assert any(f"ligne {search_id}" in p and "modifiée" in p for p in problems), problems


def test_an_edit_behind_the_applications_back_is_caught(
    db_session: Session, factories: ModuleType
) -> None:
    rows = _log_rows(db_session, factories, 4)
    seal_all(db_session=db_session)
    with _triggers_bypassed(db_session):
        db_session.execute(update(AccessLog).where(AccessLog.id == rows[1].id)
                           .values(reason="consultation pour un motif inventé"))
        db_session.execute(delete(AccessLog).where(AccessLog.id == rows[2].id))
    report = verify(db_session=db_session)
    assert not report.intact
    assert any(f"ligne {rows[1].id}" in p and "modifiée" in p for p in report.problems)
    assert any(f"ligne {rows[2].id}" in p and "supprimée" in p for p in report.problems)


def test_a_cut_off_end_of_chain_is_caught_with_a_head_kept_elsewhere(
    db_session: Session, factories: ModuleType
) -> None:
    rows = _log_rows(db_session, factories, 3)
    seal_all(db_session=db_session)
    kept = verify(db_session=db_session).head
    with _triggers_bypassed(db_session):
        db_session.execute(delete(AccessLogSeal).where(AccessLogSeal.log_id == rows[-1].id))
        db_session.execute(delete(AccessLog).where(AccessLog.id == rows[-1].id))
    assert verify(db_session=db_session).intact  # the chain alone cannot tell...
    report = verify(db_session=db_session, expect_head=kept)  # ...the kept head can
    # Beyond the chain's end: a cut, or a head mistyped; it says both, not only "gone".
    seq = int(kept.split(":")[0])
    assert report.head_problem == (
        f"le maillon {seq} n'existe pas : la chaîne s'arrête au maillon {seq - 1}. La tête"
        " notée est peut-être mal recopiée, ou la fin de la chaîne a été coupée")
    assert not verify(db_session=db_session, expect_head="n'importe quoi").intact


def test_a_row_committed_late_with_a_lower_id_is_sealed_late_not_skipped(
    db_session: Session, factories: ModuleType
) -> None:
    first = _log_rows(db_session, factories, 1)[0]
    resident_id = first.resident_id
    db_session.add(AccessLog(id=first.id + 1000, resident_id=resident_id,
                             operation=AccessOperation.LOOKUP))
    db_session.flush()
    seal_all(db_session=db_session)
    db_session.add(AccessLog(id=first.id + 500, resident_id=resident_id,
                             operation=AccessOperation.LOOKUP))
    db_session.flush()
    assert seal_all(db_session=db_session) == 1
    report = verify(db_session=db_session)
    assert report.intact and report.unsealed == 0


def test_purge_deletes_old_rows_and_the_chain_stays_verifiable(
    db_session: Session, factories: ModuleType, refused: Refused
) -> None:
    two_years_ago = datetime.now(UTC) - timedelta(days=730)
    old = [row.id for row in _log_rows(db_session, factories, 3, at=two_years_ago)]
    recent = [row.id for row in _log_rows(db_session, factories, 2)]
    cutoff = datetime.now(UTC) - timedelta(days=365)
    dry = purge(db_session=db_session, cutoff=cutoff, dry_run=True)
    assert dry.rows >= 3 and dry.dry_run
    assert db_session.scalar(select(func.count()).where(AccessLog.id == old[0])) == 1
    done = purge(db_session=db_session, cutoff=cutoff)
    assert done.rows == dry.rows
    remaining = set(db_session.scalars(select(AccessLog.id)))
    assert not set(old) & remaining
    assert set(recent) <= remaining
    report = verify(db_session=db_session)
    assert report.intact, report.problems
    assert report.purged_up_to == done.up_to_seq
    purge_id = db_session.scalar(select(AuditPurge.id).order_by(AuditPurge.id.desc()))
    check = refused
    check(delete(AccessLog).where(AccessLog.id == recent[0]))
    check(update(AuditPurge).where(AuditPurge.id == purge_id).values(up_to_seq=10**9))


def test_canonical_form_is_the_same_for_an_unknown_agent_and_site(
    db_session: Session, factories: ModuleType
) -> None:
    resident = factories.ResidentFactory()
    db_session.add(AccessLog(resident_id=resident.id, operation=AccessOperation.LOOKUP,
                             agent_id=None, site_id=None, reason=None))
    db_session.flush()
    seal_all(db_session=db_session)
    db_session.expire_all()
    assert verify(db_session=db_session).intact
    assert uuid.UUID(str(resident.id))


def test_a_head_is_read_as_verify_prints_it() -> None:
    digest = "ab" * 32
    assert parse_head(f"12:{digest}") == (12, digest)
    assert parse_head(f" 12:{digest.upper()}\n") == (12, digest)  # copied with its case
    for unreadable in ("foo", f"-1:{digest}", f"12:{digest[:-1]}", f"12:{'zz' * 32}",
                       f"١٢:{digest}", ""):
        assert parse_head(unreadable) is None, unreadable
