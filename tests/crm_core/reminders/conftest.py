"""Real peers on 127.0.0.1: an SMTP server (aiosmtpd) and an HTTP SMS gateway."""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import Message
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from aiosmtpd.controller import Controller


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Mailbox:
    url: str
    messages: list[Message] = field(default_factory=list)
    raw: list[bytes] = field(default_factory=list)  # as received, before any decoding

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.content)
        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp_server() -> Iterator[Mailbox]:
    port = _free_port()
    mailbox = Mailbox(url=f"smtp://127.0.0.1:{port}")
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


@dataclass
class Gateway:
    url: str
    received: list[dict[str, Any]] = field(default_factory=list)
    tokens: list[str] = field(default_factory=list)
    answer: int = 202


@pytest.fixture
def sms_gateway() -> Iterator[Gateway]:
    server: ThreadingHTTPServer
    gateway = Gateway(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            gateway.received.append(json.loads(body))
            gateway.tokens.append(self.headers.get("Authorization", ""))
            self.send_response(gateway.answer)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    gateway.url = f"http://127.0.0.1:{server.server_address[1]}/sms"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield gateway
    finally:
        server.shutdown()
        server.server_close()
