"""QR code rendering of badge tokens (and receipt links): PNG, SVG and terminal text.

Always error-correction level Q (25 % of the code may be damaged or hidden: a cracked
phone screen, a crease in a paper badge) and the smallest version that fits. A badge
token only uses the QR alphanumeric character set, so ``qrcode`` encodes it in
alphanumeric mode (5.5 bits per character); other text (a URL) falls back to byte mode.

The module matrix comes from ``qrcode``; the three renderings are drawn here from the
matrix, which keeps them identical module for module and lets the SVG carry an accessible
name (RGAA: an image needs a text alternative).
"""

from __future__ import annotations

import io
from html import escape

import qrcode
import qrcode.constants
import qrcode.util
from PIL import Image

__all__ = [
    "qr_matrix",
    "qr_version",
    "render_png",
    "render_svg",
    "render_terminal",
]

Matrix = list[list[bool]]


def _make(data: str) -> qrcode.QRCode:
    if not data:
        raise ValueError("nothing to encode")
    code = qrcode.QRCode(
        version=None,
        error_correction=qrcode.constants.ERROR_CORRECT_Q,
        border=0,
    )
    # One segment, mode chosen from the whole text (alphanumeric for tokens).
    code.add_data(qrcode.util.QRData(data.encode("utf-8")), optimize=0)
    code.make(fit=True)
    return code


def qr_matrix(data: str, *, border: int = 4) -> Matrix:
    """Rows of modules, ``True`` for dark, with ``border`` light modules all around."""
    modules = [[bool(cell) for cell in row] for row in _make(data).modules]
    width = len(modules) + 2 * border
    blank = [False] * width
    side = [False] * border
    return (
        [list(blank) for _ in range(border)]
        + [side + row + side for row in modules]
        + [list(blank) for _ in range(border)]
    )


def qr_version(data: str) -> int:
    """QR version (1-40) used for ``data`` at level Q; version ``v`` is ``17 + 4v`` modules wide."""
    return int(_make(data).version)


def render_png(data: str, *, scale: int = 8, border: int = 4) -> bytes:
    """PNG image (black on white, ``scale`` pixels per module)."""
    if scale < 1:
        raise ValueError("scale must be at least 1")
    matrix = qr_matrix(data, border=border)
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels)
    image = image.resize((size * scale, size * scale), Image.Resampling.NEAREST)
    out = io.BytesIO()
    image.convert("1").save(out, format="PNG", optimize=True)
    return out.getvalue()


def render_svg(data: str, *, border: int = 4, title: str = "Badge Relais (code QR)") -> str:
    """Standalone SVG text; scales to any size (``width``/``height`` left to CSS)."""
    matrix = qr_matrix(data, border=border)
    size = len(matrix)
    path: list[str] = []
    for y, row in enumerate(matrix):
        x = 0
        while x < size:
            if not row[x]:
                x += 1
                continue
            start = x
            while x < size and row[x]:
                x += 1
            # One horizontal run of dark modules per sub-path keeps the file small.
            path.append(f"M{start} {y}h{x - start}v1h{start - x}z")
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {size} {size}" '
        f'role="img" aria-label="{escape(title)}" shape-rendering="crispEdges">'
        f"<title>{escape(title)}</title>"
        f'<rect width="{size}" height="{size}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(path)}"/></svg>'
    )


_HALF_BLOCKS = {
    (False, False): " ",
    (True, False): "\u2580",  # ▀ upper half
    (False, True): "\u2584",  # ▄ lower half
    (True, True): "\u2588",  # █ full block
}


def render_terminal(data: str, *, border: int = 2, dark_background: bool = True) -> str:
    """Text drawing with half blocks: one character per module column, two rows per line.

    On a dark terminal the *light* modules are drawn (as foreground blocks) and the dark
    ones are left to the background, so the code reads dark-on-light as a scanner expects.
    """
    matrix = qr_matrix(data, border=border)
    if len(matrix) % 2:
        matrix.append([False] * len(matrix))  # pad with a light row
    lines = []
    for top, bottom in zip(matrix[0::2], matrix[1::2], strict=True):
        lines.append(
            "".join(
                _HALF_BLOCKS[(t != dark_background, b != dark_background)]
                for t, b in zip(top, bottom, strict=True)
            )
        )
    return "\n".join(lines) + "\n"
