"""Reads back the text of a QR code drawn as inline SVG by `badge.qr.render_svg`."""

from __future__ import annotations


def token_in_svg(svg_page: str) -> str:
    """Decode the inline SVG QR back to its text: the path's runs redrawn, then zxing."""
    import re

    import zxingcpp
    from PIL import Image

    size = int(re.search(r'viewBox="0 0 (\d+) \1"', svg_page).group(1))  # type: ignore[union-attr]
    image = Image.new("L", (size, size), 255)
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", svg_page):
        for dx in range(int(width)):
            image.putpixel((int(x) + dx, int(y)), 0)
    # QR codes only: with every format, a random token's modules were once also read as a
    # second, 1-D barcode.
    [found] = zxingcpp.read_barcodes(
        image.resize((size * 8, size * 8), Image.Resampling.NEAREST),
        formats=zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode))
    return str(found.text)
