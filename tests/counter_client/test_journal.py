"""The offline journal against a real server: sent once, refusals kept, order kept."""

from __future__ import annotations

import contextlib
from datetime import UTC, datetime, timedelta
from pathlib import Path

from counter_client.journal import EntryKind, EntryState, Journal
from crm_core.cases.models import Service
from crm_core.client import RelaisClient
from tests.counter_client.support import api_client, create_resident
from tests.support.live_server import LiveServer


def test_sync_sends_once_keeps_refusals_and_stops_when_unreachable(
    tmp_path: Path, cleanup: contextlib.ExitStack, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": "etat-civil",
                                 "subject": "Livret de famille", "channel": "counter"})
    journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": "supprime",
                                 "subject": "Service retiré", "channel": "counter"})
    journal.add(EntryKind.INTERACTION, {"resident_id": resident["id"], "outcome": "informed",
                                        "channel": "counter", "note": "passage"})
    report = journal.sync(api)
    assert (len(report.sent), len(report.rejected), report.unreachable) == (2, 1, False)
    rejected = journal.entries(EntryState.REJECTED)
    assert rejected[0].payload["service_code"] == "supprime"
    assert rejected[0].error is not None and "Service inconnu" in rejected[0].error
    assert journal.sync(api).sent == []  # nothing left to send
    summary = api.summary(resident["id"])
    assert [c["subject"] for c in summary["open_cases"]] == ["Livret de famille"]
    assert [e["note"] for e in summary["recent_interactions"]].count("passage") == 1

    journal.add(EntryKind.INTERACTION, {"resident_id": resident["id"], "outcome": "informed"})
    with RelaisClient("http://127.0.0.1:9", token=api.token) as nowhere:
        assert journal.sync(nowhere).unreachable
    assert journal.count(EntryState.PENDING) == 1


def test_a_request_kept_offline_reaches_the_server_with_the_time_it_was_made(
    tmp_path: Path, cleanup: contextlib.ExitStack, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    asked = datetime.now(UTC) - timedelta(hours=2)
    journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": "etat-civil",
                                 "subject": "Acte de décès", "channel": "counter",
                                 "opened_at": asked.isoformat()})
    journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": "etat-civil",
                                 "subject": "Acte de mariage", "channel": "counter"})
    entries = journal.entries()
    assert entries[1].payload["opened_at"] == entries[1].created_at  # stamped when kept
    assert len(journal.sync(api).sent) == 2
    opened = {e.payload["subject"]: datetime.fromisoformat((e.result or {})["opened_at"])
              for e in journal.entries(EntryState.SENT)}
    assert opened["Acte de décès"] == asked
    assert opened["Acte de mariage"] == datetime.fromisoformat(entries[1].created_at)


def test_a_refused_entry_can_be_sent_again_or_set_aside(
    live_server: LiveServer, tmp_path: Path, cleanup: contextlib.ExitStack, api: RelaisClient,
) -> None:
    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    for code in ("inconnu", "absent"):
        journal.add(EntryKind.CASE, {"resident_id": resident["id"], "service_code": code,
                                     "subject": f"Service {code}", "channel": "counter"})
    assert len(journal.sync(api).rejected) == 2
    first, second = journal.entries(EntryState.REJECTED)
    journal.dismiss(second.id)
    assert [e.id for e in journal.entries(EntryState.DISMISSED)] == [second.id]
    journal.retry(second.id)  # only a refused entry can be sent again
    assert journal.count(EntryState.PENDING) == 0
    with live_server.session() as session:  # the cause is fixed: the service now exists
        session.add(Service(code="inconnu", label="Nouveau service", announced_delay_days=5))
        session.commit()
    journal.retry(first.id)
    report = journal.sync(api)
    assert [e.id for e in report.sent] == [first.id] and report.rejected == []
    assert journal.count(EntryState.REJECTED) == 0
    assert journal.count(EntryState.DISMISSED) == 1


def test_sync_sends_only_the_signed_in_agents_entries(
    api: RelaisClient, cleanup: contextlib.ExitStack, tmp_path: Path
) -> None:
    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    visit = {"resident_id": resident["id"], "outcome": "informed"}
    journal.add(EntryKind.INTERACTION, visit, agent="collegue", agent_name="Léa Martin")
    mine = journal.add(EntryKind.INTERACTION, visit, agent="accueil")
    assert journal.count(agent="accueil") == 1
    assert journal.waiting_for_others("accueil") == [("Léa Martin", 1)]
    assert [e.key for e in journal.sync(api, agent="accueil").sent] == [mine.key]
    assert journal.sync(api).sent == []  # no one signed in: nothing owned leaves
    assert journal.count(EntryState.PENDING) == 1


def test_a_journal_from_before_owners_opens_and_keeps_its_entries(tmp_path: Path) -> None:
    import sqlite3

    path = tmp_path / "journal.sqlite3"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.execute("CREATE TABLE entry (id INTEGER PRIMARY KEY AUTOINCREMENT, key TEXT NOT"
                   " NULL UNIQUE, kind TEXT NOT NULL, payload TEXT NOT NULL, created_at TEXT"
                   " NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT"
                   " NULL DEFAULT 0, error TEXT, result TEXT)")
        db.execute("INSERT INTO entry (key, kind, payload, created_at) VALUES"
                   " ('k', 'interaction', '{}', '2026-01-01')")
        db.commit()
    with Journal(path) as journal:
        (entry,) = journal.entries()
        assert entry.agent is None
        assert journal.count(agent="accueil") == 1


def test_a_supervisor_sends_what_an_agent_who_left_made_naming_them(
    api: RelaisClient, live_server: LiveServer, cleanup: contextlib.ExitStack, tmp_path: Path
) -> None:
    from crm_core.interactions.models import Interaction

    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    visit = {"resident_id": resident["id"], "outcome": "informed", "note": "Venue pour l'IBAN"}
    gone = journal.add(EntryKind.INTERACTION, visit, agent="parti", agent_name="Léa Martin")
    journal.add(EntryKind.INTERACTION, visit, agent="revient", agent_name="Paul Roux")
    assert [(w.agent, w.agent_name, w.count) for w in journal.left_behind("superviseur")] == [
        ("parti", "Léa Martin", 1), ("revient", "Paul Roux", 1)]
    supervisor = cleanup.enter_context(api_client(live_server, "superviseur"))

    report = journal.send_left_behind(supervisor, author="parti", by="Superviseur")

    assert [e.key for e in report.sent] == [gone.key]
    sent = next(e for e in journal.entries(EntryState.SENT))
    assert (sent.agent, sent.handled_by) == ("parti", "Superviseur")  # keeps its author
    with live_server.session() as session:
        note = session.query(Interaction.note).filter_by(idempotency_key=gone.key).scalar()
    assert note == ("[Saisi hors ligne au guichet par Léa Martin (parti), transmis par"
                    " Superviseur.]\nVenue pour l'IBAN")
    assert journal.count(EntryState.PENDING) == 1  # Paul's visit still waits for him


def test_a_relay_of_what_its_author_already_sent_answers_the_first_record(
    api: RelaisClient, live_server: LiveServer, cleanup: contextlib.ExitStack, tmp_path: Path
) -> None:
    """The author's own try reached the server, its answer was lost: the relay (note
    prefixed) is another content under the same key, refused (422); the journal then sends
    the entry as its author made it, an honest replay, and records nothing twice. An entry
    whose key the server holds with truly another content stays refused."""
    from crm_core.cases.models import Case
    from crm_core.interactions.models import Interaction

    resident = create_resident(api)
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    visit = journal.add(EntryKind.INTERACTION, {
        "resident_id": resident["id"], "outcome": "informed", "note": "Venue pour l'IBAN"},
        agent="accueil", agent_name="Élodie Martin")
    request = journal.add(EntryKind.CASE, {
        "resident_id": resident["id"], "service_code": "etat-civil",
        "subject": "Livret de famille"}, agent="accueil", agent_name="Élodie Martin")
    clash = journal.add(EntryKind.INTERACTION, {
        "resident_id": resident["id"], "outcome": "informed", "note": "Mon texte"},
        agent="accueil", agent_name="Élodie Martin")
    first = api.record_interaction(**visit.payload, idempotency_key=visit.key)
    opened = api.open_case(**request.payload, idempotency_key=request.key)
    api.record_interaction(**clash.payload | {"note": "Autre texte"}, idempotency_key=clash.key)
    supervisor = cleanup.enter_context(api_client(live_server, "superviseur"))

    report = journal.send_left_behind(supervisor, author="accueil", by="Superviseur")

    assert [e.key for e in report.sent] == [visit.key, request.key]
    results = {e.key: e.result or {} for e in journal.entries(EntryState.SENT)}
    assert results[visit.key]["id"] == first["id"]
    assert results[request.key]["reference"] == opened["reference"]
    (refused,) = journal.entries(EntryState.REJECTED)
    assert refused.key == clash.key and refused.error is not None
    assert "autre contenu (note)" in refused.error
    with live_server.session() as session:
        notes = session.query(Interaction.note).filter(
            Interaction.idempotency_key.in_([visit.key, clash.key])).all()
        cases = session.query(Case.description).filter_by(idempotency_key=request.key).all()
    assert sorted(str(n) for (n,) in notes) == ["Autre texte", "Venue pour l'IBAN"]
    assert cases == [(None,)]


def test_a_supervisor_discards_what_an_agent_who_left_made_with_a_trace(
    cleanup: contextlib.ExitStack, tmp_path: Path
) -> None:
    journal = cleanup.enter_context(Journal(tmp_path / "journal.sqlite3"))
    visit = {"resident_id": "00000000-0000-0000-0000-000000000001", "outcome": "informed"}
    journal.add(EntryKind.INTERACTION, visit, agent="parti", agent_name="Léa Martin")
    journal.add(EntryKind.INTERACTION, visit, agent="parti", agent_name="Léa Martin")
    journal.add(EntryKind.INTERACTION, visit, agent="revient", agent_name="Paul Roux")

    assert journal.discard_left_behind(author="parti", by="Superviseur") == 2

    discarded = journal.entries(EntryState.DISMISSED)
    assert [e.agent for e in discarded] == ["parti", "parti"]  # kept in the file
    assert all(e.handled_by == "Superviseur" for e in discarded)
    assert discarded[0].error is not None
    assert discarded[0].error.startswith("Écarté par Superviseur le ")
    assert "saisi par Léa Martin" in discarded[0].error
    assert [w.agent for w in journal.left_behind("superviseur")] == ["revient"]


class _RecordingClient:
    """Takes what a relay would send; the server's part is covered above."""

    def __init__(self) -> None:
        self.sent: list[dict[str, object]] = []

    def record_interaction(self, **payload: object) -> dict[str, object]:
        self.sent.append(payload)
        return {"id": "1"}


def test_a_relayed_note_names_its_author_once(tmp_path: Path) -> None:
    # Outside look, issue 19: the demo's « Élodie Martin (accueil) » became
    # « … Élodie Martin (accueil) (accueil) » in the relayed note.
    client = _RecordingClient()
    with Journal(tmp_path / "journal.sqlite3") as journal:
        for agent, name in (("accueil", "Élodie Martin (accueil)"), ("lea", "Léa Martin"),
                            ("paul", None)):
            journal.add(EntryKind.INTERACTION, {"resident_id": "r", "outcome": "informed"},
                        agent=agent, agent_name=name)
            journal.send_left_behind(client, author=agent, by="Superviseur")  # type: ignore[arg-type]
    assert [payload["note"] for payload in client.sent] == [
        "[Saisi hors ligne au guichet par Élodie Martin (accueil), transmis par Superviseur.]",
        "[Saisi hors ligne au guichet par Léa Martin (lea), transmis par Superviseur.]",
        "[Saisi hors ligne au guichet par paul, transmis par Superviseur.]"]
