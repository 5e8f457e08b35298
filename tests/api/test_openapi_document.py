"""The OpenAPI document describes every API route with its input, output and errors."""

from __future__ import annotations

import re

UNDOCUMENTED = {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/docs/<path:filename>"}
# Actions whose whole input is the path (and the caller): no body to document.
BODILESS = ("/auth/logout", "/follow", "/support", "/seen", "/seen-all", "/unsubscribe/{token}")


def _routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1") or rule.rule in UNDOCUMENTED:
            continue
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes |= {(path, method.lower()) for method in rule.methods - {"HEAD", "OPTIONS"}}
    return routes


def test_every_route_is_documented_with_responses_and_errors(app, client):
    spec = client.get("/api/v1/openapi.json").get_json()
    documented = {(path, method) for path, ops in spec["paths"].items() for method in ops if method != "parameters"}
    assert _routes(app) <= documented
    for path, method in _routes(app):
        operation = spec["paths"][path][method]
        assert operation.get("summary"), (method, path)
        statuses = set(operation["responses"])
        success = [s for s in statuses if s[0] in "23"]  # a redirect to a page is a success too
        assert success, (method, path)
        assert "default" in statuses  # the shared error shape
        if "{" in path:
            assert "404" in statuses, (method, path)
        if method in ("post", "put", "patch") and not path.endswith(BODILESS):
            assert "requestBody" in operation, (method, path)
            assert "422" in statuses, (method, path)


def test_the_request_schema_documents_audience_fields_and_nullability(client):
    schemas = client.get("/api/v1/openapi.json").get_json()["components"]["schemas"]
    request = schemas["Request"]["properties"]
    assert {"reporter", "answers", "sla_due_at", "viewer", "photos", "email_address"} <= set(request)
    assert request["due_at"]["nullable"] is True
    assert "reporter" not in schemas["Request"]["required"]
    assert set(schemas["RequestSubmit"]["required"]) == {"category_id", "lat", "lng", "description"}
    assert schemas["RequestSubmit"]["properties"]["lat"]["minimum"] == -90


def test_the_docs_page_is_served(client):
    assert client.get("/api/v1/docs").status_code == 200
