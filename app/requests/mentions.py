"""@mentions of staff in comments.

Two spellings, both case-insensitive:

- `@sam.staff` names a member whose email address starts `sam.staff@` (its local part);
  a trailing full stop ends the mention, and `bob@example.org` is not a mention because the
  `@` follows a letter;
- `@"Sam Staff"` names a member by their full name.

Only members of the request's organization resolve, and only when the name is unambiguous
within it; anything else stays plain text, so a mention never reaches outside the organization.
"""

from __future__ import annotations

import re

from sqlalchemy import func, or_, select

from app.accounts.models import Membership, User
from app.extensions import db

_QUOTED = re.compile(r'(?<![\w@])@"([^"\n]{1,200})"')
_LOCAL_PART = re.compile(r"(?<![\w@.+-])@([A-Za-z0-9][A-Za-z0-9._%+-]{0,63})")


def mentioned_names(body: str) -> tuple[set[str], set[str]]:
    """(email local parts, full names) mentioned in `body`, lower-cased."""
    names = {match.strip().lower() for match in _QUOTED.findall(body) if match.strip()}
    unquoted = _QUOTED.sub(" ", body)
    local_parts = {match.rstrip(".").lower() for match in _LOCAL_PART.findall(unquoted)}
    return {part for part in local_parts if part}, names


def resolve_mentions(body: str, organization_id: int) -> list[int]:
    """Ids of the organization's members the comment mentions, in id order."""
    local_parts, names = mentioned_names(body)
    if not local_parts and not names:
        return []
    local_part = func.lower(func.split_part(User.email, "@", 1))
    full_name = func.lower(User.name)
    rows = db.session.execute(
        select(User.id, local_part.label("local_part"), full_name.label("full_name"))
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.organization_id == organization_id, User.active.is_(True),
               or_(local_part.in_(local_parts or [""]), full_name.in_(names or [""])))
    ).all()
    resolved: set[int] = set()
    for spelled, column in ((local_parts, "local_part"), (names, "full_name")):
        for mention in spelled:
            matches = {row.id for row in rows if getattr(row, column) == mention}
            if len(matches) == 1:
                resolved |= matches
    return sorted(resolved)
