"""Getting ESC/POS bytes to a printer, chosen by a URL; plus an in-memory fake.

==========================================  ===============================================
``tcp://printer.mairie.local:9100``         network printer (raw port 9100)
``usb://04b8:0e15``                         USB vendor:product in hex (needs ``pyusb``)
``serial:///dev/ttyUSB0?baudrate=19200``    serial printer (needs ``pyserial``)
``file:///dev/usb/lp0``                     a device file (Linux ``usblp``) or a plain file
==========================================  ===============================================

Add ``?status=off`` for a printer that does not answer status queries. Otherwise, before
each job the printer is asked for its paper sensor (``DLE EOT 4``): a printer out of paper
usually still accepts bytes and silently drops the receipt, so it must be asked first.

A transport raises :class:`~badge.errors.PrinterUnavailable` or
:class:`~badge.errors.PrinterOutOfPaper` when nothing was sent (safe to retry), and
:class:`PrintInterrupted` when the connection broke while the job was being sent.
"""

from __future__ import annotations

import contextlib
import functools
import socket
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from escpos.constants import RT_STATUS_PAPER
from escpos.exceptions import Error as EscposError

from badge.errors import PrinterConfigError, PrinterOutOfPaper, PrinterUnavailable

__all__ = [
    "EscposTransport",
    "MemoryTransport",
    "PrintInterrupted",
    "PrinterTransport",
    "open_printer",
]

_PAPER_END = 0x60  # DLE EOT 4 answer, bits 5-6: roll paper end sensor
_STATUS_TIMEOUT = 1.5  # seconds to wait for a status answer before printing anyway


class PrintInterrupted(PrinterUnavailable):
    """The connection broke while the job was being sent: part of it may have printed."""

    code = "print_interrupted"
    default_message_fr = (
        "L'impression a été interrompue (imprimante débranchée ou éteinte). Le ticket "
        "sera imprimé à nouveau en entier dès que l'imprimante répondra."
    )


def _escpos_printers() -> Any:
    """python-escpos' printer classes, imported when a printer is first opened: loading its
    printer profiles takes about 0.3 s, which the counter app would otherwise spend before
    its first screen."""
    from escpos import printer

    return printer


@functools.cache
def _network_class() -> Any:
    class _Network(_escpos_printers().Network):  # type: ignore[misc]
        """python-escpos' network printer, minus a socket leak.

        ``Network.open`` leaves its socket unclosed when the connection is refused, which
        is exactly what happens, again and again, while a counter printer is switched off.
        """

        def open(self, raise_not_found: bool = True) -> None:
            if self._device:
                self.close()
            # create_connection closes its socket itself when connecting fails.
            self.device = socket.create_connection((self.host, self.port),
                                                   timeout=self.timeout)

    return _Network


class PrinterTransport(ABC):
    """Sends one complete job to one printer."""

    name: str

    @abstractmethod
    def send(self, data: bytes) -> None:
        """Print ``data``, or raise a :class:`~badge.errors.PrinterError`."""

    def check(self) -> None:  # noqa: B027 - optional: a transport that cannot ask says yes
        """Raise a :class:`~badge.errors.PrinterError` if a job could not print now.

        The queue asks before holding a job for the agent: there is no point asking
        about a receipt while the printer is still off."""


class EscposTransport(PrinterTransport):
    """A python-escpos printer class (``Network``, ``Usb``, ``Serial``, ``File``), opened
    for each job and closed after, so an unplugged printer never wedges the app."""

    def __init__(self, *, name: str, factory: Callable[[], Any], check_paper: bool) -> None:
        self.name = name
        self._factory = factory
        self._check_paper = check_paper

    def check(self) -> None:
        printer = self._open()
        try:
            if self._check_paper:
                self._raise_if_out_of_paper(printer)
        finally:
            with contextlib.suppress(OSError, EscposError):
                printer.close()

    def _open(self) -> Any:
        try:
            printer = self._factory()
            printer.open()
        except (OSError, EscposError, RuntimeError) as exc:
            raise PrinterUnavailable(detail=f"{self.name}: {exc}") from None
        return printer

    def send(self, data: bytes) -> None:
        printer = self._open()
        try:
            if self._check_paper:
                self._raise_if_out_of_paper(printer)
            try:
                printer._raw(data)
            except (OSError, EscposError) as exc:
                raise PrintInterrupted(detail=f"{self.name}: {exc}") from None
        finally:
            # The job outcome is already decided: a failing close changes nothing.
            with contextlib.suppress(OSError, EscposError):
                printer.close()

    def _raise_if_out_of_paper(self, printer: Any) -> None:
        device = getattr(printer, "device", None)
        previous = device.gettimeout() if isinstance(device, socket.socket) else None
        if isinstance(device, socket.socket):
            device.settimeout(_STATUS_TIMEOUT)
        try:
            status = bytes(printer.query_status(RT_STATUS_PAPER))
        except (OSError, EscposError, NotImplementedError):
            # No answer: a printer without status support. Printing is still attempted.
            return
        finally:
            if isinstance(device, socket.socket):
                device.settimeout(previous)
        if status and status[-1] & _PAPER_END == _PAPER_END:
            raise PrinterOutOfPaper(detail=f"{self.name}: paper status 0x{status[-1]:02X}")


def _flag(query: dict[str, list[str]], key: str, default: bool) -> bool:
    values = query.get(key)
    if not values:
        return default
    return values[-1].lower() not in ("off", "0", "false", "no", "non")


def open_printer(url: str, *, profile: str | None = None, timeout: float = 5.0) -> EscposTransport:
    """The transport for a printer URL (see the module docstring); nothing is opened yet.

    Raises :class:`~badge.errors.PrinterConfigError` for a bad URL or a missing driver.
    """
    parts = urlsplit(url)
    query = parse_qs(parts.query)
    status = _flag(query, "status", default=parts.scheme != "file")
    try:
        if parts.scheme == "tcp":
            host, port = parts.hostname, parts.port or 9100
            if not host:
                raise ValueError("missing host")
            return EscposTransport(
                name=f"tcp://{host}:{port}",
                factory=lambda: _network_class()(host, port, timeout=timeout, profile=profile),
                check_paper=status,
            )
        if parts.scheme == "usb":
            vendor, product = (int(part, 16) for part in parts.netloc.split(":"))
            _require(_escpos_printers().Usb, "pyusb")
            return EscposTransport(
                name=f"usb://{vendor:04x}:{product:04x}",
                factory=lambda: _escpos_printers().Usb(vendor, product, profile=profile),
                check_paper=status,
            )
        if parts.scheme == "serial":
            device = unquote(parts.path)
            baudrate = int(query.get("baudrate", ["9600"])[-1])
            _require(_escpos_printers().Serial, "pyserial")
            return EscposTransport(
                name=f"serial://{device}",
                factory=lambda: _escpos_printers().Serial(
                    device, baudrate=baudrate, timeout=timeout, profile=profile
                ),
                check_paper=status,
            )
        if parts.scheme == "file":
            path = unquote(parts.path)
            if not path:
                raise ValueError("missing path")
            return EscposTransport(
                name=f"file://{path}",
                factory=lambda: _escpos_printers().File(path, profile=profile),
                check_paper=status,
            )
    except ValueError as exc:
        raise PrinterConfigError(detail=f"bad printer URL {url!r}: {exc}") from None
    raise PrinterConfigError(
        detail=f"unknown printer URL scheme {parts.scheme!r} (tcp, usb, serial, file)"
    )


def _require(printer_class: Any, package: str) -> None:
    if not printer_class.is_usable():
        raise PrinterConfigError(detail=f"python package {package} is needed for this printer")


@dataclass
class MemoryTransport(PrinterTransport):
    """Fake printer for tests and demos: keeps printed jobs; can be switched off or run
    out of paper."""

    name: str = "memory://"
    online: bool = True
    paper: bool = True
    printed: list[bytes] = field(default_factory=list)

    def check(self) -> None:
        if not self.online:
            raise PrinterUnavailable(detail=f"{self.name}: offline")
        if not self.paper:
            raise PrinterOutOfPaper(detail=f"{self.name}: no paper")

    def send(self, data: bytes) -> None:
        self.check()
        self.printed.append(bytes(data))
