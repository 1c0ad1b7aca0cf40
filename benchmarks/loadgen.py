"""A small keep-alive HTTP/1.1 load generator (asyncio streams, no client library overhead).

Good enough to drive a local server with N concurrent connections and time each request;
it runs in its own process so its CPU use is visible and separate from the server's.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    latencies_ms: list[float] = field(default_factory=list)
    errors: int = 0
    elapsed_s: float = 0.0
    # Non-200 answers by status code: a 503 (database overloaded) is not a 404 (bad sample).
    error_statuses: dict[str, int] = field(default_factory=dict)

    def errors_text(self) -> str:
        detail = ", ".join(f"{code}×{n}" for code, n in sorted(self.error_statuses.items()))
        return f"{self.errors} ({detail})" if detail else str(self.errors)

    @property
    def throughput(self) -> float:
        return len(self.latencies_ms) / self.elapsed_s if self.elapsed_s else 0.0


async def exchange(reader: asyncio.StreamReader, writer: asyncio.StreamWriter,
                   request: bytes) -> tuple[bytes, float]:
    """Send one request on a keep-alive connection and read its whole answer: the status
    code and the milliseconds it took."""
    began = time.perf_counter()
    writer.write(request)
    status_line = await reader.readline()
    length = 0
    while True:
        line = await reader.readline()
        if line in (b"\r\n", b""):
            break
        name, _, value = line.decode("latin-1").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    await reader.readexactly(length)
    status = status_line.split(b" ")[1:2]
    return (status[0] if status else b"?"), (time.perf_counter() - began) * 1000


async def _connection(
    host: str, port: int, paths: Sequence[str], headers: str, start: int, count: int,
    result: LoadResult,
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    try:
        for i in range(count):
            path = paths[(start + i) % len(paths)]
            request = f"GET {path} HTTP/1.1\r\nHost: {host}\r\n{headers}\r\n"
            status, elapsed = await exchange(reader, writer, request.encode())
            if status == b"200":
                result.latencies_ms.append(elapsed)
            else:
                result.errors += 1
                code = status.decode("latin-1")
                result.error_statuses[code] = result.error_statuses.get(code, 0) + 1
    finally:
        writer.close()


async def _run(
    host: str, port: int, paths: Sequence[str], token: str, total: int, concurrency: int
) -> LoadResult:
    headers = f"Authorization: Bearer {token}\r\nConnection: keep-alive\r\n"
    result = LoadResult()
    per_connection = max(1, total // concurrency)
    began = time.perf_counter()
    await asyncio.gather(*(
        _connection(host, port, paths, headers, i * per_connection, per_connection, result)
        for i in range(concurrency)
    ))
    result.elapsed_s = time.perf_counter() - began
    return result


def run_load(
    *, host: str, port: int, paths: Sequence[str], token: str, total: int, concurrency: int
) -> LoadResult:
    return asyncio.run(_run(host, port, paths, token, total, concurrency))
