"""The notification matrix as data: event kind x audience x channels, with the defaults.

Sources (the product's reference documents, by number): 004 is SeeClickFix's "definitive list of all email
notifications sent to Organization and Resident users"; its recipient column was lost, so
each row below is our decision of what a city expects, citing the reference row it answers.
002 is Trackops' New Inbound Message Notice; 003 is OneDesk (no email for your own messages,
no internal messages to customers, the password reset email cannot be disabled).

Who a row reaches is then narrowed, in this order, by: the organization's switch for the
kind (app/notify/settings.py; `switchable=False` kinds ignore it), the category's overrides
(only for `category_scoped` kinds), each user's preferences for the row's group and channel
(not for `transactional` kinds), and the invariants in app/notify/fanout.py (never the actor
unless the row is a `receipt`, internal content to organization staff only, inactive and
suppressed recipients nothing, one notification per event, recipient and channel).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.events.kinds import KINDS

INAPP, EMAIL = "inapp", "email"
BOTH = (INAPP, EMAIL)


@dataclass(frozen=True)
class EventType:
    """A notifying kind as the engine sees it (from its entry in app/events/kinds.py)."""

    label: str
    internal: bool = False  # carries internal content: organization staff only, never an outside address
    switchable: bool = True  # the organization may turn it off
    transactional: bool = False  # account mail: ignores preferences and the digest
    category_scoped: bool = True  # per-category overrides apply
    summary: str | None = None  # the in-app line
    # An automation's email: its one audience (email only) is named by the event's payload.
    audience_from_payload: bool = False


# Every notifying kind of the catalogue; audit-only kinds are not here and notify nobody.
EVENT_TYPES: dict[str, EventType] = {
    name: EventType(kind.label, kind.notifies.internal, kind.notifies.switchable, kind.notifies.transactional,
                    kind.notifies.category_scoped, kind.notifies.summary, kind.notifies.audience_from_payload)
    for name, kind in KINDS.items() if kind.notifies is not None
}


@dataclass(frozen=True)
class Rule:
    kind: str
    audience: str
    channels: tuple[str, ...]
    receipt: bool = False  # confirms the actor's own action to them (the one exception to "never the actor")
    group: str | None = None  # preference group when not the audience's own


MATRIX: tuple[Rule, ...] = (
    # --- 004 Organization table ---------------------------------------------------------
    Rule("request.submitted", "category_auto_assignee", BOTH),  # 004 "User submits a Request"
    Rule("request.submitted", "assignee", BOTH),  # 004 "User submits a Request" (assigned on intake)
    Rule("request.submitted", "category_routing", (EMAIL,)),  # 004 "User submits a Request"
    Rule("request.assigned", "assignee", BOTH),  # 004 "Request assigned to User"
    Rule("request.recategorized", "category_auto_assignee", BOTH),  # 004 "Request is recategorized" (new category)
    Rule("request.recategorized", "category_routing", (EMAIL,)),  # 004 "Request is recategorized"
    Rule("request.recategorized", "assignee", BOTH),  # 004 "Request is recategorized"
    Rule("request.acknowledged", "assignee", (INAPP,)),  # 004 "Request is acknowledged" (in-app: often their own team)
    Rule("request.closed", "assignee", BOTH),  # 004 "Request is closed by resident or official"
    Rule("request.reopened", "assignee", BOTH),  # 004 "Requested is reopened by resident or official"
    Rule("request.comment_internal", "assignee", BOTH),  # 004 "Internal comment is added"
    Rule("request.comment_internal", "followers", BOTH),  # 004 "Internal comment is added" (staff followers)
    Rule("request.comment_internal", "mentioned", BOTH),  # 004 "Internal comment is added with an @ mention"
    Rule("request.comment_public", "assignee", BOTH),  # 004 "Public comment is added"
    Rule("request.due_date_changed", "assignee", BOTH),  # 004 "Due Date is changed"
    # --- 004 Work table -----------------------------------------------------------------
    Rule("request.sla_breached", "escalate_to", (EMAIL,)),  # 004 "Request is over the SLA for Request Category"
    Rule("request.sla_breached", "assignee", BOTH),  # 004 "Request is over the SLA for Request Category"
    Rule("request.sla_breached", "org_admins", (INAPP,)),  # 004 same row: visible, without flooding mailboxes
    Rule("work_order.assigned", "work_order_assignee", BOTH),  # 004 "Work Order is assigned"
    Rule("work_order.due_changed", "work_order_assignee", BOTH),  # 004 "'Due At' is changed"
    Rule("work_order.overdue", "work_order_assignee", BOTH),  # 004 Work table, by analogy with the SLA row
    Rule("work_order.overdue", "org_admins", (INAPP,)),  # 004 Work table, by analogy with the SLA row
    # --- 004 Account emails -------------------------------------------------------------
    Rule("account.invited_new", "payload_user", (EMAIL,), receipt=True),  # 004 "A SeeClickFix account has been created on your behalf"
    Rule("account.invited_existing", "payload_user", BOTH, receipt=True),  # 004 "You've been added to the [city] organization"
    Rule("account.confirm_email", "payload_user", (EMAIL,), receipt=True),  # 004 "Confirm your Email"
    Rule("account.password_reset", "payload_user", (EMAIL,), receipt=True),  # 004 "Forgot password"
    # Issue 14: registering with a taken address answers as a fresh registration; the owner is told.
    Rule("account.registration_attempted", "payload_user", (EMAIL,), receipt=True),
    # Issue 14: joining an organization needs consent; the invitation goes to the address typed.
    Rule("organization.invitation", "payload_address", (EMAIL,)),
    # Issue 19: self-service deletion confirmed by a fresh emailed link (by analogy with "Forgot password").
    Rule("account.deletion_requested", "payload_user", (EMAIL,), receipt=True),
    # --- 004 Resident table -------------------------------------------------------------
    Rule("request.submitted", "reporter", (EMAIL,), receipt=True),  # 004 "User submits an issue" (receipt + reply address)
    Rule("request.followed", "payload_user", (EMAIL,), receipt=True, group="following"),  # 004 "User follows an issue"
    Rule("request.acknowledged", "reporter", BOTH),  # 004 "Issue is acknowledged by an official"
    Rule("request.acknowledged", "followers", BOTH),  # 004 "Issue is acknowledged by an official"
    Rule("request.comment_public", "reporter", BOTH),  # 004 "Comment is made on an issue"
    Rule("request.comment_public", "followers", BOTH),  # 004 "Comment is made on an issue"
    Rule("request.closed", "reporter", BOTH),  # 004 "Issue is closed by resident or official"
    Rule("request.closed", "followers", BOTH),  # 004 "Issue is closed by resident or official"
    Rule("request.reopened", "reporter", BOTH),  # 004 "Issue is reopened by resident or official"
    Rule("request.reopened", "followers", BOTH),  # 004 "Issue is reopened by resident or official"
    Rule("request.merged", "reporter", BOTH),  # FixMyStreet #2669: the duplicate's reporter is told where it went
    # --- 004 Watch Area table -----------------------------------------------------------
    Rule("watch_area.created", "watch_area_owner", (EMAIL,), receipt=True),  # 004 "Watch Area is created"
    Rule("watch_area.followed", "payload_user", (EMAIL,), receipt=True, group="watch_areas"),  # 004 "Watch Area is followed"
    Rule("request.submitted", "watch_area", BOTH),  # 004 "Comment or status change ... within the Watch Area" (a new issue)
    Rule("request.acknowledged", "watch_area", BOTH),  # 004 "Comment or status change ... within the Watch Area"
    Rule("request.closed", "watch_area", BOTH),  # 004 "Comment or status change ... within the Watch Area"
    Rule("request.reopened", "watch_area", BOTH),  # 004 "Comment or status change ... within the Watch Area"
    Rule("request.comment_public", "watch_area", BOTH),  # 004 "Comment or status change ... within the Watch Area"
    # --- 002 Trackops inbound messages --------------------------------------------------
    Rule("inbound.message_received", "org_general_address", (EMAIL,)),  # 002 "New Inbound Message Notice" (+ CC)
    Rule("inbound.message_received", "inbound_triagers", (INAPP,)),  # 002 "Inbound Message Watcher", in-app
    Rule("inbound.catch_all_copy", "payload_address", (EMAIL,)),  # 002: a copy to the triage catch-all address
    # request.archived: nobody (not in the reference; archiving is housekeeping).
)


def rules_for(kind: str) -> list[Rule]:
    """The default rows of the matrix for one event kind."""
    return [rule for rule in MATRIX if rule.kind == kind]


# The critical automation (OneDesk: "a new message ... all the followers of the item are notified",
# internal messages to users only), listed in app/automations/service.py: these rows cannot be
# turned off by an organization (its kinds are not switchable) nor narrowed by a category override.
CRITICAL_ROWS: tuple[tuple[str, str], ...] = (
    ("request.comment_public", "followers"),  # everyone following
    ("request.comment_internal", "followers"),  # staff following: internal kinds reach staff only
)


def critical_refusal(kind: str, audience: str, channels) -> str | None:
    """Why a category may not give these channels to a critical row (None when it may)."""
    if (kind, audience) not in CRITICAL_ROWS:
        return None
    default = next(rule.channels for rule in MATRIX if (rule.kind, rule.audience) == (kind, audience))
    dropped = sorted(set(default) - set(channels))
    if dropped:
        return (f"{kind} to the {audience} is the critical automation (a new message notifies the request's "
                f"followers): it cannot lose {', '.join(dropped)}")
    return None


def group_of(rule: Rule) -> str:
    from app.notify.audiences import AUDIENCES

    return rule.group or AUDIENCES[rule.audience].group


def audience_refusal(kind: str, audience_name: str) -> str | None:
    """Why `audience_name` may not be a row of `kind` (None when it may): defaults and overrides alike."""
    from app.notify.audiences import AUDIENCES

    audience = AUDIENCES.get(audience_name)
    if kind not in EVENT_TYPES:
        return f"unknown event kind {kind!r}"
    if audience is None:
        return f"unknown audience {audience_name!r}"
    # Followers are filtered to staff for internal kinds; every other audience must be staff by nature.
    if EVENT_TYPES[kind].internal and not (audience.staff_only or audience_name == "followers"):
        return f"{kind} carries internal content; {audience_name} may include residents or outside addresses"
    is_default = any(r.kind == kind and r.audience == audience_name for r in MATRIX)
    if not is_default and audience.scope not in ("request", "organization"):
        return f"{audience_name} is only meaningful for the events that name it"
    return None


def check_matrix() -> None:
    """Refuse a matrix that breaks an invariant by construction (run at import and in tests)."""
    from app.notify.channels import recipient_channels
    from emails.render import PARTS, default_source

    seen = set()
    for rule in MATRIX:
        refusal = audience_refusal(rule.kind, rule.audience)
        if refusal:
            raise ValueError(refusal)
        if not set(rule.channels) <= set(recipient_channels()):
            raise ValueError(f"unknown channel in {rule}")
        if (rule.kind, rule.audience) in seen:
            raise ValueError(f"duplicate row {rule.kind} x {rule.audience}")
        seen.add((rule.kind, rule.audience))
        if INAPP in rule.channels and not EVENT_TYPES[rule.kind].summary:
            raise ValueError(f"{rule.kind} notifies in the app but its catalogue entry has no summary")
    for kind, audience in CRITICAL_ROWS:
        if EVENT_TYPES[kind].switchable or not any((r.kind, r.audience) == (kind, audience) for r in MATRIX):
            raise ValueError(f"critical row {kind} x {audience} must be in the matrix and not switchable")
    # Any notifying kind may be emailed (an organization can add rows): each has its templates.
    for kind in EVENT_TYPES:
        missing = [part for part in PARTS if not default_source(kind, part).strip()]
        if missing:
            raise ValueError(f"{kind} notifies but emails/templates/ lacks its {', '.join(missing)} template")
