"""The AMI wire format: a banner line, then messages of `Key: Value` lines ended by an empty
line, CRLF-terminated, in both directions."""

from __future__ import annotations

import asyncio

MAX_LINE = 8192
MAX_FIELDS = 200


class AmiProtocolError(ConnectionError):
    """The peer does not speak AMI (or speaks it badly)."""


async def read_banner(reader: asyncio.StreamReader) -> str:
    line = (await reader.readline()).decode("utf-8", "replace").strip()
    if not line.startswith("Asterisk Call Manager"):
        raise AmiProtocolError(f"not an AMI server (banner {line[:60]!r})")
    return line


async def read_message(reader: asyncio.StreamReader) -> dict[str, str]:
    """The next message as a dict (the first occurrence of a repeated key wins, except that
    `ChanVariable`-style repeats are joined). EOF raises ConnectionResetError."""
    message: dict[str, str] = {}
    while True:
        raw = await reader.readline()
        if not raw:
            raise ConnectionResetError("AMI connection closed")
        if len(raw) > MAX_LINE:
            raise AmiProtocolError("AMI line too long")
        line = raw.decode("utf-8", "replace").rstrip("\r\n")
        if not line:
            if message:
                return message
            continue  # stray blank lines between messages
        key, sep, value = line.partition(":")
        if not sep:
            continue  # e.g. the body of a legacy "Response: Follows"
        key, value = key.strip(), value.strip()
        if key in message:
            message[key] = f"{message[key]},{value}"
        else:
            message[key] = value
        if len(message) > MAX_FIELDS:
            raise AmiProtocolError("AMI message with too many fields")


def format_message(fields: dict[str, str]) -> bytes:
    lines = []
    for key, value in fields.items():
        if "\r" in value or "\n" in value:
            raise ValueError(f"AMI field {key} may not contain a line break")
        lines.append(f"{key}: {value}\r\n")
    return ("".join(lines) + "\r\n").encode()
