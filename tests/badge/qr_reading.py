"""Independent QR decoding for the tests: zxing-cpp, on images drawn from module matrices."""

from __future__ import annotations

import io

import zxingcpp
from PIL import Image

Matrix = list[list[bool]]


def matrix_image(matrix: Matrix, *, scale: int = 6) -> Image.Image:
    """Black-on-white picture of a module matrix (which must include its quiet zone)."""
    size = len(matrix)
    pixels = bytes(0 if dark else 255 for row in matrix for dark in row)
    image = Image.frombytes("L", (size, size), pixels)
    return image.resize((size * scale, size * scale), Image.Resampling.NEAREST)


def decode(image: Image.Image | bytes) -> list[zxingcpp.Barcode]:
    """All QR codes zxing-cpp finds in ``image`` (a PIL image or PNG/JPEG bytes)."""
    picture = Image.open(io.BytesIO(image)) if isinstance(image, bytes) else image
    return zxingcpp.read_barcodes(
        picture.convert("L"), formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
    )


def decode_text(image: Image.Image | bytes) -> str:
    """The text of the one QR code in ``image``."""
    found = decode(image)
    assert len(found) == 1, f"expected one QR code, found {len(found)}"
    return found[0].text
