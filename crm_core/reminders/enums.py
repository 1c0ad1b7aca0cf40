from enum import StrEnum


class ReminderChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class DeliveryStatus(StrEnum):
    SENT = "sent"
    FAILED = "failed"  # the backend refused it: retried at the next run
    SKIPPED = "skipped"  # no consent or no usable contact point: never sent
