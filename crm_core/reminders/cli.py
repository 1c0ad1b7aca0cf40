"""`relais reminders send`: send the reminders that are due (from a daily timer)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

from crm_core.cli_exits import BAD_INPUT, REFUSED, errors
from crm_core.cli_french import FrenchTyper
from crm_core.config import Settings, city_today
from crm_core.reminders.backends import (
    DeliveryFailed,
    Email,
    EmailBackend,
    HttpSmsBackend,
    Sms,
    SmsBackend,
    SmtpEmailBackend,
)
from crm_core.reminders.enums import ReminderChannel

reminders_app = FrenchTyper(help="Bouquets de rappels : envoyer ce qui est dû, reprendre les"
                            " envois interrompus.", no_args_is_help=True)
console = Console()


class _Unconfigured:
    """A channel the city has not set up: each reminder waits (failed, retried later)."""

    def __init__(self, what: str) -> None:
        self.what = what

    def send(self, message: Email | Sms) -> None:
        raise DeliveryFailed(f"{self.what} non configuré")


def backends(settings: Settings) -> tuple[EmailBackend, SmsBackend]:
    email: EmailBackend = (SmtpEmailBackend(settings.smtp_url, settings.mail_from)
                           if settings.smtp_url else _Unconfigured("RELAIS_SMTP_URL"))
    sms: SmsBackend = (HttpSmsBackend(settings.sms_gateway_url,
                                      settings.sms_gateway_token.get_secret_value())
                       if settings.sms_gateway_url else _Unconfigured("RELAIS_SMS_GATEWAY_URL"))
    return email, sms


@reminders_app.command("send")
def send_command(
    day: Annotated[str | None, typer.Option(
        "--date", help="Faire comme si nous étions le AAAA-MM-JJ.")] = None,
) -> None:
    """Envoyer chaque rappel dont le jour est venu, une fois, aux usagers inscrits (sortie 1
    si certains ont échoué : réessayés au prochain passage)."""
    from crm_core.cli_database import command_settings, existing_session
    from crm_core.reminders.service import send_due

    settings = command_settings()  # the demo's database when nothing else is set
    try:
        today = date.fromisoformat(day) if day else city_today(settings.timezone)
    except ValueError as exc:
        errors.print(f"[bold red]Date illisible :[/] {escape(str(day))} (attendu : AAAA-MM-JJ)")
        raise typer.Exit(BAD_INPUT) from exc
    email, sms = backends(settings)
    with existing_session() as db_session:
        report = send_due(db_session=db_session, settings=settings, today=today, email=email,
                          sms=sms, public_url=settings.public_url,
                          checkpoint=db_session.commit)
        db_session.commit()
    console.print(f"{report.sent} rappel(s) envoyé(s), {report.skipped} écarté(s) (pas de"
                  f" consentement ou de coordonnée), {report.failed} en échec (réessayés"
                  " au prochain passage).", soft_wrap=True)
    for problem in sorted(set(report.problems))[:10]:
        console.print(f"  • {escape(str(problem))}")
    if report.failed:  # a timer's run that left reminders unsent says so
        raise typer.Exit(REFUSED)


@reminders_app.command("stuck")
def stuck_command(
    release: Annotated[bool, typer.Option(
        "--release", help="Remettre en file (réessayés au prochain envoi) ceux réservés"
        " depuis plus de --older-than minutes.")] = False,
    older_than: Annotated[int, typer.Option(
        "--older-than", help="Minutes après lesquelles aucun envoi ne peut plus être en"
        " cours.", min=1)] = 60,
) -> None:
    """Rappels restés « envoi en cours » (un envoi interrompu) ; sortie 1 s'il en reste."""
    from zoneinfo import ZoneInfo

    from crm_core.cli_database import command_settings, existing_session
    from crm_core.reminders.stuck import release_stuck, stuck_deliveries

    zone = ZoneInfo(command_settings().timezone)
    with existing_session() as db_session:
        released = 0
        if release:
            released = release_stuck(db_session=db_session, claimed_before=datetime.now(UTC)
                                     - timedelta(minutes=older_than))
            db_session.commit()
        stuck = stuck_deliveries(db_session=db_session)
    if release:
        console.print(f"{released} rappel(s) remis en file : réessayés au prochain"
                      " « relais reminders send ».")
    if not stuck:
        console.print("Aucun rappel bloqué « envoi en cours ».")
        return
    console.print(f"[bold red]Rappels bloqués « envoi en cours » ({len(stuck)}) :[/]")
    for item in stuck:  # one line each: a resident id does not fit a table at 80 columns
        way = "SMS" if item.channel is ReminderChannel.SMS else "courriel"
        console.print(f"  • réservé le {item.claimed_at.astimezone(zone):%d/%m/%Y à %H:%M} :"
                      f" {escape(item.bundle)}, « {escape(item.title)} » du"
                      f" {item.occurs_on:%d/%m/%Y} ({way}), dossier {item.resident_id}",
                      soft_wrap=True)
    console.print(
        f"Un envoi interrompu a pu partir avant l'arrêt. Après vérification (journal du"
        f" serveur d'envoi), « relais reminders stuck --release » remet en file ceux réservés"
        f" depuis plus de {older_than} min (plus récents : peut-être encore en cours).",
        soft_wrap=True)
    raise typer.Exit(REFUSED)
