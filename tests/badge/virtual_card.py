"""A contactless card of our own, plugged into vsmartcard's ``vpcd`` reader driver.

``vpcd`` (loaded by the real ``pcscd``) listens on a TCP port per slot; a "card" is
whoever connects. Messages both ways are a 2-byte big-endian length then the bytes. From
vpcd, a 1-byte message is a control: 0x00 power off, 0x01 power on, 0x02 reset (no answer)
and 0x04 "send your ATR" (vpcd asks for it at every presence poll); anything else is an
APDU to answer. Closing the socket is taking the card away.

Debian's ``vicc`` crashes on ``FF CA``, hence this small card: it answers the PC/SC GET
DATA (UID) pseudo-APDU with its UID and ``90 00``, anything else with ``6D 00`` (INS not
supported), and can be told to be pulled out in the middle of a read.
"""

from __future__ import annotations

import contextlib
import socket
import struct
import threading

# ATR a PC/SC reader synthesises for a MIFARE Classic 1K (PC/SC part 3 storage card).
MIFARE_ATR = bytes.fromhex("3B8F8001804F0CA000000306030001000000006A")
GET_UID = bytes.fromhex("FFCA000000")
SW_OK = b"\x90\x00"
SW_INS_NOT_SUPPORTED = b"\x6d\x00"
_CTRL_OFF, _CTRL_ON, _CTRL_RESET, _CTRL_ATR = 0, 1, 2, 4


class VirtualCard:
    """One card on one vpcd slot. ``insert()`` / ``remove()`` from the test thread.

    While inserted, the card keeps (re)connecting: if pcscd restarts, the card is found
    again on the new reader, like a card left lying on a reader that is plugged back.
    """

    def __init__(
        self,
        *,
        port: int,
        uid: bytes,
        atr: bytes = MIFARE_ATR,
        get_uid_answer: bytes | None = None,
    ) -> None:
        self.port = port
        self.uid = uid
        self.atr = atr
        # Raw answer to GET DATA instead of UID + 90 00 (to play odd cards).
        self.get_uid_answer = get_uid_answer
        # When set, the next GET DATA is never answered: the card is pulled out mid-read.
        self.pull_out_during_read = False
        self.apdus: list[bytes] = []
        self.connected = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._sock: socket.socket | None = None

    # --- driving the card ------------------------------------------------------------

    def insert(self) -> VirtualCard:
        if self._thread is not None and self._thread.is_alive():
            raise RuntimeError("card already inserted")
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="virtual-card", daemon=True)
        self._thread.start()
        return self

    def remove(self) -> None:
        self._stop.set()
        sock = self._sock
        if sock is not None:
            # Wake up the card thread at once; it closes the socket.
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)
        if self._thread is not None:
            self._thread.join(timeout=10)
            if self._thread.is_alive():
                raise RuntimeError("virtual card thread did not stop")
            self._thread = None

    @property
    def inserted(self) -> bool:
        return self._thread is not None and not self._stop.is_set()

    # --- card side of the vpcd protocol ----------------------------------------------

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                sock = socket.create_connection(("127.0.0.1", self.port), timeout=1)
            except OSError:
                self._stop.wait(0.05)  # reader not there (yet): try again
                continue
            self._sock = sock
            self.connected.set()
            try:
                self._serve(sock)
            except OSError:
                pass  # reader gone (pcscd stopped) or card removed: same thing here
            finally:
                self.connected.clear()
                self._sock = None
                sock.close()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(None)
        while not self._stop.is_set():
            message = self._receive(sock)
            if message is None:
                return
            answer = self._answer(message)
            if answer is None:
                if self._stop.is_set():
                    return
                continue
            sock.sendall(struct.pack(">H", len(answer)) + answer)

    def _answer(self, message: bytes) -> bytes | None:
        if len(message) == 1:
            if message[0] == _CTRL_ATR:
                return self.atr
            return None  # power on / off / reset: nothing to say
        self.apdus.append(message)
        if message == GET_UID:
            if self.pull_out_during_read:
                self.pull_out_during_read = False
                self._stop.set()  # gone without answering
                return None
            if self.get_uid_answer is not None:
                return self.get_uid_answer
            return self.uid + SW_OK
        return SW_INS_NOT_SUPPORTED

    @staticmethod
    def _receive(sock: socket.socket) -> bytes | None:
        header = _read_exactly(sock, 2)
        if header is None:
            return None
        (length,) = struct.unpack(">H", header)
        return _read_exactly(sock, length)


def _read_exactly(sock: socket.socket, size: int) -> bytes | None:
    data = b""
    while len(data) < size:
        chunk = sock.recv(size - len(data))
        if not chunk:
            return None
        data += chunk
    return data
