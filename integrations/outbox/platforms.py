"""The transport the worker uses: each target's kind picks how a status change travels —
a Standard-Webhooks-signed POST (generic platforms), a w.c.s. workflow jump through its
signed API, or Démarches Simplifiées state mutations through its GraphQL API. Open311
clients read statuses from us."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from integrations.connectors.ds.backend import DsBackend, DsError, HttpDsBackend
from integrations.connectors.ds.writeback import push_status
from integrations.connectors.wcs.backend import HttpWcsBackend, WcsBackend, WcsError
from integrations.outbox.transport import Outgoing, SendResult, Transport
from integrations.settings import SourceConfig


@dataclass
class PlatformTransport:
    webhooks: Transport
    wcs: Callable[[SourceConfig], WcsBackend] = HttpWcsBackend
    ds: Callable[[SourceConfig], DsBackend] = HttpDsBackend

    def send(self, config: SourceConfig, event: Outgoing) -> SendResult:
        if config.kind == "ds":
            return self._send_ds(config, event)
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

    def _send_ds(self, config: SourceConfig, event: Outgoing) -> SendResult:
        backend = None
        try:
            backend = self.ds(config)
            push_status(backend=backend, config=config, data=event.payload.get("data", {}))
        except (DsError, OSError) as exc:  # refused, unreachable, misconfigured: retried
            return SendResult(ok=False, error=str(exc)[:500])
        except Exception as exc:  # httpx errors and the like: retried
            return SendResult(ok=False, error=f"{type(exc).__name__}: {exc}"[:500])
        finally:
            getattr(backend, "close", lambda: None)()
        return SendResult(ok=True, status_code=200)
