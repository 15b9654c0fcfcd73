"""All models, importable from one place (Alembic sees them through this module)."""

from .agent import Agent
from .base import TenantOwned, utcnow
from .call import STATUSES, TERMINAL, Call
from .notification import DeliveryAttempt, NotificationSettings, OutboundEvent
from .tenant import ROLES, Tenant, User
from .vector import LocalVector, LocalVectorNamespace, LocalVectorTombstone
from .webhook_event import OUTCOMES, WebhookEvent

__all__ = [
    "Agent",
    "Call",
    "DeliveryAttempt",
    "LocalVector",
    "LocalVectorNamespace",
    "LocalVectorTombstone",
    "NotificationSettings",
    "OUTCOMES",
    "OutboundEvent",
    "ROLES",
    "STATUSES",
    "TERMINAL",
    "Tenant",
    "TenantOwned",
    "User",
    "WebhookEvent",
    "utcnow",
]
