"""The offline journal against a real server: sent once, refusals kept, order kept."""

from __future__ import annotations

from pathlib import Path

from counter_client.journal import EntryKind, EntryState, Journal
from crm_core.client import RelaisClient
from tests.counter_client.support import api_client, create_resident, seed_services
from tests.support.live_server import LiveServer


def test_sync_sends_once_keeps_refusals_and_stops_when_unreachable(
    live_server: LiveServer, tmp_path: Path
) -> None:
    seed_services(live_server)
    api = api_client(live_server)
    resident = create_resident(api)
    journal = Journal(tmp_path / "journal.sqlite3")
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
    journal.close()
    api.close()
