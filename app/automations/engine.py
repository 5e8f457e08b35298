"""Running automations: schedule a run for each matching event, then perform the runs that are due.

Both steps are set-based sweeps over "everything up to `now`", like app/work/sweeps.py, so a
scheduler that was down catches up and a controlled clock (tests) drives them exactly:

1. `schedule(now)`: every event of an enabled rule's trigger kind (in its organization, of its
   category, recorded since the rule was made) that has no run yet gets one, due after the
   rule's delay. UNIQUE(automation_id, event_id) and ON CONFLICT DO NOTHING: once per event.
   Events an automation caused (`events.automation_run_id`) are never triggers: no loops.
2. `perform_due(now)`: each run due by `now` is one transaction (`perform`, a unit of work):
   the run row is locked (FOR UPDATE SKIP LOCKED, so two workers never take the same run), the
   rule's conditions are checked again against the request as it is now, the actions are taken
   through the same domain services as the API (they join the run's unit of work, inside
   `caused_by_automation(run.id)`), and the run's status and log are written; one commit, then
   the events' fan-out. A worker that dies mid-run leaves nothing of it: the run is still
   `pending` and the next sweep performs the whole of it. An action refused (ApiError) undoes
   the ones before it and logs the run `failed` with the reason. Attempts are counted in a
   small commit of their own first, so a run that kills its worker every time is given up
   after MAX_ATTEMPTS and logged failed instead of looping.
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
from app.notify import templates
from app.requests import service as requests
from app.requests.models import ServiceRequest
from app.transactions import unit_of_work
from app.work.business_hours import add_business_hours
from app.work.sla import calendar_for

log = logging.getLogger(__name__)

BATCH = 200
MAX_ATTEMPTS = 3  # attempts begun (workers that died mid-run) before a run is logged failed


def due_time(automation: Automation, happened_at: datetime, organization) -> datetime:
    """When a run for an event at `happened_at` falls due: after the delay, in business hours if asked."""
    delay = timedelta(minutes=automation.delay_minutes)
    if automation.business_hours and delay:
        return add_business_hours(happened_at, delay, calendar_for(organization))
    return happened_at + delay


@unit_of_work()
def _schedule_batch(now: datetime) -> tuple[int, bool]:
    """Make the runs of one batch of matching events: (how many are new, whether the batch was full)."""
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
        return 0, False
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
    return len(inserted), len(candidates) == BATCH


def schedule(now: datetime) -> int:
    """Make the runs of every matching event recorded up to `now` (a transaction per batch); how many are new."""
    total, more = 0, True
    while more:
        made, more = _schedule_batch(now)
        total += made
    return total


def _begin_attempt(now: datetime, passed: set[int]) -> tuple[int, int] | None:
    """Count one more attempt on the next due run not in `passed` (its own small commit); (run id, attempts) or None."""
    with unit_of_work():
        due = (select(AutomationRun.id).where(AutomationRun.status == RunStatus.PENDING.value,
                                              AutomationRun.due_at <= now, AutomationRun.id.not_in(passed))
               .order_by(AutomationRun.due_at, AutomationRun.id).limit(1).with_for_update(skip_locked=True))
        found = db.session.execute(update(AutomationRun).where(AutomationRun.id == due.scalar_subquery())
                                   .values(attempts=AutomationRun.attempts + 1)
                                   .returning(AutomationRun.id, AutomationRun.attempts)).first()
    return tuple(found) if found else None


def perform_due(now: datetime) -> int:
    """Perform every run due by `now`, each in one transaction; returns how many were performed (or skipped)."""
    total, passed = 0, set()
    while (begun := _begin_attempt(now, passed)) is not None:
        run_id, attempts = begun
        passed.add(run_id)  # once per sweep: a run that errs waits for the next one
        try:
            if perform(run_id, now, attempts=attempts) is not None:
                total += 1
        except Exception as exc:
            log.exception("automation run %s failed (attempt %s); it stays pending and is tried again", run_id, attempts)
            _note_error(run_id, attempts, exc)
    return total


@unit_of_work()
def _note_error(run_id: int, attempts: int, exc: Exception) -> None:
    db.session.execute(update(AutomationRun).where(AutomationRun.id == run_id).values(
        error=f"attempt {attempts}: {exc.__class__.__name__}: {exc}"[:1000]))


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


@unit_of_work()
def perform(run_id: int, now: datetime, *, attempts: int = 1) -> AutomationRun | None:
    """Claim the run, check the rule's conditions now, take its actions and log them: one transaction.

    A refusal (an action's ApiError) undoes the actions taken before it (a savepoint) and logs the
    run failed with the reason; any other error, or a worker that dies, undoes everything and the
    run stays pending for the next sweep (after MAX_ATTEMPTS begun attempts it is logged failed).
    None if another worker holds the run or it is no longer pending.
    """
    run = db.session.scalar(select(AutomationRun).where(AutomationRun.id == run_id,
                                                        AutomationRun.status == RunStatus.PENDING.value)
                            .with_for_update(skip_locked=True))
    if run is None:
        return None
    automation = db.session.get(Automation, run.automation_id)
    request = db.session.get(ServiceRequest, run.request_id) if run.request_id else None
    status, lines = RunStatus.DONE, []
    unmet = None if request is None else _unmet(automation, request)
    if attempts > MAX_ATTEMPTS:
        status, lines = RunStatus.FAILED, [f"Nothing done: gave up after {attempts - 1} attempts that never finished."]
    elif request is None or unmet:
        status, lines = RunStatus.SKIPPED, [f"Nothing done: {unmet or 'the request is gone'}."]
    else:
        actor = db.session.get(User, automation.created_by_id) if automation.created_by_id else None
        status, lines = _take_actions(run, automation, request.id, actor, now)
    run.status, run.log, run.ran_at = status.value, lines, now
    log.info("automation %s run %s: %s", automation.id, run_id, "; ".join(lines))
    return run


def _take_actions(run: AutomationRun, automation: Automation, request_id: int, actor: User | None,
                  now: datetime) -> tuple[RunStatus, list[str]]:
    lines: list[str] = []
    action = None
    try:
        with db.session.begin_nested(), caused_by_automation(run.id):
            for action in automation.actions:
                lines.append(_act(action, automation, request_id, actor, now))
    except ApiError as exc:
        done = len(lines)
        lines = [f"Could not {action['type'].replace('_', ' ')}: {exc.message}"]
        if done:
            lines.append(f"Nothing done: the {done} action{'s' if done > 1 else ''} before it {'were' if done > 1 else 'was'} undone.")
        return RunStatus.FAILED, lines
    return RunStatus.DONE, lines


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
        templates.check_renders(org, action["template"])  # within the render budget, or the run fails saying why
        event = record_event("automation.email", request=request, actor=None, payload={
            "automation_id": automation.id, "template": action["template"], "audience": action["audience"]})
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
