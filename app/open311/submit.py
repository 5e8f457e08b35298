"""POST requests: an Open311 report, filed through the requests service like any other request.

`parse_form` reads the specification's form fields (strings) into a report; `submit` finds the
reporter's account, types the answers as the service definition says, and calls
`app.requests.service.submit`, which checks the boundary and the answers, records
`request.submitted` and commits. Its refusals reach the client as the errors document.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import marshmallow as ma
from werkzeug.datastructures import MultiDict

from app.accounts.models import Organization, User
from app.accounts.service import claim_address, lock_address, user_for_address
from app.addresses.service import place_for
from app.extensions import db
from app.open311.errors import BadRequest
from app.open311.models import ApiKey, Open311Submission
from app.open311.queries import service
from app.requests import service as requests_service
from app.requests.attributes import typed_answers
from app.requests.models import CommentSource, ServiceRequest
from app.transactions import unit_of_work

MAX_DESCRIPTION = 4000  # the specification's limit
_ATTRIBUTE = re.compile(r"^attribute\[(?P<code>[^\]]+)\](?P<many>\[\])?$")


@dataclass
class Open311Report:
    """The fields of a POST requests form, trimmed; empty ones are None."""

    service_code: str | None = None
    lat: float | None = None
    long: float | None = None
    address_string: str | None = None
    description: str = ""
    media_url: str | None = None
    email: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    device_id: str | None = None
    account_id: str | None = None
    attributes: dict[str, str | list[str]] = field(default_factory=dict)

    @property
    def reporter_name(self) -> str:
        return " ".join(part for part in (self.first_name, self.last_name) if part)


def _value(form: MultiDict, name: str, limit: int = 200) -> str | None:
    value = (form.get(name) or "").strip()
    if len(value) > limit:
        raise BadRequest(f"{name} may be at most {limit} characters long.")
    return value or None


def _coordinate(form: MultiDict, name: str, bound: float) -> float | None:
    raw = _value(form, name)
    if raw is None:
        return None
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number, got {raw!r}.") from None
    if not -bound <= value <= bound:
        raise BadRequest(f"{name} must be between -{bound:g} and {bound:g}, got {raw}.")
    return value


def _attributes(form: MultiDict) -> dict[str, str | list[str]]:
    """attribute[code]=value and attribute[code][]=value (repeated) as {code: value or [values]}."""
    answers: dict[str, str | list[str]] = {}
    for name in form:
        match = _ATTRIBUTE.match(name)
        if not match:
            continue
        values = [value.strip() for value in form.getlist(name) if value.strip()]
        if match["many"]:
            answers[match["code"]] = list(dict.fromkeys([*answers.get(match["code"], []), *values]))
        elif values:
            answers[match["code"]] = values[-1]
    return answers


def _email(form: MultiDict) -> str | None:
    email = _value(form, "email", 254)
    if email is not None:
        try:
            ma.validate.Email()(email)
        except ma.ValidationError:
            raise BadRequest(f"email {email!r} is not an email address.") from None
    return email


def _media_url(form: MultiDict) -> str | None:
    url = _value(form, "media_url", limit=2048)
    if url is not None:
        parts = urlsplit(url)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise BadRequest("media_url must be an http or https URL.")
    return url


def parse_form(form: MultiDict) -> Open311Report:
    """The report in a POST requests form, or 400 naming the malformed field."""
    report = Open311Report(
        service_code=_value(form, "service_code", 64),
        lat=_coordinate(form, "lat", 90),
        long=_coordinate(form, "long", 180),
        address_string=_value(form, "address_string", 500),
        description=_value(form, "description", MAX_DESCRIPTION) or "",
        media_url=_media_url(form),
        email=_email(form),
        first_name=_value(form, "first_name", 100),
        last_name=_value(form, "last_name", 100),
        phone=_value(form, "phone", 40),
        device_id=_value(form, "device_id"),
        account_id=_value(form, "account_id"),
        attributes=_attributes(form),
    )
    if report.email is None:
        raise BadRequest("email was not provided: every request here has a reporter the city can update.")
    if not report.description:
        raise BadRequest("description was not provided.")
    if (report.lat is None) != (report.long is None):
        raise BadRequest("lat and long must be sent together.")
    if report.lat is None and report.address_string is None:
        # The specification's "full location": lat & long, or address_string. address_id
        # names an id from some other system's address list, which this one cannot look up.
        if _value(form, "address_id"):
            raise BadRequest("address_id is not supported here: send address_string, or lat and long.")
        raise BadRequest("A location was not provided: send lat and long, or address_string.")
    return report


def locate(organization: Organization, report: Open311Report) -> None:
    """Place a report sent with only `address_string` at that address in the organization's area.

    Coordinates, when sent, win: the client knows where its user stood. Nothing found is the
    specification's 400 for a location that cannot be used.
    """
    if report.lat is not None:
        return
    found = place_for(report.address_string, organization.id)
    if found is None:
        raise BadRequest(f"address_string {report.address_string!r} matches no address this "
                         "jurisdiction serves: send lat and long.")
    report.lat, report.long = found["lat"], found["lng"]


# The organization's setting: may a report name an existing resident's account by its address?
ATTACH_SETTING = "open311_attach_to_resident_accounts"


def may_attach(organization: Organization, user: User) -> bool:
    """An existing account takes an Open311 report only if it is a resident's (never staff of any
    organization, never an operator) and the key's organization allows it (`ATTACH_SETTING`, default on)."""
    if user.memberships or user.is_superadmin or user.deleted_at is not None:
        return False
    return bool((organization.settings or {}).get(ATTACH_SETTING, True))


def reporter_for(organization: Organization, report: Open311Report) -> User | None:
    """The resident account the email belongs to, a new unconfirmed one without a password, or None
    (the account may not be attached: the request is the contact's, recorded on the submission).

    Following a confirm or reset link later proves the address and makes it a full account.
    """
    lock_address(report.email)  # before the lookup: two posts from one new address make one account
    user = user_for_address(report.email)
    if user is None:
        claim_address(report.email)
        user = User(email=report.email, name=report.reporter_name or report.email.split("@")[0],
                    phone=report.phone, password_hash=None, confirmed=False)
        db.session.add(user)
        db.session.flush()
        return user
    return user if may_attach(organization, user) else None


@unit_of_work()
def submit(organization: Organization, api_key: ApiKey, report: Open311Report) -> tuple[
        Open311Submission, ServiceRequest]:
    """Create the request a report describes, with the submission that carried it: one transaction."""
    category = service(organization, report.service_code)
    locate(organization, report)
    reporter = reporter_for(organization, report)
    fields = dict(category_id=category.id, lat=report.lat, lng=report.long, description=report.description,
                  address=report.address_string or "", answers=typed_answers(category.attributes, report.attributes),
                  source=CommentSource.OPEN311.value)
    if reporter is None:  # an address whose account may not take it (staff, or not allowed): no reporter
        request = requests_service.submit_for_contact(**fields)
    else:
        request = requests_service.submit(reporter, **fields)
    # The requests service joins this unit of work: the request, a new reporter and what Open311
    # alone carried commit together.
    submission = Open311Submission(
        token=secrets.token_urlsafe(16), request_id=request.id, organization_id=organization.id,
        api_key_id=api_key.id, media_url=report.media_url, device_id=report.device_id,
        account_id=report.account_id, contact_email=report.email, contact_name=report.reporter_name or None,
        contact_phone=report.phone)
    db.session.add(submission)
    db.session.flush()
    return submission, request

