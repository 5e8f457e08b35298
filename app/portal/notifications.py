"""The notification inbox (with the unread badge every page shows) and notification preferences.

The inbox, the count and "seen" are app.notify.inbox's; the choices are app.notify.preferences'.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.api.auth import require_user
from app.extensions import db
from app.notify import inbox, preferences
from app.notify.channels import recipient_channels
from app.notify.models import EmailFrequency
from app.portal.access import login_required
from app.portal.forms import ActionForm
from app.portal.refusals import attempt
from app.portal.web import portal_blueprint

bp = portal_blueprint("inbox", __name__)

PER_PAGE = 30
FREQUENCY_LABELS = {"immediately": _l("As things happen"), "daily": _l("One daily digest"), "never": _l("Never")}
CHANNEL_LABELS = {"inapp": _l("In the app"), "email": _l("By email")}


@bp.get("/notifications")
@login_required
def inbox_page():
    user = require_user()
    page = max(request.args.get("page", 1, type=int), 1)
    statement = inbox.notification_list(user.id).limit(PER_PAGE).offset((page - 1) * PER_PAGE)
    items = [inbox.present(row) for row in db.session.execute(statement)]
    return render_template("notifications/inbox.html", items=items, page=page, per_page=PER_PAGE,
                           action_form=ActionForm())


@bp.post("/notifications/<int:notification_id>/open")
@login_required
def open_notification(notification_id: int):
    """Mark it seen, then go to what it is about."""
    seen = inbox.mark_seen(require_user().id, notification_id)
    if seen["request_public_id"]:
        return redirect(url_for("resident.request_page", public_id=seen["request_public_id"]))
    return redirect(url_for("inbox.inbox_page"))


@bp.post("/notifications/seen-all")
@login_required
def mark_all_seen():
    marked = inbox.mark_all_seen(require_user().id)
    flash(ngettext("%(num)s notification marked as seen.", "%(num)s notifications marked as seen.", marked))
    return redirect(url_for("inbox.inbox_page"))


@bp.route("/account/preferences", methods=["GET", "POST"])
@login_required
def preferences_page():
    user = require_user()
    form = ActionForm()
    if form.validate_on_submit():
        current = preferences.get_preferences(user.id)
        groups = {group["group"]: {channel: f"{group['group']}:{channel}" in request.form.getlist("on")
                                   for channel in recipient_channels()}
                  for group in current["groups"] if group["editable"]}
        frequency = request.form.get("email_frequency")
        if attempt(lambda: preferences.update_preferences(
                user.id, frequency if frequency in FREQUENCY_LABELS else None, groups,
                in_app_alert=request.form.get("in_app_alert") == "on")):
            flash(_("Your notification preferences are saved."))
        return redirect(url_for("inbox.preferences_page"))
    return render_template("account/preferences.html", prefs=preferences.get_preferences(user.id),
                           channels=list(recipient_channels()), channel_labels=CHANNEL_LABELS,
                           frequencies=[(f.value, FREQUENCY_LABELS[f.value]) for f in EmailFrequency], form=form)
