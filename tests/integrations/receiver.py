"""A real HTTP receiver on 127.0.0.1 that plays a platform: it checks Standard Webhooks
signatures with the standard's own library and applies each webhook-id once."""

from __future__ import annotations

import contextlib
import json
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from standardwebhooks.webhooks import Webhook, WebhookVerificationError


@dataclass
class Receiver:
    secret: str
    url: str = ""
    answers: list[int] = field(default_factory=list)  # status codes to answer first, in turn
    delay: float = 0.0  # seconds before answering (a slow or hanging platform)
    received: Counter[str] = field(default_factory=Counter)  # webhook-id -> requests
    applied: dict[str, Any] = field(default_factory=dict)  # webhook-id -> payload, once
    refused: list[str] = field(default_factory=list)
    on_receive: Callable[[str], None] | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)

    def handle(self, headers: dict[str, str], body: bytes) -> int:
        msg_id = headers.get("webhook-id", "")
        with self.lock:
            self.received[msg_id] += 1
        if self.on_receive:
            self.on_receive(msg_id)
        if self.delay:
            time.sleep(self.delay)
        try:
            payload = Webhook(self.secret).verify(body, headers)
        except WebhookVerificationError as exc:
            self.refused.append(str(exc))
            return 401
        with self.lock:
            if self.answers:
                return self.answers.pop(0)
            self.applied.setdefault(msg_id, payload)  # exactly-once effect
        return 204


@contextlib.contextmanager
def running_receiver(secret: str, **options: Any) -> Iterator[Receiver]:
    receiver = Receiver(secret=secret, **options)

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length)
            status = receiver.handle({k.lower(): v for k, v in self.headers.items()}, body)
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    receiver.url = f"http://127.0.0.1:{server.server_address[1]}/relais/events"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield receiver
    finally:
        server.shutdown()
        server.server_close()


def as_json(receiver: Receiver) -> str:
    return json.dumps(receiver.applied)
