"""Rendering Open311 documents as XML (the specification's primary format) and JSON.

A document is plain data: a list (services, service_requests, errors) or a dict
(service_definition, discovery). JSON is that data as it is; XML follows the
specification's Spark convention, where a list becomes repeated elements named by
`ITEM_NAMES` and `None` becomes an empty element.
"""

from __future__ import annotations

import json
import re
from xml.etree import ElementTree

from flask import Response

FORMATS = ("xml", "json")
CONTENT_TYPES = {"xml": "text/xml; charset=utf-8", "json": "application/json; charset=utf-8"}

# The element each list's items are named by, in the specification's documents.
ITEM_NAMES = {
    "services": "service",
    "service_requests": "request",
    "errors": "error",
    "attributes": "attribute",
    "values": "value",
    "endpoints": "endpoint",
    "formats": "format",
    "notes": "note",
    # FixMyStreet's servicerequestupdates: GET lists, POST answers
    "service_requests_updates": "request_update",
    "service_request_updates": "request_update",
}

# Characters XML 1.0 cannot carry at all (control characters other than tab, LF, CR).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _text(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return _NOT_XML.sub("", str(value))


def _append(parent: ElementTree.Element, name: str, value) -> None:
    element = ElementTree.SubElement(parent, name)
    _fill(element, name, value)


def _fill(element: ElementTree.Element, name: str, value) -> None:
    if isinstance(value, dict):
        for key, child in value.items():
            _append(element, key, child)
    elif isinstance(value, list | tuple):
        item_name = ITEM_NAMES[name]
        for item in value:
            _append(element, item_name, item)
    else:
        element.text = _text(value)


def to_xml(root: str, data) -> str:
    """The XML text of a document whose root element is `root`."""
    element = ElementTree.Element(root)
    _fill(element, root, data)
    return _DECLARATION + ElementTree.tostring(element, encoding="unicode")


def to_json(data) -> str:
    return json.dumps(data, ensure_ascii=False)


def render(fmt: str, root: str, data, status: int = 200, headers: dict | None = None) -> Response:
    """A response carrying the document in `fmt` ("xml" or "json")."""
    body = to_json(data) if fmt == "json" else to_xml(root, data)
    return Response(body, status=status, headers=headers, content_type=CONTENT_TYPES[fmt])
