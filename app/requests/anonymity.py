"""Anonymous reports: who sees the reporter's name on a request the reporter (or staff) made anonymous.

Staff of the organization see who reported, and the reporter sees themselves; everyone else
(the public, other residents, Open311, emails to followers) sees `ANONYMOUS` wherever the
reporter acted: the submission, their comments, their closing or reopening.
"""

from __future__ import annotations

from app.requests.policy import Audience

ANONYMOUS_NAME = "Anonymous resident"


class _AnonymousPerson:
    """Stands in for the reporter where their name must not show (no id: nothing to look up)."""

    id = None
    name = ANONYMOUS_NAME


ANONYMOUS = _AnonymousPerson()


class MaskedComment:
    """A comment whose author is shown as `ANONYMOUS`; every other attribute is the comment's."""

    def __init__(self, comment):
        self._comment = comment

    def __getattr__(self, name):
        return getattr(self._comment, name)

    @property
    def author(self):
        return ANONYMOUS


def hides_reporter(request, audience: Audience) -> bool:
    return bool(request.anonymous) and audience is Audience.PUBLIC


def shown_person(person, request, audience: Audience):
    """`person` as `audience` may see them on `request`."""
    if person is not None and hides_reporter(request, audience) and person.id == request.reporter_id:
        return ANONYMOUS
    return person


def shown_comment(comment, request, audience: Audience):
    if comment is not None and hides_reporter(request, audience) and comment.author_id == request.reporter_id:
        return MaskedComment(comment)
    return comment
