"""Import every domain's models so the metadata (and Alembic) sees all tables."""

from app.accounts.models import (  # noqa: F401
    ApiToken,
    EmailAlias,
    Membership,
    Organization,
    Permission,
    Role,
    User,
)
from app.accounts.sso import OrganizationSso  # noqa: F401
from app.addresses.models import Address  # noqa: F401
from app.automations.models import Automation, AutomationRun  # noqa: F401
from app.events.models import Event  # noqa: F401
from app.inbound.models import (  # noqa: F401
    InboundEmail,
    InboundMessage,
    InboundMessageAttachment,
    SuppressedAddress,
)
from app.notify.models import (  # noqa: F401
    CategoryNotificationRule,
    EmailBody,
    EmailDelivery,
    EmailTemplate,
    Notification,
    NotificationPreference,
    OrganizationNotificationSettings,
)
from app.notify.webhooks.models import WebhookAttempt, WebhookDelivery, WebhookEndpoint  # noqa: F401
from app.open311.models import ApiKey, Open311Submission  # noqa: F401
from app.privacy.models import AuditEntry, RetentionPolicy  # noqa: F401
from app.requests.models import Attachment, Comment, Follower, RequestCategory, ServiceRequest  # noqa: F401
from app.watch.models import WatchArea, WatchAreaFollower  # noqa: F401
from app.work.models import SlaBreach, WorkOrder, WorkOrderOverdueAlert  # noqa: F401
