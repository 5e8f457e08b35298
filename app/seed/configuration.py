"""Demo settings an administrator would make: a category's own notification rules and email
template, an Open311 API key, and watch areas that others follow.

Each is set through the same domain function the settings pages call (so it is validated the
same way), and only when nothing is set yet: an administrator's later changes survive a reseed.
"""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.notify.models import CategoryNotificationRule, EmailTemplate
from app.notify.settings import replace_category_overrides
from app.notify.templates import save_template
from app.open311.keys import key_digest
from app.open311.models import ApiKey
from app.watch.models import WatchArea, WatchAreaFollower

# Known, so the README's tour can post an Open311 report with it; the demo never runs in production.
DEMO_API_KEY = "o311_demo-springfield-kiosk"

# Potholes: followers hear of an acknowledgement in the app only (no email), and admins get the SLA
# email too. (Comments cannot lose their email: that is the critical automation, app/notify/matrix.py.)
POTHOLE_OVERRIDES = [
    {"event": "request.acknowledged", "audience": "followers", "channels": ["inapp"]},
    {"event": "request.sla_breached", "audience": "org_admins", "channels": ["email", "inapp"]},
]
ACKNOWLEDGED_TEMPLATE = {
    "subject": "[{{ organization.name }}] We are on it: request {{ request.public_id }}",
    "text": ("Good news: {{ organization.name }} has seen your request {{ request.public_id }} and a crew "
             "is on the way{% if actor %} ({{ actor.name }}){% endif %}.\n\n{% include \"_request.txt\" %}"),
}


def seed_configuration(org, categories: dict, admin) -> None:
    """Give `org` a pothole category with its own notification rules and an acknowledged template."""
    pothole = categories["pothole"]
    has_rules = db.session.scalar(select(CategoryNotificationRule.category_id).where(
        CategoryNotificationRule.category_id == pothole.id).limit(1))
    if has_rules is None:
        replace_category_overrides(org, pothole.id, POTHOLE_OVERRIDES)
    if db.session.get(EmailTemplate, (org.id, "request.acknowledged", "en")) is None:
        save_template(org, "request.acknowledged", admin, ACKNOWLEDGED_TEMPLATE)
    if db.session.scalar(select(ApiKey.id).where(ApiKey.key_hash == key_digest(DEMO_API_KEY))) is None:
        db.session.add(ApiKey(organization_id=org.id, name="Demo kiosk", key_hash=key_digest(DEMO_API_KEY),
                              created_by_id=admin.id))


def seed_followers(residents) -> None:
    """Residents 4 and 5 follow every public watch area they do not own."""
    public = db.session.scalars(select(WatchArea).where(WatchArea.public.is_(True))).all()
    for area in public:
        for resident in residents[3:]:
            if resident.id != area.owner_id and db.session.get(WatchAreaFollower, (area.id, resident.id)) is None:
                db.session.add(WatchAreaFollower(watch_area_id=area.id, user_id=resident.id))
