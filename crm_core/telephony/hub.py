"""In-process fan-out of call messages to the desks connected to this API process, keyed by
extension. Publishing never blocks: a desk that does not keep up loses its oldest messages
(it re-synchronises from the snapshot it gets on reconnection).

Messages reach it from every API process through `crm_core.telephony.broadcast`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Iterator
from typing import Any

QUEUE_SIZE = 64


class DeskHub:
    def __init__(self) -> None:
        self._desks: dict[str, set[asyncio.Queue[dict[str, Any]]]] = defaultdict(set)

    @contextlib.contextmanager
    def subscribe(self, extension: str) -> Iterator[asyncio.Queue[dict[str, Any]]]:
        queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue(QUEUE_SIZE)
        self._desks[extension].add(queue)
        try:
            yield queue
        finally:
            self._desks[extension].discard(queue)
            if not self._desks[extension]:
                del self._desks[extension]

    def publish(self, extension: str, message: dict[str, Any]) -> int:
        """Must be called on the event loop's thread. Returns how many desks got it."""
        queues = self._desks.get(extension, ())
        for queue in queues:
            if queue.full():
                queue.get_nowait()
            queue.put_nowait(message)
        return len(queues)

    def connected(self, extension: str) -> int:
        return len(self._desks.get(extension, ()))
