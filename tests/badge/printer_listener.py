"""A network receipt printer on 127.0.0.1 for the tests: records what it is sent.

It listens on a random free port like a printer's raw port 9100, keeps the bytes of
each connection (one connection = one job with python-escpos' ``Network``), and answers
the real-time paper status request ``DLE EOT 4`` as a printer does: ``0x12`` with paper,
``0x72`` when the roll is out. It can be switched off (the port refuses connections)
and on again, or told to reset the next connection instead of answering its status query.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

PAPER_STATUS_REQUEST = b"\x10\x04\x04"
PAPER_OK = b"\x12"
PAPER_OUT = b"\x72"


class RecordingPrinter:
    def __init__(self) -> None:
        self.jobs: list[bytes] = []
        self.paper = True
        # A printer without status support never answers DLE EOT.
        self.answers_status = True
        # When set, the next connection is reset (RST) as soon as it sends anything.
        self.reset_next_connection = False
        self.port = 0
        self._server: socket.socket | None = None
        self._thread: threading.Thread | None = None
        self._stop = threading.Event()
        self._lock = threading.Condition()

    @property
    def url(self) -> str:
        return f"tcp://127.0.0.1:{self.port}"

    def switch_on(self) -> RecordingPrinter:
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", self.port))  # same port again after a switch-off
        server.listen(5)
        server.settimeout(0.1)
        self.port = server.getsockname()[1]
        self._server = server
        self._stop.clear()
        self._thread = threading.Thread(target=self._serve, name="test-printer", daemon=True)
        self._thread.start()
        return self

    def switch_off(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
        if self._server is not None:
            self._server.close()
            self._server = None

    def _serve(self) -> None:
        assert self._server is not None
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                self._handle(connection)

    def _handle(self, connection: socket.socket) -> None:
        connection.settimeout(5)
        received = bytearray()
        answered = 0
        while True:
            try:
                chunk = connection.recv(4096)
            except OSError:
                break
            if not chunk:
                break
            received += chunk
            if self.reset_next_connection:
                self.reset_next_connection = False
                # SO_LINGER 0: closing sends RST, like a printer powered off mid-job.
                connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                return
            while self.answers_status and received.count(PAPER_STATUS_REQUEST) > answered:
                answered += 1
                with contextlib.suppress(OSError):
                    connection.sendall(PAPER_OK if self.paper else PAPER_OUT)
        with self._lock:
            self.jobs.append(bytes(received))
            self._lock.notify_all()

    def printed_jobs(self, *, wait_for: int = 0, timeout: float = 10) -> list[bytes]:
        """Connections that sent more than a status query: what came out on paper.

        The client may return before this thread has read its connection to the end:
        `wait_for` jobs are awaited (up to `timeout` seconds) before answering."""
        with self._lock:
            self._lock.wait_for(lambda: len(self._printed()) >= wait_for, timeout=timeout)
            return self._printed()

    def received(self, *, wait_for: int, timeout: float = 10) -> list[bytes]:
        """Every connection's bytes, once `wait_for` of them have been read."""
        with self._lock:
            self._lock.wait_for(lambda: len(self.jobs) >= wait_for, timeout=timeout)
            return list(self.jobs)

    def _printed(self) -> list[bytes]:
        return [job for job in self.jobs if job.replace(PAPER_STATUS_REQUEST, b"")]
