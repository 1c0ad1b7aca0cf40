"""The transport the worker uses: each target's kind picks how a status change travels —
a Standard-Webhooks-signed POST (generic platforms), or a w.c.s. workflow jump through
its signed API. Open311 and Démarches Simplifiées clients read statuses from us."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.connectors.wcs.backend import HttpWcsBackend, WcsBackend, WcsError
from integrations.outbox.transport import Outgoing, SendResult, Transport
from integrations.settings import SourceConfig


@dataclass
class PlatformTransport:
    webhooks: Transport
    wcs: Callable[[SourceConfig], WcsBackend] = HttpWcsBackend

    def send(self, config: SourceConfig, event: Outgoing) -> SendResult:
        if config.kind != "wcs":
            return self.webhooks.send(config, event)
        data = event.payload.get("data", {})
        trigger = config.triggers.get(str(data.get("status")))
        if trigger is None:  # this status means nothing to the form's workflow
            return SendResult(ok=True, error=None)
        backend = None
        try:
            backend = self.wcs(config)
            status = backend.trigger(str(data.get("id")), trigger, data)
        except (WcsError, OSError) as exc:
            return SendResult(ok=False, error=str(exc)[:500])
        except Exception as exc:  # httpx errors and the like: retried
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        finally:
            getattr(backend, "close", lambda: None)()
        ok = 200 <= status < 300
        return SendResult(ok=ok, status_code=status, error=None if ok else f"HTTP {status}")
