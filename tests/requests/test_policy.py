"""The workflow rules, cell by cell, against a table written out independently of policy.py."""

from __future__ import annotations

import pytest

from app.errors import Conflict, Forbidden, Unauthorized
from app.requests.models import RequestCategory, ServiceRequest
from app.requests.policy import Action, Audience, Viewer, allowed_actions, require

STAFF = frozenset({"view_requests", "edit_requests", "comment_internal"})
VIEWER_ROLE = frozenset({"view_requests"})

# What the reporter and another resident may do, by restriction and status. Written from the
# product description, not from policy.py's tables.
RESIDENT_EXPECTED = {
    # restriction:            (reporter on open, reporter on closed, other resident on open, on closed)
    "none": ({"close", "comment", "attach", "follow"}, {"reopen", "comment", "attach", "follow"},
             {"comment", "follow"}, {"comment", "follow"}),
    "disable_reopen": ({"close", "comment", "attach", "follow"}, {"comment", "attach", "follow"},
                       {"comment", "follow"}, {"comment", "follow"}),
    "disable_status_change": ({"comment", "attach", "follow"}, {"comment", "attach", "follow"},
                              {"comment", "follow"}, {"comment", "follow"}),
    "disable_closed_actions": ({"close", "comment", "attach", "follow"}, {"follow"},
                               {"comment", "follow"}, {"follow"}),
    "disable_all": ({"follow"}, {"follow"}, {"follow"}, {"follow"}),
}
STAFF_EXPECTED = {
    "open": {"acknowledge", "assign", "recategorize", "set_due_date", "close", "comment",
             "comment_internal", "attach", "follow", "support", "merge"},
    "acknowledged": {"assign", "recategorize", "set_due_date", "close", "comment", "comment_internal",
                     "attach", "follow", "support", "merge"},
    "closed": {"reopen", "assign", "recategorize", "set_due_date", "comment", "comment_internal",
               "attach", "follow"},
    "archived": set(),
}


class _User:
    def __init__(self, user_id: int):
        self.id = user_id


def _request(status: str, restriction: str = "none") -> ServiceRequest:
    return ServiceRequest(id=1, status=status, reporter_id=10, organization_id=1,
                          category=RequestCategory(public_restriction=restriction))


def _viewer(user_id: int | None, permissions=frozenset()) -> Viewer:
    return Viewer(_User(user_id) if user_id else None, frozenset(permissions), user_id == 10)


@pytest.mark.parametrize("restriction", sorted(RESIDENT_EXPECTED))
@pytest.mark.parametrize("status", ["open", "acknowledged", "closed"])
def test_residents_may_do_what_the_category_leaves_them(restriction, status):
    on_open_reporter, on_closed_reporter, on_open_other, on_closed_other = RESIDENT_EXPECTED[restriction]
    # "Me too" is for any resident while the problem is still there, whatever the restriction.
    on_open_reporter, on_open_other = on_open_reporter | {"support"}, on_open_other | {"support"}
    closed = status == "closed"
    request = _request(status, restriction)
    assert set(allowed_actions(_viewer(10), request)) == (on_closed_reporter if closed else on_open_reporter)
    assert set(allowed_actions(_viewer(20), request)) == (on_closed_other if closed else on_open_other)


@pytest.mark.parametrize("restriction", sorted(RESIDENT_EXPECTED))
@pytest.mark.parametrize("status", sorted(STAFF_EXPECTED))
def test_staff_are_not_bound_by_public_restrictions(restriction, status):
    assert set(allowed_actions(_viewer(30, STAFF), _request(status, restriction))) == STAFF_EXPECTED[status]


def test_the_reporter_who_is_also_staff_acts_as_staff():
    request = _request("closed", "disable_all")
    assert Action.REOPEN in allowed_actions(_viewer(10, STAFF), request)


def test_a_member_who_may_only_view_acts_as_a_resident_but_sees_as_staff():
    viewer = _viewer(40, VIEWER_ROLE)
    assert viewer.audience is Audience.STAFF
    assert set(allowed_actions(viewer, _request("open"))) == {"comment", "follow", "support"}


def test_audiences():
    assert _viewer(None).audience is Audience.PUBLIC
    assert _viewer(20).audience is Audience.PUBLIC
    assert _viewer(10).audience is Audience.REPORTER
    assert _viewer(30, STAFF).audience is Audience.STAFF


def test_anonymous_may_do_nothing_and_is_told_to_log_in():
    request = _request("open")
    assert allowed_actions(_viewer(None), request) == []
    with pytest.raises(Unauthorized):
        require(_viewer(None), request, Action.COMMENT)


@pytest.mark.parametrize(("viewer", "status", "action", "error", "code"), [
    (_viewer(20), "open", Action.CLOSE, Forbidden, "forbidden"),            # not the reporter
    (_viewer(10), "open", Action.ACKNOWLEDGE, Forbidden, "forbidden"),      # residents never acknowledge
    (_viewer(10), "open", Action.COMMENT_INTERNAL, Forbidden, "forbidden"),
    (_viewer(10), "open", Action.REOPEN, Conflict, "conflict"),             # not closed yet
    (_viewer(30, STAFF), "acknowledged", Action.ACKNOWLEDGE, Conflict, "conflict"),
    (_viewer(30, STAFF), "archived", Action.COMMENT, Conflict, "conflict"),  # read-only
    (_viewer(10), "archived", Action.FOLLOW, Conflict, "conflict"),
])
def test_refusals_say_why(viewer, status, action, error, code):
    with pytest.raises(error) as refused:
        require(viewer, _request(status), action)
    assert refused.value.code == code


def test_a_category_restriction_is_its_own_refusal():
    with pytest.raises(Forbidden) as refused:
        require(_viewer(10), _request("closed", "disable_reopen"), Action.REOPEN)
    assert refused.value.code == "restricted_by_category"
    assert refused.value.details == {"action": "reopen", "public_restriction": "disable_reopen"}
