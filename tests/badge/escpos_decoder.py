"""A small, strict ESC/POS decoder for the commands Relais emits (Epson ESC/POS subset).

It turns a byte stream back into what a printer would do with it: the text (decoded with
the code page selected by ``ESC t``), the QR codes (``GS ( k``: model, module size,
error correction, stored payload, print), style changes, feeds, cuts and status queries.
Any other command raises :class:`UnknownCommand`, so a test notices new bytes at once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

ESC, GS, DLE, LF = 0x1B, 0x1D, 0x10, 0x0A

# ESC t n -> Python codec, for the pages that matter to French.
CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
QR_EC_LEVELS = {48: "L", 49: "M", 50: "Q", 51: "H"}

# One-parameter ESC commands we accept and what they set.
_ESC_ONE_BYTE = {
    0x21: "print_mode",  # ESC !
    0x45: "bold",  # ESC E
    0x2D: "underline",  # ESC -
    0x4D: "font",  # ESC M
    0x61: "align",  # ESC a
    0x7B: "upside_down",  # ESC {
    0x64: "feed_lines",  # ESC d
    0x74: "code_page",  # ESC t
}
_GS_ONE_BYTE = {0x21: "char_size", 0x42: "reverse", 0x62: "smoothing"}


class UnknownCommand(ValueError):
    """The stream holds a command this decoder does not know."""


@dataclass
class QrCode:
    payload: bytes = b""
    model: int | None = None
    module_size: int | None = None
    ec_level: str | None = None
    printed: bool = False


@dataclass
class Printout:
    text: str = ""
    code_pages: list[int] = field(default_factory=list)
    qr_codes: list[QrCode] = field(default_factory=list)
    cuts: int = 0
    initialised: int = 0
    status_queries: list[int] = field(default_factory=list)
    bold_lines: list[str] = field(default_factory=list)
    centered_lines: list[str] = field(default_factory=list)
    double_size_lines: list[str] = field(default_factory=list)

    @property
    def lines(self) -> list[str]:
        return self.text.split("\n")

    @property
    def qr_payloads(self) -> list[bytes]:
        return [code.payload for code in self.qr_codes if code.printed]


class _Decoder:
    def __init__(self, data: bytes) -> None:
        self.data = data
        self.pos = 0
        self.out = Printout()
        self.codec = CODE_PAGES[0]  # printer default after power-on
        self.bold = False
        self.align = 0
        self.double = False
        self.line = bytearray()
        self.pending_qr = QrCode()

    def take(self, count: int) -> bytes:
        if self.pos + count > len(self.data):
            raise UnknownCommand(f"truncated command at byte {self.pos}")
        chunk = self.data[self.pos : self.pos + count]
        self.pos += count
        return chunk

    def end_line(self) -> None:
        text = bytes(self.line).decode(self.codec)
        self.out.text += text + "\n"
        if self.bold:
            self.out.bold_lines.append(text)
        if self.align == 1:
            self.out.centered_lines.append(text)
        if self.double:
            self.out.double_size_lines.append(text)
        self.line.clear()

    def flush_text(self) -> None:
        # Text not yet ended by LF is decoded with the page active when it was sent.
        if self.line:
            self.out.text += bytes(self.line).decode(self.codec)
            self.line.clear()

    def run(self) -> Printout:
        while self.pos < len(self.data):
            byte = self.take(1)[0]
            if byte == LF:
                self.end_line()
            elif byte == ESC:
                self.esc()
            elif byte == GS:
                self.gs()
            elif byte == DLE:
                self.dle()
            elif byte < 0x20:
                raise UnknownCommand(f"control byte 0x{byte:02X} at {self.pos - 1}")
            else:
                self.line.append(byte)
        self.flush_text()
        return self.out

    def esc(self) -> None:
        command = self.take(1)[0]
        if command == 0x40:  # ESC @
            self.out.initialised += 1
            self.codec, self.bold, self.align, self.double = CODE_PAGES[0], False, 0, False
            return
        if command not in _ESC_ONE_BYTE:
            raise UnknownCommand(f"ESC 0x{command:02X}")
        value = self.take(1)[0]
        name = _ESC_ONE_BYTE[command]
        if name == "code_page":
            if value not in CODE_PAGES:
                raise UnknownCommand(f"code page {value}")
            self.flush_text()
            self.codec = CODE_PAGES[value]
            self.out.code_pages.append(value)
        elif name == "bold":
            self.bold = bool(value & 1)
        elif name == "align":
            self.align = value
        elif name == "print_mode":
            self.double = bool(value & 0x30)
        elif name == "feed_lines":
            for _ in range(value):
                self.end_line()

    def gs(self) -> None:
        command = self.take(1)[0]
        if command == 0x56:  # GS V m [n]: cut
            mode = self.take(1)[0]
            if mode in (65, 66):
                self.take(1)
            self.out.cuts += 1
        elif command == 0x28:  # GS ( k
            if self.take(1) != b"k":
                raise UnknownCommand("GS ( other than k")
            low, high = self.take(2)
            self.two_d_code(self.take(low + 256 * high))
        elif command in _GS_ONE_BYTE:
            value = self.take(1)[0]
            if command == 0x21:
                self.double = value != 0
        else:
            raise UnknownCommand(f"GS 0x{command:02X}")

    def two_d_code(self, body: bytes) -> None:
        if len(body) < 2 or body[0] != 49:  # cn = 49: QR Code
            raise UnknownCommand(f"2D code type {body[:1]!r}")
        function, rest = body[1], body[2:]
        qr = self.pending_qr
        if function == 65:  # select model: n1 = 49 + model, n2
            qr.model = rest[0] - 48
        elif function == 67:  # module size
            qr.module_size = rest[0]
        elif function == 69:  # error correction level
            qr.ec_level = QR_EC_LEVELS[rest[0]]
        elif function == 80:  # store data: m = 48, then the payload
            qr.payload = rest[1:]
        elif function == 81:  # print the stored symbol
            qr.printed = True
            self.out.qr_codes.append(qr)
            self.pending_qr = QrCode(
                model=qr.model, module_size=qr.module_size, ec_level=qr.ec_level
            )
        else:
            raise UnknownCommand(f"QR function {function}")

    def dle(self) -> None:
        command, value = self.take(2)
        if command != 0x04:  # DLE EOT n: real-time status request
            raise UnknownCommand(f"DLE 0x{command:02X}")
        self.out.status_queries.append(value)


def decode(data: bytes) -> Printout:
    """What a printer would print from ``data``."""
    return _Decoder(data).run()
