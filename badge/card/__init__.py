"""Contactless card badges: the reader interface and its PC/SC backend (the fake for tests
lives with the tests)."""

from badge.card.base import (
    GET_UID_APDU,
    CardEvent,
    CardEventKind,
    CardReader,
    hash_card_uid,
    parse_uid_response,
)
from badge.card.pcsc import PcscCardReader

__all__ = [
    "GET_UID_APDU",
    "CardEvent",
    "CardEventKind",
    "CardReader",
    "PcscCardReader",
    "hash_card_uid",
    "parse_uid_response",
]
