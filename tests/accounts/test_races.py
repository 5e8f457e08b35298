"""Two requests at once: a link still works once, and an organization keeps a member manager.

Each request runs in its own thread with its own app context and database session, as two
web workers would.
"""

import threading

from app.accounts.links import make_password_token
from tests.factories import OrganizationFactory, UserFactory, make_member
from tests.support.auth import bearer


def at_once(app, calls) -> list[int]:
    """Run each (method, path, kwargs) call in its own thread, released together; their statuses."""
    barrier = threading.Barrier(len(calls))
    statuses = [None] * len(calls)

    def run(index, method, path, kwargs):
        client = app.test_client()
        barrier.wait()
        statuses[index] = getattr(client, method)(path, **kwargs).status_code

    threads = [threading.Thread(target=run, args=(i, *call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return statuses


def test_one_reset_link_used_twice_at_once_works_once(app):
    token = make_password_token(UserFactory())
    call = ("post", "/api/v1/auth/password/reset", {"json": {"token": token, "password": "a racing passphrase"}})
    assert sorted(at_once(app, [call, call])) == [204, 422]


def test_two_admins_demoting_each_other_at_once_leave_one_admin(app):
    org = OrganizationFactory(slug="springfield")
    first, second = make_member(org, "admin"), make_member(org, "admin")
    calls = [("patch", f"/api/v1/orgs/springfield/members/{target.id}",
              {"json": {"role": "staff"}, "headers": bearer(caller)})
             for caller, target in ((first, second), (second, first))]
    assert sorted(at_once(app, calls)) in ([200, 403], [200, 409])
