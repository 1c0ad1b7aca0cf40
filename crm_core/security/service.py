"""Counting, limiting and reporting. Counters live in the database so that every API
process (and every machine behind the load balancer) enforces the same limits; a hit is
one upsert on a primary key, and only failures and unauthenticated calls are counted."""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from crm_core.agents.actor import Actor
from crm_core.config.security import SecuritySettings
from crm_core.database.base import utcnow
from crm_core.security.enums import Bucket, EventKind
from crm_core.security.exceptions import RateLimited
from crm_core.security.models import AbuseCounter, SecurityEvent

security_log = logging.getLogger("relais.security")


def _window(now: datetime, seconds: int) -> int:
    return int(now.timestamp()) // seconds * seconds


def _retry_after(now: datetime, seconds: int) -> int:
    return max(1, _window(now, seconds) + seconds - int(now.timestamp()))


def hit(*, db_session: Session, bucket: Bucket, key: str, window_seconds: int,
        now: datetime | None = None) -> int:
    """Count one more hit of `key` in the current window; returns the window's count."""
    start = _window(now or utcnow(), window_seconds)
    dialect = db_session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(AbuseCounter).values(bucket=bucket, key=key[:200], window_start=start,
                                            hits=1)
    upsert = statement.on_conflict_do_update(
        index_elements=["bucket", "key", "window_start"],
        set_={"hits": AbuseCounter.hits + 1},
    ).returning(AbuseCounter.hits)
    return int(db_session.execute(upsert).scalar_one())


def hits(*, db_session: Session, bucket: Bucket, key: str, window_seconds: int,
         now: datetime | None = None) -> int:
    start = _window(now or utcnow(), window_seconds)
    found = db_session.scalar(select(AbuseCounter.hits).where(
        AbuseCounter.bucket == bucket, AbuseCounter.key == key[:200],
        AbuseCounter.window_start == start))
    return int(found or 0)


def _slide(db_session: Session, bucket: Bucket, key: str, window_seconds: int,
           now: datetime, current: int) -> float:
    """Sliding window over the fixed ones: the previous window counts in proportion to how
    much of it the last `window_seconds` still cover (no double burst at a window's edge)."""
    previous = hits(db_session=db_session, bucket=bucket, key=key,
                    window_seconds=window_seconds, now=now - timedelta(seconds=window_seconds))
    elapsed = int(now.timestamp()) % window_seconds / window_seconds
    return current + previous * (1 - elapsed)


def sliding_hits(*, db_session: Session, bucket: Bucket, key: str, window_seconds: int,
                 now: datetime | None = None) -> float:
    now = now or utcnow()
    current = hits(db_session=db_session, bucket=bucket, key=key,
                   window_seconds=window_seconds, now=now)
    return _slide(db_session, bucket, key, window_seconds, now, current)


def sliding_hit(*, db_session: Session, bucket: Bucket, key: str, window_seconds: int,
                now: datetime | None = None) -> float:
    """Count one more hit; the sliding count including it."""
    now = now or utcnow()
    current = hit(db_session=db_session, bucket=bucket, key=key,
                  window_seconds=window_seconds, now=now)
    return _slide(db_session, bucket, key, window_seconds, now, current)


def sliding_retry_after(*, db_session: Session, bucket: Bucket, key: str, window_seconds: int,
                        admits: Callable[[float], bool], now: datetime | None = None) -> int:
    """Seconds until the sliding count, with no more hits in between, is one that `admits`:
    the time a refusal's Retry-After promises (not the fixed window's end, which a sliding count
    does not follow)."""
    now = now or utcnow()
    current = hits(db_session=db_session, bucket=bucket, key=key,
                   window_seconds=window_seconds, now=now)
    previous = hits(db_session=db_session, bucket=bucket, key=key,
                    window_seconds=window_seconds, now=now - timedelta(seconds=window_seconds))
    start, second = _window(now, window_seconds), int(now.timestamp())
    for wait in range(1, 2 * window_seconds + 1):  # past two windows, nothing is left
        at = second + wait
        elapsed = (at - start) % window_seconds / window_seconds
        if at < start + window_seconds:
            count = current + previous * (1 - elapsed)
        elif at < start + 2 * window_seconds:
            count = current * (1 - elapsed)
        else:
            count = 0
        if admits(count):
            return wait
    return 2 * window_seconds


def record_event(*, db_session: Session, kind: EventKind, subject: str, detail: str,
                 actor: Actor | None = None) -> SecurityEvent:
    event = SecurityEvent(kind=kind, subject=subject[:200], detail=detail,
                          agent_id=actor.agent_id if actor else None,
                          site_id=actor.site_id if actor else None)
    db_session.add(event)
    db_session.flush()
    security_log.warning("security event %s: %s (%s)", kind.value, subject[:200], detail)
    return event


def list_events(*, db_session: Session, limit: int = 100,
                kind: EventKind | None = None) -> list[SecurityEvent]:
    statement = select(SecurityEvent).order_by(SecurityEvent.occurred_at.desc()).limit(limit)
    if kind is not None:
        statement = statement.where(SecurityEvent.kind == kind)
    return list(db_session.scalars(statement))


# Sign-in


def _pair(username: str, address: str) -> str:
    return f"{address}|{username}"


def check_sign_in(*, db_session: Session, policy: SecuritySettings, username: str,
                  address: str, now: datetime | None = None) -> None:
    """Refuse (before the password is even checked) a username locked for this address or
    for every address, or an address locked for every username. Sliding windows."""
    now = now or utcnow()
    window = policy.sign_in_window_seconds
    user = username.strip().lower()[:150]
    counts = (
        (Bucket.SIGN_IN_FAILURE_PAIR, _pair(user, address), policy.sign_in_failures_per_user),
        (Bucket.SIGN_IN_FAILURE_USER, user, policy.sign_in_failures_per_account),
        (Bucket.SIGN_IN_FAILURE_ADDRESS, address, policy.sign_in_failures_per_address),
    )
    locked = [(bucket, key, limit) for bucket, key, limit in counts if sliding_hits(
        db_session=db_session, bucket=bucket, key=key, window_seconds=window, now=now) >= limit]
    if locked:
        wait = max(sliding_retry_after(
            db_session=db_session, bucket=bucket, key=key, window_seconds=window, now=now,
            admits=partial(operator.gt, limit)) for bucket, key, limit in locked)
        raise RateLimited(
            # SECURITY.md: no one can unlock by hand, so no one is sent to ask for it.
            f"Trop d'échecs de connexion : réessayez dans {-(-wait // 60)} min (le blocage"
            " se lève seul ; personne ne peut le lever avant)", retry_after=wait)


def sign_in_failed(*, db_session: Session, policy: SecuritySettings, username: str,
                   address: str, now: datetime | None = None) -> None:
    """Count a failure for the (username, address) pair, the address, and the account; an
    address counts against the account only up to the pair's limit, so that one address
    can lock itself out of an account, never the agent out of it (SECURITY.md)."""
    now = now or utcnow()
    window, minutes = policy.sign_in_window_seconds, policy.sign_in_window_seconds // 60
    user = username.strip().lower()[:150]

    def count(bucket: Bucket, key: str) -> float:
        return sliding_hit(db_session=db_session, bucket=bucket, key=key,
                           window_seconds=window, now=now)

    def crossed(value: float, limit: int) -> bool:
        return value - 1 < limit <= value

    by_pair = count(Bucket.SIGN_IN_FAILURE_PAIR, _pair(user, address))
    if by_pair <= policy.sign_in_failures_per_user:
        by_user = count(Bucket.SIGN_IN_FAILURE_USER, user)
        if crossed(by_user, policy.sign_in_failures_per_account):
            record_event(db_session=db_session, kind=EventKind.SIGN_IN_LOCKED, subject=user,
                         detail=f"{by_user:.0f} échecs de connexion en {minutes} min depuis "
                                "plusieurs adresses : compte bloqué partout")
    by_address = count(Bucket.SIGN_IN_FAILURE_ADDRESS, address)
    if crossed(by_pair, policy.sign_in_failures_per_user):
        record_event(db_session=db_session, kind=EventKind.SIGN_IN_LOCKED, subject=user,
                     detail=f"{by_pair:.0f} échecs de connexion en {minutes} min depuis "
                            f"{address} : cette adresse est bloquée pour ce compte")
    if crossed(by_address, policy.sign_in_failures_per_address):
        record_event(db_session=db_session, kind=EventKind.SIGN_IN_LOCKED,
                     subject=f"adresse {address}",
                     detail=f"{by_address:.0f} échecs de connexion en {minutes} min, "
                            "tous identifiants confondus")


# Lookups (badge scans, card taps, phone, e-mail, reference, account)


def check_lookup(*, db_session: Session, policy: SecuritySettings, actor: Actor,
                 now: datetime | None = None) -> None:
    if actor.agent_id is None:
        return
    now = now or utcnow()
    window, limit, key = policy.lookup_window_seconds, policy.lookup_misses_per_agent, \
        str(actor.agent_id)
    # Sliding, as the limits of sign-in: at a fixed window's edge the lock would end and
    # allow a second burst of misses at once.
    if sliding_hits(db_session=db_session, bucket=Bucket.LOOKUP_MISS, key=key,
                    window_seconds=window, now=now) >= limit:
        raise RateLimited(
            "Trop de recherches sans résultat : les recherches sont suspendues pour ce poste "
            "et un responsable a été prévenu", retry_after=sliding_retry_after(
                db_session=db_session, bucket=Bucket.LOOKUP_MISS, key=key,
                window_seconds=window, admits=lambda count: count < limit, now=now))


def lookup_missed(*, db_session: Session, policy: SecuritySettings, actor: Actor, kind: str,
                  now: datetime | None = None) -> None:
    """One more lookup that found nobody; at the limit, the agent is stopped and reported.
    The looked-up value is never recorded (a badge token, a phone number)."""
    if actor.agent_id is None:
        return
    count = sliding_hit(db_session=db_session, bucket=Bucket.LOOKUP_MISS,
                        key=str(actor.agent_id), window_seconds=policy.lookup_window_seconds,
                        now=now)
    if count - 1 < policy.lookup_misses_per_agent <= count:  # this miss crossed the limit
        record_event(
            db_session=db_session, kind=EventKind.LOOKUP_SCAN, subject=actor.username,
            actor=actor,
            detail=f"{policy.lookup_misses_per_agent} recherches sans résultat en "
                   f"{policy.lookup_window_seconds // 60} min (dernière : {kind}) : "
                   "recherches suspendues")


def admit_find(*, db_session: Session, policy: SecuritySettings, actor: Actor,
               now: datetime | None = None) -> None:
    """Every way of finding a person (lookup, search, candidates) passes here first: the
    lookup lock, then the agent's rate limit over a sliding window. Every find is counted
    (one upsert); the caller commits the count even when refused."""
    check_lookup(db_session=db_session, policy=policy, actor=actor, now=now)
    if actor.agent_id is None:
        return
    now = now or utcnow()
    window, limit = policy.find_window_seconds, policy.finds_per_agent
    count = sliding_hit(db_session=db_session, bucket=Bucket.FIND, key=str(actor.agent_id),
                        window_seconds=window, now=now)
    if count <= limit:
        return
    reported = db_session.scalar(select(SecurityEvent.id).where(
        SecurityEvent.kind == EventKind.FIND_RATE, SecurityEvent.agent_id == actor.agent_id,
        SecurityEvent.occurred_at >= now - timedelta(seconds=window)).limit(1))
    if reported is None:
        record_event(db_session=db_session, kind=EventKind.FIND_RATE, subject=actor.username,
                     actor=actor, detail=f"plus de {limit} recherches d'usagers en "
                                         f"{window // 60} min : recherches suspendues")
    raise RateLimited(
        "Trop de recherches d'usagers en peu de temps : patientez quelques minutes ; un "
        "responsable a été prévenu", retry_after=sliding_retry_after(
            db_session=db_session, bucket=Bucket.FIND, key=str(actor.agent_id),
            window_seconds=window, admits=lambda count: count + 1 <= limit, now=now))


# Unauthenticated platform endpoints


def throttle(*, db_session: Session, bucket: Bucket, key: str, limit: int,
             window_seconds: int, now: datetime | None = None) -> int:
    """Count a call; the count, to refuse past `limit` (the caller commits the count
    first, so a refused call is counted too)."""
    now = now or utcnow()
    count = hit(db_session=db_session, bucket=bucket, key=key, window_seconds=window_seconds,
                now=now)
    if count == limit + 1:
        record_event(db_session=db_session, kind=EventKind.INBOUND_FLOOD, subject=key,
                     detail=f"plus de {limit} appels en {window_seconds} s ({bucket.value})")
    return count


def refuse_if_over(count: int, limit: int, window_seconds: int,
                   now: datetime | None = None) -> None:
    if count > limit:
        raise RateLimited("Trop d'appels : réessayez plus tard",
                          retry_after=_retry_after(now or utcnow(), window_seconds))
