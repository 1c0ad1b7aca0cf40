"""QR rendering: every rendering decodes back to the token with an independent reader."""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime

import pytest
from PIL import Image

from badge.keys import generate_signing_key
from badge.qr import qr_matrix, qr_version, render_png, render_svg, render_terminal
from badge.token import issue_token, new_badge_id
from tests.badge.qr_reading import Matrix, decode, decode_text, matrix_image

KEY = generate_signing_key("k1")
TOKEN = issue_token(
    key=KEY, issuer="69123", badge_id=new_badge_id(), expires_at=datetime(2030, 1, 1, tzinfo=UTC)
)
LONGEST = issue_token(
    key=generate_signing_key("2025-01"),
    issuer="200046977",
    badge_id=new_badge_id(),
    expires_at=datetime(2030, 1, 1, tzinfo=UTC),
)


def test_png_decodes_back_to_the_token_at_level_q() -> None:
    png = render_png(TOKEN, scale=4)
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    size = len(qr_matrix(TOKEN)) * 4
    assert image.size == (size, size)
    (barcode,) = decode(png)
    assert barcode.text == TOKEN
    assert barcode.ec_level == "Q"


def test_every_token_is_a_version_8_code() -> None:
    # Alphanumeric mode: in byte mode 144 characters would need version 10 at level Q.
    assert qr_version(TOKEN) == 8
    assert qr_version(LONGEST) == 8
    assert len(qr_matrix(TOKEN, border=0)) == 17 + 4 * 8
    assert decode_text(render_png(LONGEST, scale=3)) == LONGEST


def test_other_text_uses_byte_mode() -> None:
    url = "https://demarches.exemple.fr/suivi/K7M-42QX?é"
    assert decode_text(render_png(url)) == url


def _parse_svg(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 - our own output, not untrusted input


def _svg_matrix(svg: str) -> Matrix:
    """Rebuild the module matrix from the SVG's horizontal runs."""
    root = _parse_svg(svg)
    size = int(root.attrib["viewBox"].split()[2])
    matrix = [[False] * size for _ in range(size)]
    path = root.find("{http://www.w3.org/2000/svg}path")
    assert path is not None
    for x, y, width in re.findall(r"M(\d+) (\d+)h(\d+)v1h-\d+z", path.attrib["d"]):
        for column in range(int(x), int(x) + int(width)):
            matrix[int(y)][column] = True
    return matrix


def test_svg_is_accessible_and_exact() -> None:
    svg = render_svg(TOKEN, title="Votre badge Relais")
    root = _parse_svg(svg)
    assert root.attrib["role"] == "img"
    assert root.attrib["aria-label"] == "Votre badge Relais"
    assert root.findtext("{http://www.w3.org/2000/svg}title") == "Votre badge Relais"
    matrix = _svg_matrix(svg)
    assert matrix == qr_matrix(TOKEN)
    assert decode_text(matrix_image(matrix)) == TOKEN


def test_svg_title_is_escaped() -> None:
    root = _parse_svg(render_svg(TOKEN, title='<Badge> "de" Camille & co'))
    assert root.attrib["aria-label"] == '<Badge> "de" Camille & co'


_HALF_BLOCKS = {" ": (False, False), "▀": (True, False), "▄": (False, True), "█": (True, True)}


def _terminal_matrix(text: str, *, dark_background: bool) -> Matrix:
    rows: Matrix = []
    for line in text.rstrip("\n").split("\n"):
        top, bottom = zip(*(_HALF_BLOCKS[char] for char in line), strict=True)
        # On a dark terminal the drawn blocks are the light modules.
        rows.append([drawn != dark_background for drawn in top])
        rows.append([drawn != dark_background for drawn in bottom])
    return rows


@pytest.mark.parametrize("dark_background", [True, False])
def test_terminal_rendering_decodes_back(dark_background: bool) -> None:
    text = render_terminal(TOKEN, dark_background=dark_background)
    assert set(text) <= {" ", "▀", "▄", "█", "\n"}
    matrix = _terminal_matrix(text, dark_background=dark_background)
    expected = qr_matrix(TOKEN, border=2)
    assert matrix[: len(expected)] == expected
    assert matrix[len(expected) :] == [[False] * len(expected)]  # a light padding row
    assert decode_text(matrix_image(expected)) == TOKEN


def test_refuses_nonsense_arguments() -> None:
    with pytest.raises(ValueError, match="nothing"):
        qr_matrix("")
    with pytest.raises(ValueError, match="scale"):
        render_png(TOKEN, scale=0)
