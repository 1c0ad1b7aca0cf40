"""Contactless card badges: the reader interface, a PC/SC backend and a fake for tests."""

from badge.card.base import (
    GET_UID_APDU,
    CardEvent,
    CardEventKind,
    CardReader,
    hash_card_uid,
    parse_uid_response,
)
from badge.card.fake import FakeCardReader
from badge.card.pcsc import PcscCardReader

__all__ = [
    "GET_UID_APDU",
    "CardEvent",
    "CardEventKind",
    "CardReader",
    "FakeCardReader",
    "PcscCardReader",
    "hash_card_uid",
    "parse_uid_response",
]
