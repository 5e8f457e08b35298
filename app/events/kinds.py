"""The catalogue of event kinds: one entry per kind says all that every area needs to know of it.

Each `Kind` holds: its label; its payload (key -> type, checked by `record_event` when the
event is recorded: a missing, extra or mistyped key is a bug and raises); whether it notifies
(`notifies=Notifying(...)`: it then has rows in app/notify/matrix.py and an email template
emails/templates/<kind>.{subject,txt,html}) or is audit-only (`notifies=None`: the fan-out
passes it without a word); its timeline phrase; and who sees it on a request's timeline.

Request events carry request_id, organization_id and actor_id on the Event row itself; the
payload adds what the row does not say. Payload values are JSON: instants are ISO 8601 strings.

Adding a kind is one entry here, e.g.

    "request.merged": Kind(_l("A request is merged into another"), {"into_id": int},
                           phrase="merged the request into #{into_id}", timeline=PUBLIC),

and, only if it notifies (`notifies=Notifying()`), its rows in app/notify/matrix.py MATRIX
and its three template files. `check_catalogue()` (below, at import) and
`app.notify.matrix.check_matrix()` (at import) refuse an entry that lacks any of them, and
tests/events/test_catalogue.py records every kind and checks what each area makes of it.

Payload types: `int`, `str`, `bool`, `list`, `dict`, a tuple of them, `OPTIONAL` (None
allowed) in a tuple; a key ending in "?" may be left out.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from flask_babel import lazy_gettext as _l

OPTIONAL = type(None)

# Who sees an event on a request's timeline.
PUBLIC = "public"  # everyone who may see the request (public, reporter, staff)
STAFF = "staff"  # the organization's staff only
COMMENT = "comment"  # shown from the comment itself, with the comment's own visibility
TIMELINES = (PUBLIC, STAFF, COMMENT, None)  # None: not about a request, never on a timeline


@dataclass(frozen=True)
class Notifying:
    """How a notifying kind is treated by the notify engine (its rows are in the matrix)."""

    summary: str | None = None  # its in-app line ({request}: public id, {organization}: name)
    internal: bool = False  # carries internal content: organization staff only, never an outside address
    switchable: bool = True  # the organization may turn it off
    transactional: bool = False  # account mail: ignores preferences and the digest
    category_scoped: bool = True  # per-category overrides apply
    # An automation's email: its one audience (email only) is named by the event's payload,
    # chosen by an admin from the audiences of the matrix (app/automations/rules.py).
    audience_from_payload: bool = False


@dataclass(frozen=True)
class Kind:
    label: str
    payload: dict[str, object] = field(default_factory=dict)
    notifies: Notifying | None = None  # None: audit-only, nobody is notified
    phrase: str | None = None  # what the actor did, with {payload keys} (timeline kinds)
    timeline: str | None = None  # PUBLIC, STAFF, COMMENT or None
    system: bool = False  # done by the system: the phrase names no actor

    @property
    def template(self) -> str | None:
        """The email template's name (emails/templates/<template>.*), for notifying kinds."""
        return None if self.notifies is None else self.kind_name

    kind_name: str = ""  # filled in from the catalogue's key


ACCOUNT = Notifying(switchable=False, transactional=True, category_scoped=False)  # email only: no summary
WHEN = (str, OPTIONAL)  # an ISO 8601 instant, or None

_KINDS: dict[str, Kind] = {
    # Requests (organization side of the SeeClickFix matrix, and resident side)
    "request.submitted": Kind(_l("A request is submitted"), notifies=Notifying(_l("New request {request}")), phrase=_l("reported the problem"),
                              timeline=PUBLIC),
    "request.assigned": Kind(_l("A request is assigned"), {"assignee_id": (int, OPTIONAL),
                                                       "previous_assignee_id": (int, OPTIONAL)},
                             notifies=Notifying(_l("Request {request} was assigned")), phrase=_l("assigned the request to {assignee}"), timeline=PUBLIC),
    "request.recategorized": Kind(_l("A request is recategorized"), {"category_id": int,
                                                                 "previous_category_id": (int, OPTIONAL)},
                                  notifies=Notifying(_l("Request {request} changed category")), phrase=_l("moved the request from {previous_category} to {category}"),
                                  timeline=PUBLIC),
    "request.acknowledged": Kind(_l("A request is acknowledged"), notifies=Notifying(_l("Request {request} was acknowledged")),
                                 phrase=_l("acknowledged the request"), timeline=PUBLIC),
    "request.closed": Kind(_l("A request is closed"), {"by_reporter": bool, "comment_id?": (int, OPTIONAL)},
                           notifies=Notifying(_l("Request {request} was closed")), phrase=_l("closed the request"), timeline=PUBLIC),
    # The comment is the optional public reason given with the close or the reopen.
    "request.reopened": Kind(_l("A request is reopened"), {"by_reporter": bool, "comment_id?": (int, OPTIONAL)},
                             notifies=Notifying(_l("Request {request} was reopened")), phrase=_l("reopened the request"), timeline=PUBLIC),
    "request.comment_public": Kind(_l("A public comment is added"), {"comment_id": int}, notifies=Notifying(_l("New comment on request {request}"), switchable=False),
                                   timeline=COMMENT),
    "request.comment_internal": Kind(_l("An internal comment is added"), {"comment_id": int, "mentioned_user_ids": list},
                                     notifies=Notifying(_l("Internal note on request {request}"), internal=True, switchable=False),
                                     timeline=COMMENT),  # both: the critical automation (app/notify/matrix.py: CRITICAL_ROWS)
    "request.due_date_changed": Kind(_l("A request's due date changes"), {"due_at": WHEN, "previous_due_at": WHEN},
                                     notifies=Notifying(_l("Due date of request {request} changed")), phrase=_l("set the due date to {due_at}"), timeline=STAFF),
    "request.followed": Kind(_l("Someone follows a request"), {"user_id": int}, notifies=Notifying(_l("You follow request {request}")),
                             phrase=_l("started following"), timeline=STAFF),
    "request.supported": Kind(_l("Someone supports a request (me too)"), {"user_id": int},
                              phrase=_l("supports this request (me too)"), timeline=STAFF),
    "request.merged": Kind(_l("A request is merged into another (a duplicate)"), {
        "into_id": int, "into_public_id": str, "moved_followers": int},
        notifies=Notifying(_l("Request {request} was merged into another")),
        phrase=_l("merged this request into {into_public_id}"), timeline=PUBLIC),
    # Staff hid (or showed again) the reporter's name; on the staff timeline only.
    "request.anonymity_changed": Kind(_l("The reporter's name is hidden or shown"), {"anonymous": bool},
                                      phrase=_l("changed whether the reporter's name is shown"), timeline=STAFF),
    "request.attachment_added": Kind(_l("A photo is added"), {"attachment_id": int}, phrase=_l("added a photo"),
                                     timeline=PUBLIC),
    # Archiving is housekeeping: not in the reference's matrix, no default row (an organization may add one).
    "request.archived": Kind(_l("A request is archived"), notifies=Notifying(_l("Request {request} was archived")),
                             phrase=_l("archived the request"), timeline=PUBLIC),
    # Work (SLAs and work orders)
    "request.sla_breached": Kind(_l("A request is over its category's SLA"), {"sla_due_at": str, "breach_id": int},
                                 notifies=Notifying(_l("Request {request} is over its SLA")), phrase=_l("The SLA deadline passed"), timeline=STAFF,
                                 system=True),
    "work_order.assigned": Kind(_l("A work order is assigned"), {"work_order_id": int, "assignee_id": (int, OPTIONAL)},
                                notifies=Notifying(_l("A work order was assigned to you"), internal=True),
                                phrase=_l("assigned work order #{work_order_id} to {assignee}"),
                                timeline=STAFF),
    "work_order.due_changed": Kind(_l("A work order's due date changes"), {"work_order_id": int, "due_at": WHEN,
                                                                       "previous_due_at": WHEN},
                                   notifies=Notifying(_l("A work order's due date changed"), internal=True),
                                   phrase=_l("changed the due time of work order #{work_order_id}"),
                                   timeline=STAFF),
    "work_order.overdue": Kind(_l("A work order is overdue"), {"work_order_id": int, "due_at": str},
                               notifies=Notifying(_l("A work order is overdue"), internal=True),
                               phrase=_l("Work order #{work_order_id} is overdue"), timeline=STAFF, system=True),
    "work_order.created": Kind(_l("A work order is created"), {"work_order_id": int},
                               phrase=_l("created work order #{work_order_id}"), timeline=STAFF),
    "work_order.status_changed": Kind(_l("A work order's status changes"), {"work_order_id": int, "status": str,
                                                                        "previous_status": str},
                                      phrase=_l("moved work order #{work_order_id} to {status}"), timeline=STAFF),
    "work_order.updated": Kind(_l("A work order is edited"), {"work_order_id": int, "fields": list},
                               phrase=_l("edited work order #{work_order_id}"), timeline=STAFF),
    # Watch areas
    "watch_area.created": Kind(_l("A watch area is created"), {"watch_area_id": int},
                               notifies=Notifying(category_scoped=False)),
    "watch_area.followed": Kind(_l("A watch area is followed"), {"watch_area_id": int, "user_id": int},
                                notifies=Notifying(category_scoped=False)),
    "watch_area.unfollowed": Kind(_l("A watch area is unfollowed"), {"watch_area_id": int, "user_id": int}),
    "watch_area.updated": Kind(_l("A watch area is changed"), {"watch_area_id": int, "changed": list}),
    "watch_area.deleted": Kind(_l("A watch area is deleted"), {"watch_area_id": int}),
    # Accounts (organization_id set for invitations). Links are signed when the mail is rendered;
    # `request_key` makes a redelivered "send me a link" message record nothing twice.
    "account.confirm_email": Kind(_l("Confirm your email"), {"user_id": int, "email": str, "request_key?": str},
                                  notifies=ACCOUNT),
    "account.password_reset": Kind(_l("Password reset"), {"user_id": int, "request_key?": str}, notifies=ACCOUNT),
    # Someone registered with an address that has an account: its owner is told instead (issue 14).
    "account.registration_attempted": Kind(_l("Registration with your address"), {"user_id": int}, notifies=ACCOUNT),
    "account.invited_new": Kind(_l("Invitation (new account)"), {"user_id": int},
                                notifies=Notifying(transactional=True, category_scoped=False)),
    "account.invited_existing": Kind(_l("Invitation (existing account)"), {"user_id": int}, notifies=Notifying(
        _l("You were added to {organization}"), transactional=True, category_scoped=False)),
    # Issue 14: an invitation to join an organization, mailed to the address as typed (an account
    # may or may not hold it); a membership exists only once its owner accepts.
    "organization.invitation": Kind(_l("Invitation to join an organization"), {"invitation_id": int, "email": str},
                                    notifies=Notifying(switchable=False, transactional=True,
                                                       category_scoped=False)),
    "organization.invitation_declined": Kind(_l("An invitation is declined"), {"invitation_id": int}),
    "organization.invitation_revoked": Kind(_l("An invitation is withdrawn"), {"invitation_id": int}),
    # A logged-in resident asked for an emailed link that confirms deleting their account.
    "account.deletion_requested": Kind(_l("Confirm account deletion"), {"user_id": int}, notifies=ACCOUNT),
    # Accounts and organizations, audit only: the record of who changed what.
    "account.email_confirmed": Kind(_l("An address is confirmed"), {"user_id": int, "email": str, "primary": bool}),
    "account.password_changed": Kind(_l("A password is changed"), {"user_id": int, "purpose": str}),
    "account.profile_updated": Kind(_l("A profile is changed"), {"user_id": int, "fields": list}),
    "account.alias_removed": Kind(_l("An address is removed"), {"user_id": int, "email": str}),
    "membership.role_changed": Kind(_l("A member's role changes"),  # previous_role None: a new member (SSO)
                                     {"user_id": int, "role": str, "previous_role": (str, OPTIONAL)}),
    "membership.removed": Kind(_l("A member is removed"), {"user_id": int, "previous_role": str}),
    "role.saved": Kind(_l("A role is saved"), {"role_id": int, "name": str, "permissions": list, "created": bool}),
    # Automations (app/automations/): an email template sent to one audience of the matrix.
    "automation.email": Kind(_l("An automation's email"), {"automation_id": int, "template": str, "audience": str},
                             notifies=Notifying(_l("An email about request {request}"), category_scoped=False,
                                                audience_from_payload=True),
                             phrase=_l("An automation sent the email {template} to the {audience}"), timeline=STAFF,
                             system=True),
    # Inbound email triage
    "inbound.message_received": Kind(_l("New Inbound Message Notice"), {"inbound_message_id": int},
                                     notifies=Notifying(_l("New inbound message for {organization}"),
                                                        category_scoped=False)),
    # A copy of a triaged message for the organization's settings["triage_catch_all"] address.
    "inbound.catch_all_copy": Kind(_l("Copy of an inbound message"), {"inbound_message_id": int, "email": str},
                                   notifies=Notifying(category_scoped=False)),
    # Staff actions on the triage queue (their audit trail; actor_id on the row).
    "inbound.message_status_changed": Kind(_l("An inbound message's status changes"), {
        "inbound_message_id": int, "status": str, "previous_status": str}),
    "inbound.message_linked": Kind(_l("An inbound message is attached to a request"), {"inbound_message_id": int,
                                                                                   "request_id": int}),
    "inbound.message_deleted": Kind(_l("An inbound message is deleted"), {"inbound_message_id": int, "reason": str}),
}

KINDS: dict[str, Kind] = {name: replace(kind, kind_name=name) for name, kind in _KINDS.items()}

# The old name: kind -> its description. Kept for readers of the catalogue that only list kinds.
EVENT_KINDS: dict[str, str] = {name: kind.label for name, kind in KINDS.items()}


class PayloadInvalid(ValueError):
    """An event recorded with a payload its catalogue entry does not describe (a programming error)."""


def _type_ok(value, spec) -> bool:
    allowed = spec if isinstance(spec, tuple) else (spec,)
    if isinstance(value, bool):  # bool is an int to Python, not to a payload
        return bool in allowed
    return isinstance(value, tuple(allowed))


def check_payload(kind: str, payload: dict) -> None:
    """Refuse a payload whose keys or types differ from the catalogue's entry for `kind`."""
    entry = KINDS.get(kind)
    if entry is None:
        raise PayloadInvalid(f"unknown event kind {kind!r}: add it to app/events/kinds.py")
    known = {key.rstrip("?") for key in entry.payload}
    extra = set(payload) - known
    if extra:
        raise PayloadInvalid(f"{kind} payload has keys its catalogue entry does not name: {sorted(extra)}")
    for key, spec in entry.payload.items():
        name = key.rstrip("?")
        if name not in payload:
            if not key.endswith("?"):
                raise PayloadInvalid(f"{kind} payload lacks {name!r}")
            continue
        if not _type_ok(payload[name], spec):
            raise PayloadInvalid(f"{kind} payload {name!r} is {type(payload[name]).__name__}, not {spec}")


def notifying_kinds() -> list[str]:
    return [name for name, kind in KINDS.items() if kind.notifies is not None]


def timeline_kinds(visibility: str) -> frozenset[str]:
    """The kinds shown on a request's timeline with this visibility (PUBLIC, STAFF or COMMENT)."""
    return frozenset(name for name, kind in KINDS.items() if kind.timeline == visibility)


def check_catalogue() -> None:
    """Refuse a catalogue entry that is incomplete by construction (run at import and in tests)."""
    types = (int, str, bool, list, dict, OPTIONAL)
    for name, kind in KINDS.items():
        if kind.timeline not in TIMELINES:
            raise ValueError(f"{name}: timeline must be one of {TIMELINES}")
        if kind.timeline in (PUBLIC, STAFF) and not kind.phrase:
            raise ValueError(f"{name} is on the timeline but has no phrase")
        if kind.phrase and kind.timeline in (None, COMMENT):
            raise ValueError(f"{name} has a phrase but is never phrased on a timeline")
        for key, spec in kind.payload.items():
            if not all(t in types for t in (spec if isinstance(spec, tuple) else (spec,))):
                raise ValueError(f"{name}: payload {key!r} has an unknown type {spec}")


check_catalogue()
