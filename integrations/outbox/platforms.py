"""The transport the worker uses: each target's kind picks how a status change travels —
a Standard-Webhooks-signed POST (generic platforms), a w.c.s. workflow jump through its
signed API, or Démarches Simplifiées state mutations through its GraphQL API. Open311
clients read statuses from us."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from integrations.connectors.ds.backend import DsBackend, DsError, HttpDsBackend
from integrations.connectors.ds.writeback import push_status
from integrations.connectors.wcs.backend import HttpWcsBackend, WcsBackend, WcsError
from integrations.outbox.transport import BatchTransport, Outgoing, SendResult, Transport
from integrations.settings import SourceConfig


@dataclass
class PlatformTransport:
    webhooks: Transport
    wcs: Callable[[SourceConfig], WcsBackend] = HttpWcsBackend
    ds: Callable[[SourceConfig], DsBackend] = HttpDsBackend

    def send_many(self, items: list[tuple[SourceConfig, Outgoing]]) -> list[SendResult]:
        """Generic webhooks go out together; platform API calls run one case at a time
        in event order (a case's moves reach its platform in the order they were made),
        different cases in parallel."""
        results: list[SendResult | None] = [None] * len(items)
        generic = [n for n, (config, _) in enumerate(items) if config.kind == "standard"]
        groups: dict[tuple[str, str], list[int]] = {}
        for n, (config, event) in enumerate(items):
            if config.kind != "standard":
                key = (event.target, str(event.payload.get("data", {}).get("id")))
                groups.setdefault(key, []).append(n)

        def run_group(indexes: list[int]) -> None:
            for n in indexes:
                results[n] = self.send(*items[n])

        pool = ThreadPoolExecutor(max_workers=max(1, min(len(groups), 16))) if groups else None
        try:
            waiting = [pool.submit(run_group, g) for g in groups.values()] if pool else []
            if generic:
                batch = [items[n] for n in generic]
                if isinstance(self.webhooks, BatchTransport):
                    sent = self.webhooks.send_many(batch)
                else:
                    sent = [self.webhooks.send(*item) for item in batch]
                for n, result in zip(generic, sent, strict=True):
                    results[n] = result
            for future in waiting:
                future.result()
        finally:
            if pool is not None:
                pool.shutdown()
        return [r if r is not None else SendResult(ok=False, error="non envoyé") for r in results]

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
