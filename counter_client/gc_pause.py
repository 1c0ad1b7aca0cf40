"""Keep Python's garbage collector out of the way of a scan.

Measured in `relais bench counter`: the collector, not the screen, made the slow tail.
A scan allocates a few hundred thousand short-lived objects (Rich segments, strips,
styles), which triggers collections; a full one walks the whole heap of the app
(Textual, Rich, httpx, the client: about 150,000 objects) and took 200-600 ms on a busy
machine, landing inside one scan in ten. So:

* once the app is up, its long-lived objects are frozen (`gc.freeze`): the collector
  never walks them again;
* from a scan's Enter until the resident screen is drawn the collector waits
  (`hold`), and it runs right after (`release`), while the agent reads the screen.
  A hold never lasts longer than `MAX_HOLD_SECONDS`, whatever happens to the request.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.timer import Timer

MAX_HOLD_SECONDS = 3.0


class GcPause:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._timer: Timer | None = None

    @staticmethod
    def freeze_startup() -> None:
        """The modules, the app and its first screens live as long as the process."""
        gc.collect()
        gc.freeze()

    @property
    def holding(self) -> bool:
        return self._timer is not None

    def hold(self) -> None:
        """No collection until `release` (or `MAX_HOLD_SECONDS`)."""
        if self._timer is not None:
            self._timer.reset()
            return
        if not gc.isenabled():  # someone else (a profiler, a test) decides
            return
        gc.disable()
        self._timer = self.app.set_timer(MAX_HOLD_SECONDS, self.release, name="gc-hold")

    def release(self) -> None:
        """Collect again: the debt of the hold is paid at the next allocation."""
        if self._timer is None:
            return
        self._timer.stop()
        self._timer = None
        gc.enable()

    def stop(self) -> None:
        """The app is leaving: collect as usual again, and everything may be collected."""
        self.release()
        gc.unfreeze()
