"""How reminders leave Relais: an e-mail backend (SMTP) and an SMS backend (an HTTP
gateway), each behind a small interface with an in-memory fake for tests and demos."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.utils import make_msgid
from typing import Protocol
from urllib.parse import urlsplit

import httpx


class DeliveryFailed(Exception):
    """The backend could not hand the message over; the next run tries again."""


@dataclass(frozen=True)
class Email:
    to: str
    subject: str
    text: str
    unsubscribe_url: str


@dataclass(frozen=True)
class Sms:
    to: str  # E.164
    text: str


class EmailBackend(Protocol):
    def send(self, email: Email) -> None: ...


class SmsBackend(Protocol):
    def send(self, sms: Sms) -> None: ...


_HEADERS_ON_ONE_LINE = policy.default.clone(max_line_length=998)  # RFC 5322's hard limit


class SmtpEmailBackend:
    """`smtp://host:port` (STARTTLS if the server offers it) or `smtps://host:port`;
    `user:password@` in the URL for servers that want a login."""

    def __init__(self, url: str, sender: str, timeout: float = 10.0) -> None:
        self.url, self.sender, self.timeout = urlsplit(url), sender, timeout
        if self.url.scheme not in ("smtp", "smtps") or not self.url.hostname:
            # Never quote the URL: it may hold the SMTP password.
            raise ValueError("RELAIS_SMTP_URL illisible : smtp://hôte:port ou"
                             " smtps://utilisateur:mot-de-passe@hôte:465 attendu")

    def _message(self, email: Email) -> EmailMessage:
        # At 78 columns the default policy turned the long List-Unsubscribe URL into
        # RFC 2047 encoded words, which no mail client parses back into a link.
        message = EmailMessage(policy=_HEADERS_ON_ONE_LINE)
        message["From"], message["To"], message["Subject"] = self.sender, email.to, email.subject
        message["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        # RFC 2369 / RFC 8058: mail clients show an unsubscribe button that needs no login.
        message["List-Unsubscribe"] = f"<{email.unsubscribe_url}>"
        message["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        message.set_content(email.text)
        return message

    def send(self, email: Email) -> None:
        host, port = self.url.hostname or "", self.url.port
        try:
            if self.url.scheme == "smtps":
                client: smtplib.SMTP = smtplib.SMTP_SSL(host, port or 465, timeout=self.timeout,
                                                        context=ssl.create_default_context())
            else:
                client = smtplib.SMTP(host, port or 25, timeout=self.timeout)
            with client:
                client.ehlo()
                if self.url.scheme == "smtp" and client.has_extn("starttls"):
                    client.starttls(context=ssl.create_default_context())
                    client.ehlo()
                if self.url.username:
                    client.login(self.url.username, self.url.password or "")
                client.send_message(self._message(email))
        except (OSError, smtplib.SMTPException) as exc:
            raise DeliveryFailed(f"SMTP : {exc}") from exc


class HttpSmsBackend:
    """POST {"to", "text"} as JSON to the city's SMS gateway, with a bearer token."""

    def __init__(self, url: str, token: str, timeout: float = 10.0) -> None:
        self.url, self.token, self.timeout = url, token, timeout

    def send(self, sms: Sms) -> None:
        try:
            response = httpx.post(self.url, json={"to": sms.to, "text": sms.text},
                                  headers={"Authorization": f"Bearer {self.token}"},
                                  timeout=self.timeout)
        except httpx.HTTPError as exc:
            raise DeliveryFailed(f"passerelle SMS injoignable : {exc}") from exc
        if response.status_code >= 300:
            raise DeliveryFailed(f"passerelle SMS : réponse {response.status_code}")


@dataclass
class MemoryEmailBackend:
    sent: list[Email] = field(default_factory=list)

    def send(self, email: Email) -> None:
        self.sent.append(email)


@dataclass
class MemorySmsBackend:
    sent: list[Sms] = field(default_factory=list)

    def send(self, sms: Sms) -> None:
        self.sent.append(sms)
