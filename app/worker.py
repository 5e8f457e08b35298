"""Worker entry point: `dramatiq app.worker`. Broker first, then the app, then every actor."""

from app import broker as _broker  # noqa: F401  (the broker must exist before any actor)
from app import create_app

app = create_app()

# Every actor module, so one worker serves every queue.
ACTOR_MODULES: tuple[str, ...] = (
    "app.accounts.actors",
    "app.automations.actors",
    "app.inbound.actors",
    "app.notify.actors",
    "app.notify.webhooks.actors",
    "app.privacy.actors",
    "app.requests.actors",
    "app.work.actors",
)

for _module in ACTOR_MODULES:
    __import__(_module)
