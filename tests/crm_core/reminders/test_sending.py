"""Reminders go out once, through a real SMTP server and a real HTTP SMS gateway, only to
residents who opted in on a contact point they accepted, and land on their timeline."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from types import ModuleType

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm_core.agents.actor import SYSTEM
from crm_core.channels import Channel
from crm_core.config import Settings
from crm_core.consent.service import set_consent
from crm_core.interactions.enums import Direction
from crm_core.interactions.models import Interaction
from crm_core.privacy.enums import ConsentPurpose, ConsentSource
from crm_core.reminders import service
from crm_core.reminders.backends import Email, HttpSmsBackend, MemorySmsBackend, SmtpEmailBackend
from crm_core.reminders.cli import backends
from crm_core.reminders.enums import DeliveryStatus, ReminderChannel
from crm_core.reminders.links import read_opt_out_token
from crm_core.reminders.models import ReminderDelivery
from crm_core.residents.enums import ContactKind
from tests.crm_core.reminders.conftest import Gateway, Mailbox

TODAY = date(2027, 3, 8)


def _bundle(db_session: Session, code: str = "dechets") -> str:
    service.create_bundle(db_session=db_session, code=code, label="Collecte des déchets verts")
    service.add_date(db_session=db_session, code=code, occurs_on=TODAY + timedelta(days=1),
                     title="Collecte des déchets verts",
                     message="Sortez vos sacs la veille au soir, avant 20 h.", days_before=1)
    service.add_date(db_session=db_session, code=code, occurs_on=TODAY + timedelta(days=15),
                     title="Collecte suivante", message="Dans deux semaines.", days_before=2)
    return code


def _resident(factories: ModuleType, db_session: Session, *, allowed: bool = True,
              ways: tuple[ConsentPurpose, ...] = (ConsentPurpose.CONTACT_EMAIL,
                                                  ConsentPurpose.CONTACT_SMS)) -> uuid.UUID:
    resident = factories.ResidentFactory(given_name="Maëlle", family_name="Le Gall")
    factories.ContactPointFactory(resident=resident, kind=ContactKind.EMAIL,
                                  value=f"maelle.{uuid.uuid4().hex[:6]}@exemple.fr",
                                  contact_allowed=allowed)
    factories.ContactPointFactory(resident=resident, kind=ContactKind.PHONE,
                                  value="+33611223344", contact_allowed=allowed)
    for purpose in ways:
        set_consent(db_session=db_session, actor=SYSTEM, resident_id=resident.id,
                    purpose=purpose, granted=True, source=ConsentSource.RESIDENT)
    return resident.id  # type: ignore[no-any-return]


def _send(db_session: Session, email: object, sms: object) -> service.SendReport:
    return service.send_due(db_session=db_session, settings=Settings(), today=TODAY,
                            email=email, sms=sms,  # type: ignore[arg-type]
                            public_url="https://relais.mairie.example")


def test_due_reminders_go_out_once_by_email_and_sms_and_land_on_the_timeline(
    db_session: Session, factories: ModuleType, smtp_server: Mailbox, sms_gateway: Gateway
) -> None:
    code = _bundle(db_session)
    resident_id = _resident(factories, db_session)
    for channel in ReminderChannel:
        service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                          code=code, channel=channel, source=ConsentSource.RESIDENT)
    email = SmtpEmailBackend(smtp_server.url, "ne-pas-repondre@mairie.example")
    sms = HttpSmsBackend(sms_gateway.url, "jeton-passerelle")
    report = _send(db_session, email, sms)
    assert (report.sent, report.failed, report.skipped) == (2, 0, 0)  # tomorrow's only

    [message] = smtp_server.messages
    assert message["Subject"] == "Collecte des déchets verts — 09/03/2027"
    body = message.get_content()  # type: ignore[attr-defined]
    assert "Sortez vos sacs" in body
    link = message["List-Unsubscribe"].strip("<>")
    assert link in body and link.startswith("https://relais.mairie.example/rappels/")
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert read_opt_out_token(Settings(), link.split("jeton=")[1]) is not None
    [text] = sms_gateway.received
    assert text["to"] == "+33611223344" and "09/03/2027" in text["text"]
    assert sms_gateway.tokens == ["Bearer jeton-passerelle"]

    outbound = db_session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.resident_id == resident_id, Interaction.direction == Direction.OUTBOUND))
    assert outbound == 2
    channels = set(db_session.scalars(select(Interaction.channel).where(
        Interaction.resident_id == resident_id)))
    assert channels == {Channel.EMAIL, Channel.SMS}  # an SMS is no phone call
    again = _send(db_session, email, sms)  # a second run the same day sends nothing
    assert (again.sent, again.skipped) == (0, 0) and len(smtp_server.messages) == 1


def test_no_consent_or_no_accepted_contact_point_means_no_message(
    db_session: Session, factories: ModuleType
) -> None:
    code = _bundle(db_session)
    withdrawn = _resident(factories, db_session)
    unreachable = _resident(factories, db_session, allowed=False)
    for resident_id in (withdrawn, unreachable):
        service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                          code=code, channel=ReminderChannel.SMS, source=ConsentSource.RESIDENT)
    set_consent(db_session=db_session, actor=SYSTEM, resident_id=withdrawn,
                purpose=ConsentPurpose.REMINDERS, granted=False, source=ConsentSource.RESIDENT)
    sms = MemorySmsBackend()
    report = _send(db_session, MemorySmsBackend(), sms)
    assert (report.sent, report.skipped) == (0, 2) and sms.sent == []
    details = set(db_session.scalars(select(ReminderDelivery.detail)))
    assert {"pas de consentement", "pas de coordonnée utilisable"} <= details


def test_no_message_by_a_way_the_resident_refused_in_their_choices(
    db_session: Session, factories: ModuleType
) -> None:
    # "Mes choix" says no to SMS while the number is kept for contact: no SMS, whatever
    # the reminder opt-in (one answer, docs/consent.md).
    code = _bundle(db_session)
    resident_id = _resident(factories, db_session, ways=(ConsentPurpose.CONTACT_EMAIL,))
    service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id,
                      code=code, channel=ReminderChannel.SMS, source=ConsentSource.RESIDENT)
    sms = MemorySmsBackend()
    report = _send(db_session, MemorySmsBackend(), sms)
    assert (report.sent, report.skipped) == (0, 1) and sms.sent == []


def test_a_failing_backend_is_retried_at_the_next_run(
    db_session: Session, factories: ModuleType, sms_gateway: Gateway,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code = _bundle(db_session)
    resident_id = _resident(factories, db_session)
    service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id, code=code,
                      channel=ReminderChannel.SMS, source=ConsentSource.AGENT)
    monkeypatch.delenv("RELAIS_SMS_GATEWAY_URL", raising=False)
    unconfigured_email, unconfigured_sms = backends(Settings())
    first = _send(db_session, unconfigured_email, unconfigured_sms)
    assert first.failed == 1 and "RELAIS_SMS_GATEWAY_URL" in first.problems[0]
    sms_gateway.answer = 503
    second = _send(db_session, unconfigured_email, HttpSmsBackend(sms_gateway.url, "t"))
    assert second.failed == 1 and "503" in second.problems[0]
    sms_gateway.answer = 202
    third = _send(db_session, unconfigured_email, HttpSmsBackend(sms_gateway.url, "t"))
    assert third.sent == 1
    statuses = list(db_session.scalars(select(ReminderDelivery.status)))
    assert statuses == [DeliveryStatus.SENT]


def test_the_unsubscribe_header_leaves_as_a_plain_link(
    db_session: Session, factories: ModuleType, smtp_server: Mailbox
) -> None:
    # Read on the bytes received: a parser that decodes RFC 2047 words hid the bug.
    code = _bundle(db_session)
    resident_id = _resident(factories, db_session)
    service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id, code=code,
                      channel=ReminderChannel.EMAIL, source=ConsentSource.RESIDENT)
    email = SmtpEmailBackend(smtp_server.url, "ne-pas-repondre@mairie.example")
    assert _send(db_session, email, MemorySmsBackend()).sent == 1
    [raw] = smtp_server.raw
    headers = raw.split(b"\r\n\r\n")[0].decode("ascii")
    [line] = [h for h in headers.split("\r\n") if h.startswith("List-Unsubscribe:")]
    assert re.fullmatch(
        r"List-Unsubscribe: <https://relais\.mairie\.example/rappels/desabonnement"
        r"\?jeton=[A-Za-z0-9_.\-]+>", line), line
    assert "List-Unsubscribe-Post: List-Unsubscribe=One-Click" in headers.split("\r\n")


class _CrashAfterSending:
    """Hands the message to the real backend, then the run dies (as the unit of work did
    on a half-loaded mapper registry): the message has left, nothing after it ran."""

    def __init__(self, backend: SmtpEmailBackend) -> None:
        self.backend = backend

    def send(self, email: Email) -> None:
        self.backend.send(email)
        raise RuntimeError("le processus s'arrête")


def test_a_run_that_dies_after_a_send_never_sends_it_again(
    db_session: Session, factories: ModuleType, smtp_server: Mailbox
) -> None:
    code = _bundle(db_session)
    resident_id = _resident(factories, db_session)
    service.subscribe(db_session=db_session, actor=SYSTEM, resident_id=resident_id, code=code,
                      channel=ReminderChannel.EMAIL, source=ConsentSource.RESIDENT)
    db_session.commit()
    crashing = _CrashAfterSending(SmtpEmailBackend(smtp_server.url, "n@mairie.example"))
    with pytest.raises(RuntimeError):
        service.send_due(db_session=db_session, settings=Settings(), today=TODAY,
                         email=crashing, sms=MemorySmsBackend(),
                         public_url="https://relais.mairie.example",
                         checkpoint=db_session.commit)
    db_session.rollback()  # what the dead run had not committed is gone
    again = service.send_due(
        db_session=db_session, settings=Settings(), today=TODAY,
        email=SmtpEmailBackend(smtp_server.url, "n@mairie.example"), sms=MemorySmsBackend(),
        public_url="https://relais.mairie.example", checkpoint=db_session.commit)
    assert again.sent == 0 and len(smtp_server.messages) == 1
    [delivery] = db_session.scalars(select(ReminderDelivery))
    assert (delivery.status, delivery.detail) == (DeliveryStatus.SENT, "envoi en cours")
