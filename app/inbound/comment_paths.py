"""THE SEAM between inbound routing and the two areas merged after it (notify, requests).

COORDINATOR: this module is the only place to change when `app.notify` (EmailDelivery) and
`app.requests.service` (add a comment) are merged. Until then both functions raise
`RoutingUnavailable`, and the router sends the mail to triage with the reason
"reply routing not yet available" (OUTCOMES["reply_routing_unavailable"]). Everything
else about the two comment paths is already decided and tested in `app/inbound/router.py`
(`reply_situation`, `request_address_situation`): who the sender is (address or confirmed
alias), forwarded notifications, internal vs public, closed requests, the organization's
"email update replies" setting. To finish:

1. `delivery_for`: select the EmailDelivery by id and return a `DeliveryRef` from its
   organization_id, request_id, user_id, email, internal; None when there is no such row.
2. `post_email_comment`: call the requests service's add-comment function with
   source "email" (same validation and notifications as the web), attach `comment.files`
   (already screened; store each with app.uploads.store_upload), note `comment.refused`
   on the comment (RefusedFile.as_note()), and return the comment id.
   Turn the service's refusals (not allowed to comment, request closed) into
   `CommentRefused(reason)`.
3. Delete `RoutingUnavailable`, OUTCOMES["reply_routing_unavailable"], and flip the
   corpus rows marked `after_routing` in tests/inbound/corpus/expected.toml.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from emails.attachments import KeptFile, RefusedFile


class RoutingUnavailable(Exception):
    """The comment paths are not wired yet (notify and requests are merged later)."""


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
    """SEAM (notify): the delivery a reply token names, or None when there is none."""
    raise RoutingUnavailable("email deliveries are not available in this build yet")


def post_email_comment(comment: EmailComment) -> int:
    """SEAM (requests): post the comment as its author would on the web; return its id."""
    raise RoutingUnavailable("the requests service is not available in this build yet")
