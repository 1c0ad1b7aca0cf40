"""SVG snapshots of the app's screens (`App.export_screenshot`), taken under the tests'
picture clock (`picture_clock`), so the dates they show are fixed. What still changes
between runs is masked on purpose: the minute (the clock runs during the test, so that
records get distinct, ordered times: a slow machine could pass the minute), case references
(random) and Rich's terminal ids.

`RELAIS_UPDATE_SNAPSHOTS=1 pytest tests/counter_client/test_snapshots.py` rewrites them;
a mismatch leaves `<name>.actual.svg` beside the snapshot to look at.
"""

from __future__ import annotations

import html
import os
import re
from pathlib import Path
from typing import Any

from textual.app import App
from textual.widgets import Input

SNAPSHOTS = Path(__file__).parent / "snapshots"
_MASKS = (
    (re.compile(r"terminal-\d+"), "terminal"),
    (re.compile(r"\b\d\d:\d\d\b"), "00:00"),
    (re.compile(r"\b[0-9A-Z]{4}-[0-9A-Z]{3}\b"), "XXXX-XXX"),
)


def normalise(svg: str) -> str:
    for pattern, replacement in _MASKS:
        svg = pattern.sub(replacement, svg)
    return svg


def visible_text(app: App[Any]) -> str:
    """The characters on the terminal, line after line (from the same SVG export)."""
    svg = app.export_screenshot()
    lines: dict[str, list[str]] = {}
    for y, text in re.findall(r'<text [^>]*y="([\d.]+)"[^>]*>([^<]*)</text>', svg):
        lines.setdefault(y, []).append(html.unescape(text).replace("\xa0", " "))
    return "\n".join("".join(parts) for _, parts in sorted(
        lines.items(), key=lambda item: float(item[0])))


def assert_snapshot(app: App[Any], name: str) -> None:
    for field in app.screen.query(Input):
        field.cursor_blink = False
    svg = normalise(app.export_screenshot(title=name))
    expected_path = SNAPSHOTS / f"{name}.svg"
    actual_path = SNAPSHOTS / f"{name}.actual.svg"
    if os.environ.get("RELAIS_UPDATE_SNAPSHOTS") == "1":
        SNAPSHOTS.mkdir(exist_ok=True)
        expected_path.write_text(svg, encoding="utf-8")
        actual_path.unlink(missing_ok=True)
        return
    if not expected_path.exists():
        actual_path.write_text(svg, encoding="utf-8")
        raise AssertionError(f"no snapshot {expected_path.name}; see {actual_path}")
    if expected_path.read_text(encoding="utf-8") != svg:
        actual_path.write_text(svg, encoding="utf-8")
        raise AssertionError(f"screen differs from {expected_path.name}; see {actual_path}")
    actual_path.unlink(missing_ok=True)
