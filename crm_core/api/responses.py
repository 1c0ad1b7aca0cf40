"""Pre-encoded JSON for the hottest reads: orjson straight to bytes, no model round-trip."""

from __future__ import annotations

from typing import Any

import orjson
from starlette.responses import JSONResponse


class FastJSONResponse(JSONResponse):
    """A JSONResponse (so the OpenAPI description declares JSON, not a string) that
    encodes with orjson."""

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        return orjson.dumps(content)
