"""The receipt is built from what it needs, not from the app (counter_client.desk)."""

from __future__ import annotations

from datetime import UTC, datetime

from counter_client.desk import build_receipt
from crm_core.client.types import Case

PRINTED_AT = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def _case(status: str, due_date: str | None) -> Case:
    return Case(
        id="c1", reference="K7M42QX", display_reference="K7M-42QX", resident_id="r1",
        service_code="etat-civil", service_label="État civil", kind="request", status=status,
        allowed_transitions=[], origin_channel="counter", subject="Acte de naissance",
        description=None, external_system=None, external_id=None,
        opened_at="2026-03-02T09:00:00+00:00", due_date=due_date, resolved_at=None,
        closed_at=None, history=[])


def test_a_new_request_names_its_due_day_and_the_agent() -> None:
    receipt = build_receipt(_case("new", "2026-03-16"), site_name="Mairie annexe",
                            agent_name="Sophie M.", follow_url="https://suivi.test",
                            printed_at=PRINTED_AT)
    assert (receipt.site_name, receipt.agent_name, receipt.case_reference) == (
        "Mairie annexe", "Sophie M.", "K7M-42QX")
    assert receipt.case_status == "Demande enregistrée"
    assert "16/03/2026" in receipt.next_steps
    assert (receipt.service_label, receipt.case_subject) == ("État civil", "Acte de naissance")
    assert receipt.follow_url == "https://suivi.test"
    assert receipt.printed_at == PRINTED_AT


def test_without_a_site_agent_or_address_it_says_the_counter() -> None:
    receipt = build_receipt(_case("closed", None), site_name="", agent_name="",
                            follow_url="", printed_at=PRINTED_AT)
    assert (receipt.site_name, receipt.agent_name) == ("Accueil de la mairie", "l'accueil")
    assert receipt.follow_url is None
    assert receipt.next_steps == "Votre demande est clôturée. Merci de votre visite."
