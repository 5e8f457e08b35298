"""@mentions resolve to members of the request's organization only."""

from __future__ import annotations

from app.requests.mentions import mentioned_names, resolve_mentions
from tests.factories import OrganizationFactory, UserFactory, make_member


def test_both_spellings_are_found_and_email_addresses_are_not_mentions():
    local_parts, names = mentioned_names(
        'Ask @Sam.Staff. Or @"Alex Admin", but not bob@example.org or @"" or a lone @.')
    assert local_parts == {"sam.staff"}
    assert names == {"alex admin"}


def test_only_unambiguous_members_of_the_organization_resolve():
    org, other = OrganizationFactory(), OrganizationFactory()
    sam = make_member(org, "staff", email="sam.staff@city.example", name="Sam Staff")
    alex = make_member(org, "admin", email="alex@city.example", name="Alex Admin")
    make_member(other, "staff", email="outsider@elsewhere.example", name="Out Sider")
    UserFactory(email="resident@example.org", name="Rita Resident")  # not a member at all
    make_member(org, "staff", email="jo@a.example", name="Jo One")
    make_member(org, "staff", email="jo@b.example", name="Jo Two")  # "@jo" is ambiguous

    body = '@sam.staff and @"alex admin", also @outsider, @resident, @"Out Sider" and @jo'
    assert resolve_mentions(body, org.id) == sorted([sam.id, alex.id])
    assert resolve_mentions("no mentions here", org.id) == []
