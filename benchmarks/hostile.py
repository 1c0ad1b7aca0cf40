"""Values the schema-driven generator never tries, though attackers and clumsy users do:
timezone-naive and date-only instants, dates at the edges of the calendar, numbers beyond
any real one, and labels holding the markup of every renderer Relais feeds (Rich/Textual,
matplotlib, HTML, CSV/XLSX formulas).

`variants()` reads the OpenAPI description and returns, for one operation, each query
parameter or top-level body property paired with the hostile values of its type; the
fuzzer sends them on top of a generated request, against known objects, so they reach
the code behind the lookups (a random id would stop at a 404 first).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

INSTANTS = ["2026-12-01", "2026-12-01T10:00:00", "0001-01-01T00:00:00Z",
            "9999-12-31T23:59:59-14:00", "1850-01-01T00:00:00Z", "3000-01-01T00:00:00Z"]
DAYS = ["0001-01-01", "1850-06-01", "9999-12-31", "2999-01-01"]
NUMBERS = [10**20, -(10**20), 2**63, 1e308, -1e308]
LABELS = ["[/]", "[b]gras[/b] [link=http://x]ici[/link]", r"$\frac{1}{$", "$x^2$ $",
          "=HYPERLINK(\"http://x\",\"clic\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(A1)",
          "\t=1+1", "<script>alert(1)</script>", "\u202eevil"]


@dataclass(frozen=True)
class Variant:
    where: str  # "query" or "body"
    name: str
    value: Any


def hostile_values(schema: dict[str, Any], components: dict[str, Any]) -> list[Any]:
    kinds = set(_kinds(schema, components))
    if ("string", "date-time") in kinds:
        return INSTANTS
    if ("string", "date") in kinds:
        return DAYS
    if any(kind in {"integer", "number"} for kind, _ in kinds):
        return NUMBERS
    if any(kind == "string" and not fmt for kind, fmt in kinds):
        return LABELS
    return []


def variants(document: dict[str, Any], method: str, path: str) -> list[Variant]:
    operation = document.get("paths", {}).get(path, {}).get(method.lower(), {})
    components = document.get("components", {}).get("schemas", {})
    found = [Variant("query", param["name"], value)
             for param in operation.get("parameters", []) if param.get("in") == "query"
             for value in hostile_values(param.get("schema", {}), components)]
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {})
    schema = _resolve(body.get("schema", {}), components)
    for name, prop in schema.get("properties", {}).items():
        found += [Variant("body", name, value) for value in hostile_values(prop, components)]
    return found


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return dict(components.get(ref.rsplit("/", 1)[-1], {})) if ref else schema


def _kinds(schema: dict[str, Any], components: dict[str, Any],
           depth: int = 0) -> Iterator[tuple[str, str]]:
    schema = _resolve(schema, components)
    if depth > 3:
        return
    for key in ("anyOf", "oneOf", "allOf"):
        for part in schema.get(key, []):
            yield from _kinds(part, components, depth + 1)
    if isinstance(schema.get("type"), str) and "enum" not in schema:
        yield schema["type"], schema.get("format", "")
