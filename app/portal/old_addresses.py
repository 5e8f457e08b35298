"""Addresses that were once emailed and have moved: each redirects (301) to the page it meant.

An emailed link is kept for good (CONTRACT.md, "Pages that emails link to"); when a page
moves, its old address becomes one row here. The rule's arguments are named as the target's.
"""

from __future__ import annotations

from flask import Blueprint, redirect, request, url_for

# old address -> the endpoint that answers it now
OLD_ADDRESSES: dict[str, str] = {
    "/preferences": "inbox.preferences_page",
    "/orgs/<org>": "staff.dashboard",
    "/orgs/<org>/work-orders/<int:work_order_id>": "staff.work_order",
    "/orgs/<org>/inbound-messages/<int:message_id>": "staff.inbound_message",
}

bp = Blueprint("old_addresses", __name__)


def _redirector(endpoint: str):
    def moved(**values):
        query = request.query_string.decode()
        return redirect(url_for(endpoint, **values) + (f"?{query}" if query else ""), code=301)

    return moved


for _number, (_rule, _endpoint) in enumerate(OLD_ADDRESSES.items()):
    bp.add_url_rule(_rule, f"moved_{_number}", _redirector(_endpoint), methods=["GET"])
