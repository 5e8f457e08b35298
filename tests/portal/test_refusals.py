"""Every page shows a service's refusal the same way: app/portal/refusals.py, nowhere else."""

from __future__ import annotations

import ast
from pathlib import Path

from tests.factories import UserFactory
from tests.portal.pages import post_form

PORTAL = Path(__file__).resolve().parents[2] / "app" / "portal"


def _catches_api_error(handler: ast.ExceptHandler) -> bool:
    caught = handler.type
    names = caught.elts if isinstance(caught, ast.Tuple) else [caught]
    return any(isinstance(name, ast.Name) and name.id == "ApiError" for name in names)


def test_no_page_catches_a_refusal_itself():
    catching = sorted(
        f"{path.relative_to(PORTAL)}:{node.lineno}"
        for path in PORTAL.rglob("*.py") if path.name != "refusals.py"
        for node in ast.walk(ast.parse(path.read_text()))
        if isinstance(node, ast.ExceptHandler) and node.type is not None and _catches_api_error(node))
    assert catching == []


def test_a_refused_form_keeps_what_was_typed_and_says_why_beside_the_field(client, db):
    UserFactory(email="rita@example.org")
    refused = post_form(client, "/login", {"email": "rita@example.org", "password": "not her password"})
    assert refused.status_code == 422
    assert 'id="password-error">Email or password is wrong.</p>' in refused.text
    assert 'value="rita@example.org"' in refused.text
