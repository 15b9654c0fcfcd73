"""All models, importable from one place (Alembic sees them through this module)."""

from .agent import Agent
from .base import TenantOwned, utcnow
from .call import STATUSES, TERMINAL, Call
from .notification import DeliveryAttempt, NotificationSettings, OutboundEvent
from .tenant import Tenant, User
from .user_session import UserSession
from .vector import LocalVector, LocalVectorNamespace, LocalVectorTombstone
from .webhook_event import AUDIO_EVENT, OUTCOMES, WebhookEvent

__all__ = [
    "AUDIO_EVENT",
    "Agent",
    "Call",
    "DeliveryAttempt",
    "LocalVector",
    "LocalVectorNamespace",
    "LocalVectorTombstone",
    "NotificationSettings",
    "OUTCOMES",
    "OutboundEvent",
    "STATUSES",
    "TERMINAL",
    "Tenant",
    "TenantOwned",
    "User",
    "UserSession",
    "WebhookEvent",
    "utcnow",
]
