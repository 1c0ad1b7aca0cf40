"""`relais reminders send`: send the reminders that are due (from a daily timer)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape

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

reminders_app = typer.Typer(help="Reminder bundles: send what is due.", no_args_is_help=True)
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
    day: Annotated[str | None, typer.Option("--date", help="Act as if today were YYYY-MM-DD.")]
    = None,
) -> None:
    """Send every reminder whose day has come, once, to residents who opted in."""
    from crm_core.cli_database import command_settings, existing_session
    from crm_core.reminders.service import send_due

    settings = command_settings()  # the demo's database when nothing else is set
    try:
        today = date.fromisoformat(day) if day else city_today()
    except ValueError as exc:
        console.print(f"[bold red]Date illisible :[/] {escape(str(day))} (attendu : AAAA-MM-JJ)")
        raise typer.Exit(2) from exc
    email, sms = backends(settings)
    with existing_session() as db_session:
        report = send_due(db_session=db_session, settings=settings, today=today, email=email,
                          sms=sms, public_url=settings.public_url,
                          checkpoint=db_session.commit)
        db_session.commit()
    console.print(f"{report.sent} rappel(s) envoyé(s), {report.skipped} écarté(s) (pas de"
                  f" consentement ou de coordonnée), {report.failed} en échec (réessayés"
                  " au prochain passage).")
    for problem in sorted(set(report.problems))[:10]:
        console.print(f"  • {escape(str(problem))}")
