"""Every row of the matrix, end to end: a real Redis worker fans out and sends to a real SMTP listener.

For each row the event is recorded the way its service would record it; the test then
checks, for every person and address of a small city (one per audience, plus bystanders and
the actor), which channels they received on, and that the mail arrived exactly once.
"""

import pytest

from app.notify.matrix import EMAIL, INAPP, MATRIX
from tests.notify.world import World

pytestmark = pytest.mark.e2e


@pytest.mark.parametrize("rule", MATRIX, ids=[f"{r.kind}-{r.audience}" for r in MATRIX])
def test_matrix_row_reaches_exactly_its_people(rule, redis_worker, smtp_server):
    world = World.build()
    event = world.fire(rule.kind)
    redis_worker.join("fanout", timeout=20_000)
    redis_worker.join("email", timeout=20_000)

    expected = world.expected(rule.kind)
    received = world.received(event.id)
    # The row itself: its audience got its channels (other rows of the kind may add more).
    for member in world.members(rule.audience, rule.kind):
        wanted = set(rule.channels) - ({INAPP} if "@" in member else set())
        assert wanted <= received.get(member, set()), f"{member} in {rule.audience} missed {wanted}"
    # The whole event: exactly the matrix's people on exactly its channels; nobody else, and not
    # the actor unless the row is a receipt of their own action (World.members leaves them out).
    assert received == expected
    # And the mail really went out: once to each expected address, to nobody else.
    emailed = {world.address_of(m, rule.kind).lower() for m, channels in expected.items() if EMAIL in channels}
    smtp_server.wait_for(len(emailed))
    delivered = [r.lower() for message in smtp_server.messages for r in message.rcpt_tos]
    assert sorted(delivered) == sorted(emailed)
