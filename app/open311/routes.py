"""/open311/v2: GeoReport v2 resources, each as .xml and .json. Parse, call, render; nothing else."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from app.db_types import utcnow
from app.extensions import db, limiter
from app.open311 import errors, filters, mapping, queries, updates
from app.open311.errors import InvalidApiKey, NotFound
from app.open311.keys import key_digest, live_key
from app.open311.serializers import render
from app.open311.submit import parse_form, submit

URL_PREFIX = "/open311/v2"
FMT = "<any(xml, json):fmt>"

bp = Blueprint("open311", __name__, url_prefix=URL_PREFIX)
errors.register(bp)


def _jurisdiction():
    return queries.jurisdiction((request.values.get("jurisdiction_id") or "").strip() or None)


def _rate_limit_key() -> str:
    """Posts are counted per API key (by its digest, never the key itself), else per address."""
    api_key = (request.form.get("api_key") or "").strip()
    return "open311-key:" + key_digest(api_key) if api_key else "open311-addr:" + (request.remote_addr or "")


def _key_for(organization, operation: str):
    """The POST's live API key of this organization, or the specification's 403."""
    api_key = live_key((request.form.get("api_key") or "").strip())
    if api_key is None or api_key.organization_id != organization.id:
        db.session.rollback()
        raise InvalidApiKey(f"api_key was not provided or is not valid for {organization.slug!r} "
                            f"-- can't proceed with {operation}.")
    return api_key


@bp.get(f"/discovery.{FMT}")
def discovery(fmt):
    changeset = queries.definitions_changed_at() or utcnow()
    config = current_app.config
    document = {
        "changeset": changeset.isoformat(timespec="seconds"),
        "contact": config["OPEN311_CONTACT"],
        "key_service": config["OPEN311_KEY_SERVICE"],
        "endpoints": [{
            "specification": mapping.SPECIFICATION_URL,
            "url": config["PUBLIC_BASE_URL"].rstrip("/") + URL_PREFIX,
            "changeset": changeset.isoformat(timespec="seconds"),
            "type": "production" if config["APP_ENV"] == "production" else "test",
            "formats": ["text/xml", "application/json"],
        }],
    }
    return render(fmt, "discovery", document)


@bp.get(f"/services.{FMT}")
def services(fmt):
    organization = _jurisdiction()
    return render(fmt, "services", [mapping.service(category) for category in queries.services(organization)])


@bp.get(f"/services/<service_code>.{FMT}")
def service_definition(service_code, fmt):
    category = queries.service(_jurisdiction(), service_code)
    return render(fmt, "service_definition", mapping.service_definition(category))


@bp.get(f"/requests.{FMT}")
def list_requests(fmt):
    organization = _jurisdiction()
    found = queries.find_requests(organization, filters.parse(request.args))
    documents = queries.request_documents(organization, found, extensions=filters.wants_extensions(request.args))
    return render(fmt, "service_requests", documents)


@bp.get(f"/requests/<service_request_id>.{FMT}")
def one_request(service_request_id, fmt):
    organization = _jurisdiction()
    found = queries.one_request(organization, service_request_id)
    documents = queries.request_documents(organization, [found], extensions=filters.wants_extensions(request.args))
    return render(fmt, "service_requests", documents)


@bp.post(f"/requests.{FMT}")
@limiter.limit(lambda: current_app.config["RATELIMIT_OPEN311_POST"], key_func=_rate_limit_key)
def create_request(fmt):
    organization = _jurisdiction()
    api_key = _key_for(organization, "create_request")
    submission, created = submit(organization, api_key, parse_form(request.form))
    answer = {"service_request_id": created.public_id,
              "service_notice": mapping.service_notice(created.category, organization)}
    if submission.account_id:
        answer["account_id"] = submission.account_id
    # 200, not 201: the specification shows none, and 200 is what deployed Open311 clients expect.
    return render(fmt, "service_requests", [answer])


@bp.get(f"/servicerequestupdates.{FMT}")
def list_updates(fmt):
    return render(fmt, "service_requests_updates", updates.list_updates(_jurisdiction(), request.args))


@bp.post(f"/servicerequestupdates.{FMT}")
@limiter.limit(lambda: current_app.config["RATELIMIT_OPEN311_POST"], key_func=_rate_limit_key)
def post_update(fmt):
    organization = _jurisdiction()
    api_key = _key_for(organization, "post_service_request_update")
    return render(fmt, "service_request_updates", [updates.post_update(organization, api_key,
                                                                       updates.parse_update(request.form))])


@bp.get(f"/tokens/<token>.{FMT}")
def token(token, fmt):
    submission, public_id = queries.token_submission(_jurisdiction(), token)
    answer = {"token": submission.token}
    if public_id is not None:
        answer = {"service_request_id": public_id, **answer}
    return render(fmt, "service_requests", [answer])


@bp.route("/<path:unknown>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def unknown_resource(unknown):
    raise NotFound(f"There is no Open311 resource {unknown!r} for {request.method}: resources end in "
                   ".xml or .json, e.g. services.xml.")
