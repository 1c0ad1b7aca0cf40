"""GeoReport v2 documents in JSON or XML: the same lists of flat records either way, and
errors as a list of `{code, description}` (the standard's shape, which its clients parse;
not problem+json)."""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree as ET  # we only ever write XML here, never parse it

import orjson
from starlette.responses import Response

ROOTS = {"service": "services", "request": "service_requests", "error": "errors",
         "service_definition": "service_definition"}


def _xml_value(parent: ET.Element, key: str, value: Any) -> None:
    if isinstance(value, list):
        holder = ET.SubElement(parent, key)
        for item in value:
            child = ET.SubElement(holder, key.removesuffix("s") or "item")
            for k, v in item.items():
                _xml_value(child, k, v)
        return
    element = ET.SubElement(parent, key)
    if value is None:
        return
    element.text = str(value).lower() if isinstance(value, bool) else str(value)


def render(records: list[dict[str, Any]], *, item: str, fmt: str, status: int = 200) -> Response:
    if fmt == "xml":
        root = ET.Element(ROOTS[item])
        for record in records:
            node = ET.SubElement(root, item)
            for key, value in record.items():
                _xml_value(node, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8"
                                                                        ).split(b"?>", 1)[-1]
        return Response(body, status_code=status, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(records), status_code=status,
                    media_type="application/json; charset=utf-8")


def render_one(record: dict[str, Any], *, item: str, fmt: str) -> Response:
    """A service definition is one object in JSON, one root element in XML."""
    if fmt == "xml":
        root = ET.Element(item)
        for key, value in record.items():
            _xml_value(root, key, value)
        body = b'<?xml version="1.0" encoding="utf-8"?>' + ET.tostring(root, encoding="utf-8"
                                                                        ).split(b"?>", 1)[-1]
        return Response(body, media_type="text/xml; charset=utf-8")
    return Response(orjson.dumps(record), media_type="application/json; charset=utf-8")


def error(status: int, description: str, fmt: str) -> Response:
    return render([{"code": status, "description": description}], item="error", fmt=fmt,
                  status=status)
