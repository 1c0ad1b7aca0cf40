"""Badge verification throughput, for ``relais bench badge``.

Every scan at a counter is one verification, and the server verifies for every counter
of a métropole; the target is at least 10,000 verifications per second on one core.
Ed25519 verification (libsodium, through PyNaCl) is most of the cost; the rest is Base45
decoding and parsing.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

from badge.keys import Keyring, generate_signing_key
from badge.token import issue_token, new_badge_id, verify_token

__all__ = ["run_verify_benchmark"]

_BATCH = 200


def run_verify_benchmark(*, seconds: float = 2.0) -> dict[str, float]:
    """Verify realistic tokens in a loop for about ``seconds`` on the calling thread.

    Returns ``verifications``, ``seconds``, ``per_second``, ``microseconds_each`` (wall
    clock), ``cpu_per_second`` and ``cpu_microseconds_each`` (this thread's CPU time: one
    core's throughput, unaffected by other work on the machine) and ``token_length``.
    """
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    key = generate_signing_key("bench")
    # Two trusted keys, as during a rotation: lookup by key id is part of the cost.
    keyring = Keyring.of(key, generate_signing_key("old"))
    now = datetime.now(UTC)
    tokens = [
        issue_token(
            key=key, issuer="69123", badge_id=new_badge_id(), expires_at=now + timedelta(days=365)
        )
        for _ in range(_BATCH)
    ]
    count = 0
    start, cpu_start = time.perf_counter(), time.thread_time()
    while True:
        for token in tokens:
            verify_token(token, keyring=keyring, issuer="69123", now=now)
        count += len(tokens)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            break
    cpu = time.thread_time() - cpu_start
    return {
        "verifications": float(count),
        "seconds": elapsed,
        "per_second": count / elapsed,
        "microseconds_each": elapsed / count * 1e6,
        # CPU time of this thread: what one core does, even on a machine that is busy.
        "cpu_per_second": count / cpu,
        "cpu_microseconds_each": cpu / count * 1e6,
        "token_length": float(len(tokens[0])),
    }
