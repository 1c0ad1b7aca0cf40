"""The ways a resident and the city hall reach each other.

Shared vocabulary, below every domain: an exchange happens on a channel, an agent works on
one, a resident prefers one, the access log and the consents name one.
"""

from enum import StrEnum


class Channel(StrEnum):
    WEB = "web"
    COUNTER = "counter"
    PHONE = "phone"
    EMAIL = "email"
    MAIL = "mail"
    CHAT = "chat"
    SMS = "sms"  # text messages the city sends (reminders)
