"""The channel registry: a new channel is one new module in this package that calls `register`.

A channel turns the fan-out's candidate rows (see app/notify/fanout.py: `FanoutPlan`) into
one `INSERT ... SELECT ... ON CONFLICT DO NOTHING` of its own rows (built once per
shape of plan, executed with each event's parameters; `read` takes what it reports from
the statement's cursor), and may act after the
fan-out commits (the email channel wakes the delivery actor). The candidates write nothing
unless the fan-out's claim took the event (app/notify/statements.py: CLAIMED); a channel that
chooses its own rows (`statement_for`) must say so in its WHERE, as webhooks do.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only a name for the annotations: the fan-out imports the channels, not the reverse
    FanoutPlan = object


class Channel:
    name: str = ""
    label: str = ""
    reaches_addresses: bool = False  # outside addresses (no account) can be reached on it
    order: int = 100  # fan-out order: a channel may look at what an earlier one inserted
    # A channel to people: in the matrix, the category overrides and each user's preferences.
    # False for a channel to systems (webhooks), which chooses its own rows in `statement_for`.
    per_recipient: bool = True

    def statement_for(self, plan: FanoutPlan):
        """This channel's INSERT for `plan` (None: nothing to write); by default built from the audiences."""
        return plan.statement(self)

    def insert(self, plan: FanoutPlan, candidates):
        """The one INSERT ... SELECT ... ON CONFLICT DO NOTHING that records this channel's notifications.

        Built once per shape (`plan` has rules but no event): event values are bound parameters.
        """
        raise NotImplementedError

    def read(self, plan: FanoutPlan, cursor) -> int:
        """How many rows the insert, run on `cursor` for one event, made."""
        return cursor.rowcount

    def after_commit(self, plan: FanoutPlan, inserted: int) -> None:
        """Called once the fan-out transaction committed; `inserted` rows are new."""


CHANNELS: dict[str, Channel] = {}


def register(channel: Channel) -> Channel:
    CHANNELS[channel.name] = channel
    return channel


def get_channel(name: str) -> Channel:
    return CHANNELS[name]


def recipient_channels() -> dict[str, Channel]:
    """The channels to people, which the matrix, overrides and preferences name."""
    return {name: channel for name, channel in CHANNELS.items() if channel.per_recipient}


def _discover() -> None:
    for module in pkgutil.iter_modules(__path__):
        importlib.import_module(f"{__name__}.{module.name}")


_discover()
