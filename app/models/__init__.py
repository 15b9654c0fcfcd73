"""All models, importable from one place (Alembic sees them through this module)."""

from .agent import Agent
from .base import TenantOwned, utcnow
from .call import STATUSES, TERMINAL, WAITING_REASONS, Call
from .notification import DeliveryAttempt, NotificationSettings, OutboundEvent
from .tenant import Tenant, User
from .usage import ProviderUsage
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
    "ProviderUsage",
    "STATUSES",
    "TERMINAL",
    "Tenant",
    "TenantOwned",
    "WAITING_REASONS",
    "User",
    "UserSession",
    "WebhookEvent",
    "utcnow",
]
