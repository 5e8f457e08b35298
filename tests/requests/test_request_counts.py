"""The request counters (request_counts, kept by triggers) equal count(*) after any sequence of changes.

A seeded random sequence of what the app and an operator do to requests: submissions one by
one and many in one statement, the workflow through the services, the archive sweep, bulk
status changes, moves between organizations, deletions, erasing a reporter's account, rolled
back changes and folds. After every step the counters are compared with the rows, and the
lists and the dashboard, which read the counters, with count(*).
"""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from geoalchemy2.shape import from_shape
from shapely.geometry import Point
from sqlalchemy import func, insert, select, text

from app.db_types import utcnow
from app.extensions import db
from app.privacy.erasure import erase_account
from app.requests import counts, queries, service
from app.requests.models import RequestCount, RequestStatus, ServiceRequest
from app.work import sweeps
from tests.factories import CENTRE, CategoryFactory, ServiceRequestFactory, UserFactory, make_member

STATUSES = [status.value for status in RequestStatus]


def _rows() -> dict[tuple[int, str], int]:
    return {(org, status): n for org, status, n in db.session.execute(text(
        "SELECT organization_id, status, count(*) FROM service_requests GROUP BY 1, 2"))}


def _counters() -> dict[tuple[int, str], int]:
    return {(org, status): n for org, status, n in db.session.execute(text(
        "SELECT organization_id, status, sum(n)::bigint FROM request_counts GROUP BY 1, 2 HAVING sum(n) <> 0"))}


@pytest.fixture
def two_cities():
    categories = [CategoryFactory(), CategoryFactory()]
    staff = {c.organization_id: make_member(c.organization, "staff") for c in categories}
    return {"categories": categories, "staff": staff}


def _pick(rng, **where) -> ServiceRequest | None:
    ids = db.session.scalars(select(ServiceRequest.id).filter_by(**where).order_by(ServiceRequest.id)).all()
    return db.session.get(ServiceRequest, rng.choice(ids)) if ids else None


def _submit(rng, city):
    ServiceRequestFactory(category=rng.choice(city["categories"]), status=rng.choice(STATUSES))


def _submit_many(rng, city):
    category = rng.choice(city["categories"])
    db.session.execute(insert(ServiceRequest).values([
        {"public_id": f"m{rng.randrange(10**12):012d}", "organization_id": category.organization_id,
         "category_id": category.id, "location": from_shape(Point(*CENTRE), srid=4326),
         "description": "Many at once", "status": rng.choice(STATUSES)} for _ in range(rng.randint(2, 6))]))
    db.session.commit()


def _workflow(rng, city):
    request = _pick(rng)
    if request is None:
        return
    staff = city["staff"][request.organization_id]
    if request.status == RequestStatus.OPEN:
        service.acknowledge(request.id, staff)
    elif request.status == RequestStatus.ACKNOWLEDGED:
        service.close(request.id, staff)
    elif request.status == RequestStatus.CLOSED:
        service.reopen(request.id, staff)


def _archive(rng, city):
    sweeps.archive_closed_requests(utcnow() + timedelta(days=30))


def _bulk_status(rng, city):
    db.session.execute(text("UPDATE service_requests SET status = :status WHERE id % 3 = :third"),
                       {"status": rng.choice(STATUSES), "third": rng.randrange(3)})
    db.session.commit()


def _move(rng, city):
    request = _pick(rng)
    if request is None:
        return
    there = next(c for c in city["categories"] if c.organization_id != request.organization_id)
    db.session.execute(text("UPDATE service_requests SET organization_id = :org, category_id = :cat, "
                            "status = :status WHERE id = :id"),
                       {"org": there.organization_id, "cat": there.id, "id": request.id,
                        "status": rng.choice([request.status, *STATUSES])})
    db.session.commit()


def _delete(rng, city):
    db.session.execute(text("DELETE FROM service_requests WHERE id % 5 = :fifth"), {"fifth": rng.randrange(5)})
    db.session.commit()


def _erase_a_reporter(rng, city):
    request = _pick(rng)
    if request is not None and request.reporter_id is not None and request.reporter.deleted_at is None:
        erase_account(request.reporter, where="test")
        db.session.commit()


def _rolled_back(rng, city):
    _submit(rng, city)
    request = _pick(rng)
    db.session.execute(text("UPDATE service_requests SET status = 'archived' WHERE id = :id"), {"id": request.id})
    db.session.execute(text("DELETE FROM service_requests WHERE id <> :id"), {"id": request.id})
    db.session.rollback()


def _fold(rng, city):
    counts.fold_request_counts()


STEPS = (_submit, _submit, _submit, _submit_many, _workflow, _workflow, _workflow, _archive, _bulk_status,
         _move, _move, _delete, _erase_a_reporter, _rolled_back, _fold)


@pytest.mark.parametrize("seed", [15, 311])
def test_the_counters_equal_count_star_after_any_sequence_of_changes(two_cities, seed):
    rng = random.Random(seed)
    for step in [rng.choice(STEPS) for _ in range(80)]:
        # A rolled-back step rolls back only its own changes: every other step has committed.
        step(rng, two_cities)
        db.session.expire_all()
        assert _counters() == _rows(), step.__name__


def test_lists_and_the_dashboard_read_their_totals_from_the_counters(two_cities):
    rng = random.Random(7)
    for _ in range(30):
        _submit(rng, two_cities)
    for _ in range(10):
        _workflow(rng, two_cities)
    _move(rng, two_cities)
    org = two_cities["categories"][0].organization
    staff = two_cities["staff"][org.id]
    rows = _rows()

    def total(statuses=None, org_id=None):
        return sum(n for (o, s), n in rows.items() if (org_id in (None, o)) and (not statuses or s in statuses))

    page = {"page": 1, "per_page": 5}
    assert queries.list_requests(page)["total"] == total() == 30
    assert queries.list_requests({**page, "status": ["open", "closed"]})["total"] == total(["open", "closed"])
    assert queries.staff_queue(org, staff, page)["total"] == total(org_id=org.id)
    assert queries.staff_queue(org, staff, {**page, "status": ["acknowledged"]})["total"] == \
        total(["acknowledged"], org.id)
    assert queries.queue_counts(org, staff, {"open": {"status": ["open"]}, "all": {}}) == \
        {"open": total(["open"], org.id), "all": total(org_id=org.id)}
    # A filter beyond organization and status still counts its rows.
    assert queries.list_requests({**page, "q": "bathtub"})["total"] == 30


def test_a_fold_leaves_one_row_per_key_with_the_same_sums(two_cities):
    rng = random.Random(3)
    for _ in range(12):
        _submit(rng, two_cities)
    for _ in range(8):
        _workflow(rng, two_cities)
    before = _counters()
    assert db.session.scalar(select(func.count()).select_from(RequestCount)) > len(before)
    assert counts.fold_request_counts() > 0
    assert _counters() == before == _rows()
    assert db.session.scalar(select(func.count()).select_from(RequestCount)) == len(before)
    assert counts.fold_request_counts() == 0  # already folded: the same rows again, none removed


def test_a_reporters_erasure_keeps_the_requests_and_their_counts(two_cities):
    reporter = UserFactory()
    ServiceRequestFactory(category=two_cities["categories"][0], reporter=reporter)
    before = _counters()
    erase_account(reporter, where="test")
    db.session.commit()
    assert _counters() == before == _rows()


def test_the_scheduler_folds_the_counters_through_its_actor(two_cities, stub_broker, stub_worker):
    from app.requests.actors import fold_request_counts
    from app.scheduler import JOBS

    (job,) = [job for job in JOBS if job.name == "fold-request-counts"]
    assert job.actor_path == "app.requests.actors:fold_request_counts"
    rng = random.Random(5)
    for _ in range(6):
        _submit(rng, two_cities)
    before = _counters()
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(RequestCount)) > len(before)
    fold_request_counts.send()
    stub_broker.join("default")
    stub_worker.join()
    db.session.rollback()
    assert _counters() == before == _rows()
    assert db.session.scalar(select(func.count()).select_from(RequestCount)) == len(before)
