"""Keep Python's garbage collector out of the way of a scan.

Measured in `relais bench counter`: the collector, not the screen, made the slow tail.
A scan allocates a few hundred thousand short-lived objects (Rich segments, strips,
styles), which triggers collections; a full one walks the whole heap of the app
(Textual, Rich, httpx, the client: about 150,000 objects) and took 200-600 ms on a busy
machine, landing inside one scan in ten. So:

* once the app is up, its long-lived objects are frozen (`gc.freeze`): the collector
  never walks them again;
* from a scan's Enter until the resident screen is drawn the collector waits
  (`hold`), and it runs right after (`release_soon`), while the agent reads the screen.
  A hold never lasts longer than `MAX_HOLD_SECONDS`, whatever happens to the request.
"""

from __future__ import annotations

import gc
from typing import Any

from textual.app import App
from textual.timer import Timer

MAX_HOLD_SECONDS = 3.0
# From the data on screen to the screen drawn takes a few frames (layout, the tables'
# column widths, a second layout): the collector comes back after them, not between.
RELEASE_DELAY_SECONDS = 0.25


class GcPause:
    def __init__(self, app: App[Any]) -> None:
        self.app = app
        self._deadline: Timer | None = None
        self._soon: Timer | None = None

    @staticmethod
    def freeze_startup() -> None:
        """The modules, the app and its first screens live as long as the process."""
        gc.collect()
        gc.freeze()

    @property
    def holding(self) -> bool:
        return self._deadline is not None

    def hold(self) -> None:
        """No collection until `release` (at the latest `MAX_HOLD_SECONDS` from now)."""
        if self._deadline is not None:
            return  # the first hold's deadline stands: the collector is never held off long
        if not gc.isenabled():  # someone else (a profiler, a test) decides
            return
        gc.disable()
        self._deadline = self.app.set_timer(MAX_HOLD_SECONDS, self.release, name="gc-hold")

    def release_soon(self) -> None:
        """The resident is on screen: collect again once it is drawn."""
        if self._deadline is not None and self._soon is None:
            self._soon = self.app.set_timer(RELEASE_DELAY_SECONDS, self.release,
                                            name="gc-release")

    def release(self) -> None:
        """Collect again: the debt of the hold is paid at the next allocation."""
        if self._deadline is None:
            return
        for timer in (self._soon, self._deadline):
            if timer is not None:
                timer.stop()
        self._soon = self._deadline = None
        gc.enable()

    def stop(self) -> None:
        """The app is leaving: collect as usual again, and everything may be collected."""
        self.release()
        gc.unfreeze()
