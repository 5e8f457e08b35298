"""One-click unsubscribe: `POST /api/v1/unsubscribe/{token}` (RFC 8058, no login) and its page.

Mail clients POST `List-Unsubscribe=One-Click` to the URL in List-Unsubscribe; any body is
accepted. A GET on that URL (a client opening it in a browser) only redirects to the
confirmation page `GET /unsubscribe/{token}`, which changes nothing until its button POSTs.
"""

from __future__ import annotations

import re

from flask import Blueprint as FlaskBlueprint
from flask import redirect, render_template_string, request, url_for
from flask_babel import gettext as _
from flask_smorest import Blueprint

from app.errors import NotFound
from app.notify import unsubscribe as service
from app.notify.schemas import UnsubscribedSchema

URL_PREFIX = "/unsubscribe"
TOKEN_SHAPE = re.compile(r"[A-Za-z0-9.]{1,200}")  # lowercase base32, a dot, base32 (emails/tokens.py)
blp = Blueprint("unsubscribe", __name__, description="One-click unsubscribe (RFC 8058)")
page_bp = FlaskBlueprint("unsubscribe_page", __name__)


@blp.post("/<token>")
@blp.response(200, UnsubscribedSchema)
def one_click(token: str):
    """Stop the emails this token's message belonged to; no login, the token is the proof."""
    done = service.unsubscribe(token)
    if done is None:
        raise NotFound(_("This unsubscribe link is not valid."), {"token": token})
    return {"unsubscribed": True, "email": done.email, "what": done.description}


@blp.get("/<token>")
@blp.response(302)
@blp.alt_response(404, "NOT_FOUND")
def open_in_browser(token: str):
    """A browser opening the List-Unsubscribe URL lands on the confirmation page (nothing changes)."""
    # Only a token's own alphabet goes into the Location header: a line break there was a 500.
    if not TOKEN_SHAPE.fullmatch(token):
        raise NotFound(_("This unsubscribe link is not valid."), {"token": token[:100]})
    return redirect(url_for("unsubscribe_page.unsubscribe_page", token=token), code=302)


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Unsubscribe</title></head>
<body style="font-family: sans-serif; max-width: 36em; margin: 3em auto;">
{% if not found %}<p>This unsubscribe link is not valid.</p>
{% elif done %}<p>Done: we will no longer send {{ what }}.</p>
<p>You can change your mind in your notification preferences.</p>
{% else %}<p>Stop receiving {{ what }}?</p>
<form method="post"><button type="submit">Unsubscribe</button></form>
{% endif %}
</body></html>"""


@page_bp.route("/unsubscribe/<token>", methods=["GET", "POST"])
def unsubscribe_page(token: str):
    """GET asks (and changes nothing); the page's button POSTs, which unsubscribes."""
    done = request.method == "POST"
    result = service.unsubscribe(token) if done else service.describe(token)
    return render_template_string(PAGE, found=result is not None, done=done,
                                  what=result.description if result else ""), 200 if result else 404
