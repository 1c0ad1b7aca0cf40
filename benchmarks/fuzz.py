"""Fuzzing the whole API from its OpenAPI description (schemathesis), as every role.

Each generated request is sent once per caller (anonymous and one agent per role) and
every answer is checked: no server error (5xx) and, where the description declares the
status, a body that matches the declared schema. Failures are collected, not raised, so
a run reports all it found; `relais bench fuzz` and the bounded test in the suite share
this code.

schemathesis is a development dependency: this module imports it only when it runs.
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from fastapi import FastAPI

from benchmarks.hostile import Variant, variants


@dataclass
class FuzzFailure:
    operation: str
    caller: str
    status: int
    message: str
    request: str


@dataclass
class FuzzReport:
    operations: int = 0
    requests: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    failures: list[FuzzFailure] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"{self.operations} operations, {self.requests} requests in "
               f"{self.seconds:.1f} s; statuses: "
               + ", ".join(f"{k}×{v}" for k, v in sorted(self.statuses.items()))]
        seen = set()
        for failure in self.failures:
            key = (failure.operation, failure.message.splitlines()[0] if failure.message else "")
            if key in seen:
                continue
            seen.add(key)
            out.append(f"FAIL {failure.operation} as {failure.caller} -> {failure.status}: "
                       f"{failure.message.strip()[:400]}\n    {failure.request[:400]}")
        return out


def fuzz_app(
    app: FastAPI, *, callers: Mapping[str, Mapping[str, str]], max_examples: int,
    seed: int | None = None, max_failures: int = 50, known: Mapping[str, str] | None = None,
) -> FuzzReport:
    """Fuzz every operation of `app` with `max_examples` generated requests, each sent
    as every caller of `callers` (name -> headers); then the hostile values of
    `benchmarks.hostile` on its first request, with the path parameters named in
    `known` (e.g. `resident_id`) set to objects that exist."""
    import schemathesis
    from hypothesis import HealthCheck, given, settings
    from schemathesis.specs.openapi.checks import response_schema_conformance

    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    document = app.openapi()
    report = FuzzReport()
    started = time.perf_counter()
    checks = [response_schema_conformance]
    operations = [result.ok() for result in schema.get_all_operations()]  # type: ignore[union-attr]
    # Signing out revokes the caller's session: last, so every other operation runs signed in.
    operations.sort(key=lambda op: op.path.endswith("/auth/logout"))
    for operation in operations:
        report.operations += 1
        hostile = variants(document, operation.method, operation.path)
        run = _runner(operation.label, callers, report, checks, max_failures,
                      _Hostile(hostile, dict(known or {})))
        test = settings(max_examples=max_examples, deadline=None, database=None,
                        suppress_health_check=list(HealthCheck),
                        derandomize=seed is not None)(given(case=operation.as_strategy())(run))
        test()
    report.seconds = time.perf_counter() - started
    return report


@dataclass
class _Hostile:
    variants: list[Variant]
    known: dict[str, str]
    sent: bool = False


def _runner(label: str, callers: Mapping[str, Mapping[str, str]], report: FuzzReport,
            checks: list[Any], max_failures: int, hostile: _Hostile) -> Callable[[Any], None]:
    from schemathesis.core.failures import FailureGroup

    def failed(caller: str, status: int, message: str, case: Any) -> None:
        if len(report.failures) < max_failures:
            report.failures.append(FuzzFailure(operation=label, caller=caller, status=status,
                                               message=message, request=_describe(case)))

    def run(case: Any) -> None:
        send(case)
        if hostile.sent or not hostile.variants:
            return
        hostile.sent = True  # once per operation: a bounded number of requests
        path = dict(case.path_parameters or {})
        for name in path:
            path[name] = hostile.known.get(name, path[name])
        query, body = case.query, case.body
        case.path_parameters = path
        try:
            for variant in hostile.variants:
                if variant.where == "query":
                    case.query = {**(query or {}), variant.name: variant.value}
                elif isinstance(body, dict):
                    case.body = {**body, variant.name: variant.value}
                else:
                    continue
                send(case, validate=False)
                case.query, case.body = query, body
        finally:
            case.query, case.body = query, body

    def send(case: Any, validate: bool = True) -> None:
        """`validate=False` for hostile values: no 5xx is what they must prove."""
        for caller, headers in callers.items():
            report.requests += 1
            try:
                response = case.call(headers=dict(headers))
            except Exception as exc:  # the in-process client re-raises server errors
                report.statuses[500] = report.statuses.get(500, 0) + 1
                failed(caller, 500, f"{type(exc).__name__}: {exc}", case)
                continue
            report.statuses[response.status_code] = (
                report.statuses.get(response.status_code, 0) + 1)
            problem = _server_error(response)
            if problem is None and validate:
                try:
                    case.validate_response(response, checks=checks)
                except FailureGroup as exc:
                    problem = str(exc)
            if problem is not None:
                failed(caller, response.status_code, problem, case)

    return run


def _server_error(response: Any) -> str | None:
    """A 5xx is a bug, except a 503 that says in a problem document what is unavailable
    (a connector not configured, the database saturated)."""
    if response.status_code < 500:
        return None
    kind = response.headers.get("content-type", [""])
    kind = kind[0] if isinstance(kind, list) else kind
    if response.status_code == 503 and kind.startswith("application/problem+json"):
        return None
    return f"server error: {response.text[:300]}"


def _describe(case: Any) -> str:
    with contextlib.suppress(Exception):
        return str(case.as_curl_command())
    return repr(case)
