"""Where inbound routing meets the other areas: the delivery a reply token names (app.notify)
and posting a comment as its author (app.requests), with the same rules and events as the web.

The routing rules themselves (who the sender is, forwarded notifications, internal vs public,
closed requests, the organization's "email update replies" setting) live in router.py.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emails.attachments import KeptFile, RefusedFile


class CommentRefused(Exception):
    """The requests service would not accept the comment; the reason goes to triage."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class DeliveryRef:
    """What routing needs to know about the delivery a reply token names."""

    delivery_id: int
    organization_id: int
    request_id: int | None
    recipient_user_id: int | None
    recipient_email: str
    internal: bool


@dataclass(frozen=True)
class EmailComment:
    """A comment to post on a request on behalf of the author, from an email."""

    request_id: int
    author_id: int
    body: str
    visibility: str  # "public" or "internal"
    inbound_email_id: int
    files: list[KeptFile] = field(default_factory=list)
    refused: list[RefusedFile] = field(default_factory=list)  # to note on the comment: what was not kept


def delivery_for(delivery_id: int) -> DeliveryRef | None:
    """The delivery a reply token names (app.notify's email_deliveries), or None when there is none."""
    from app.extensions import db
    from app.notify.models import EmailDelivery

    delivery = db.session.get(EmailDelivery, delivery_id)
    if delivery is None or delivery.organization_id is None:
        return None
    return DeliveryRef(delivery.id, delivery.organization_id, delivery.request_id, delivery.user_id,
                       delivery.email, delivery.internal)


def _with_refusals(body: str, refused: list[RefusedFile]) -> str:
    if not refused:
        return body
    lines = [f"- {r.filename}: {r.reason}" for r in refused]
    return body.rstrip() + "\n\n[Attachments not kept]\n" + "\n".join(lines)


def post_email_comment(comment: EmailComment) -> int:
    """Post the comment as its author would on the web (same rules, same events); return its id.

    Called inside the caller's unit of work; the comment's events go to the fan-out after its commit.
    """
    from app.accounts.models import User
    from app.errors import ApiError
    from app.extensions import db
    from app.requests import service as requests_service
    from app.requests.models import CommentSource

    author = db.session.get(User, comment.author_id)
    try:
        # Part of the caller's transaction (the stored email's status commits with it), inside a
        # savepoint so a refusal undoes only the comment.
        with db.session.begin_nested():
            posted = requests_service.add_comment(
                comment.request_id, author, _with_refusals(comment.body, comment.refused),
                visibility=comment.visibility, source=CommentSource.EMAIL,
                files=[(f.data, f.filename, f.content_type) for f in comment.files],
            )
    except ApiError as refusal:
        raise CommentRefused(refusal.message) from refusal
    return posted.id
