"""Running automations: schedule a run for each matching event, then perform the runs that are due.

Both steps are set-based sweeps over "everything up to `now`", like app/work/sweeps.py, so a
scheduler that was down catches up and a controlled clock (tests) drives them exactly:

1. `schedule(now)`: every event of an enabled rule's trigger kind (in its organization, of its
   category, recorded since the rule was made) that has no run yet gets one, due after the
   rule's delay. UNIQUE(automation_id, event_id) and ON CONFLICT DO NOTHING: once per event.
   Events an automation caused (`events.automation_run_id`) are never triggers: no loops.
2. `perform_due(now)`: runs due by `now` are claimed (pending -> running, FOR UPDATE SKIP
   LOCKED, committed), the rule's conditions are checked again against the request as it is
   now, and the actions are taken through the same domain services as the API, inside
   `caused_by_automation(run.id)`. A run is performed at most once: a crash leaves it
   `running`, never repeated (an email twice is worse than a run the log shows unfinished).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from flask_babel import gettext as _
from sqlalchemy import exists, select, update
from sqlalchemy.dialects.postgresql import insert

from app.accounts.models import User
from app.automations.messages import render_message
from app.automations.models import Automation, AutomationRun, RunStatus
from app.automations.rules import STATUS_TARGETS
from app.errors import ApiError, Forbidden
from app.events.models import Event
from app.events.service import caused_by_automation, record_event
from app.extensions import db
from app.requests import service as requests
from app.requests.models import ServiceRequest
from app.work.business_hours import add_business_hours
from app.work.sla import calendar_for

log = logging.getLogger(__name__)

BATCH = 200


def due_time(automation: Automation, happened_at: datetime, organization) -> datetime:
    """When a run for an event at `happened_at` falls due: after the delay, in business hours if asked."""
    delay = timedelta(minutes=automation.delay_minutes)
    if automation.business_hours and delay:
        return add_business_hours(happened_at, delay, calendar_for(organization))
    return happened_at + delay


def schedule(now: datetime) -> int:
    """Make the runs of every matching event recorded up to `now`; returns how many are new."""
    candidates = db.session.execute(
        select(Automation, Event.id, Event.request_id, Event.created_at)
        .join(Event, (Event.organization_id == Automation.organization_id) & (Event.kind == Automation.trigger_kind))
        .join(ServiceRequest, ServiceRequest.id == Event.request_id)
        .where(Automation.enabled.is_(True), Automation.critical.is_(False),
               Event.automation_run_id.is_(None), Event.created_at >= Automation.created_at, Event.created_at <= now,
               (Automation.category_id.is_(None)) | (ServiceRequest.category_id == Automation.category_id),
               ~exists().where(AutomationRun.automation_id == Automation.id, AutomationRun.event_id == Event.id))
        .order_by(Event.id).limit(BATCH)).all()
    if not candidates:
        db.session.rollback()
        return 0
    organizations = {}
    rows = []
    for automation, event_id, request_id, happened_at in candidates:
        if automation.organization_id not in organizations:
            organizations[automation.organization_id] = db.session.get(ServiceRequest, request_id).organization
        rows.append({"automation_id": automation.id, "event_id": event_id, "request_id": request_id,
                     "due_at": due_time(automation, happened_at, organizations[automation.organization_id]),
                     "status": RunStatus.PENDING.value})
    inserted = db.session.execute(insert(AutomationRun).values(rows).on_conflict_do_nothing(
        index_elements=["automation_id", "event_id"]).returning(AutomationRun.id)).all()
    db.session.commit()
    return len(inserted) + (schedule(now) if len(candidates) == BATCH else 0)


def _claim(now: datetime) -> list[int]:
    due = (select(AutomationRun.id).where(AutomationRun.status == RunStatus.PENDING.value, AutomationRun.due_at <= now)
           .order_by(AutomationRun.due_at, AutomationRun.id).limit(BATCH).with_for_update(skip_locked=True))
    ids = list(db.session.scalars(update(AutomationRun).where(AutomationRun.id.in_(due.scalar_subquery()))
                                  .values(status=RunStatus.RUNNING.value).returning(AutomationRun.id)))
    db.session.commit()
    return sorted(ids)


def perform_due(now: datetime) -> int:
    """Perform every run due by `now`; returns how many were performed (or skipped)."""
    total = 0
    while True:
        ids = _claim(now)
        for run_id in ids:
            perform(run_id, now)
        total += len(ids)
        if len(ids) < BATCH:
            return total


def sweep(now: datetime) -> tuple[int, int]:
    """Schedule, then perform what is due: (runs made, runs performed)."""
    return schedule(now), perform_due(now)


def _unmet(automation: Automation, request: ServiceRequest) -> str | None:
    if not automation.enabled:
        return "the automation was turned off before the run fell due"
    if automation.status and request.status != automation.status:
        return f"the request is no longer {automation.status} (it is {request.status})"
    if automation.category_id and request.category_id != automation.category_id:
        return "the request is no longer in the automation's category"
    return None


def perform(run_id: int, now: datetime) -> AutomationRun:
    """Check the rule's conditions now and take its actions; the run's log says what happened."""
    run = db.session.get(AutomationRun, run_id)
    automation = db.session.get(Automation, run.automation_id)
    request = db.session.get(ServiceRequest, run.request_id)
    lines: list[str] = []
    status = RunStatus.DONE
    unmet = None if request is None else _unmet(automation, request)
    if request is None or unmet:
        status, lines = RunStatus.SKIPPED, [f"Nothing done: {unmet or 'the request is gone'}."]
    else:
        actor = db.session.get(User, automation.created_by_id) if automation.created_by_id else None
        with caused_by_automation(run.id):
            for action in automation.actions:
                try:
                    lines.append(_act(action, automation, request.id, actor, now))
                except ApiError as exc:
                    db.session.rollback()
                    status = RunStatus.FAILED
                    lines.append(f"Could not {action['type'].replace('_', ' ')}: {exc.message}")
                    break
    run = db.session.get(AutomationRun, run_id)
    run.status, run.log, run.ran_at = status.value, lines, now
    db.session.commit()
    log.info("automation %s run %s: %s", automation.id, run_id, "; ".join(lines))
    return run


def _act(action: dict, automation: Automation, request_id: int, actor: User | None, now: datetime) -> str:
    """Take one action through the domain services; returns the log line."""
    kind = action["type"]
    if actor is None and kind != "email":
        raise Forbidden(_("Nobody can act for this automation: the account that made it is gone."))
    request = requests.get_request(request_id)
    org = request.organization
    if kind == "message":
        body = render_message(action["body"], request)
        comment = requests.add_comment(request_id, actor, body, action["visibility"])
        article = "an" if action["visibility"] == "internal" else "a"
        return f"Inserted {article} {action['visibility']} message (comment {comment.id})."
    if kind == "email":
        event = record_event("automation.email", request=request, actor=None, payload={
            "automation_id": automation.id, "template": action["template"], "audience": action["audience"]})
        db.session.commit()
        return f"Sent the email template {action['template']!r} to the {action['audience']} (event {event.id})."
    if kind == "assign":
        requests.assign(request_id, actor, action["assignee_id"], organization=org)
        return f"Assigned the request to user {action['assignee_id']}."
    if kind == "set_due":
        hours = timedelta(hours=action["hours"])
        due = add_business_hours(now, hours, calendar_for(org)) if action.get("business_hours") else now + hours
        requests.set_due_date(request_id, actor, due, organization=org)
        return f"Set the due date to {due.isoformat(timespec='minutes')}."
    target = action["to"]
    if request.status == target:
        return f"The request was already {target}."
    getattr(requests, STATUS_TARGETS[target])(request_id, actor, organization=org)
    return f"Changed the status to {target}."
