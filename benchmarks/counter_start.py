"""The child of `relais bench counter`'s cold starts, run as
`python -m benchmarks.counter_start URL DATA_DIR` in a fresh interpreter."""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path
from typing import Any

from benchmarks.counter import home_ready


def cold_start_child(url: str, data_dir: str) -> None:
    """In a fresh interpreter, what `relais counter` does (the launcher's command line,
    settings, devices, client, app) up to the ready home screen, headless; prints the wall
    clock at that moment."""
    # trio is installed for the browser tests only (selenium); httpcore imports it when it
    # is there (0.2 s). A counter workstation does not have it.
    sys.modules.setdefault("trio", None)  # type: ignore[arg-type]
    from counter_client.cli import build_app
    from crm_core.app.launcher import apps_only

    apps_only()
    app = build_app(server=url, data_dir=Path(data_dir))
    asyncio.run(_ready(app))
    print(time.time())


async def _ready(app: Any) -> None:
    async with app.run_test(size=(120, 36)) as pilot:
        while not home_ready(app):
            await pilot.pause(0.001)
    app.client.close()
    app.journal.close()


if __name__ == "__main__":
    cold_start_child(sys.argv[1], sys.argv[2])
