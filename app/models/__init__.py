"""All models, importable from one place (Alembic sees them through this module)."""

from .agent import Agent
from .base import TenantOwned, utcnow
from .call import PIPELINE_STATUSES, STATUSES, TERMINAL, Call
from .callback import OUTCOMES as CALLBACK_OUTCOMES
from .callback import Callback, CallbackEvent
from .notification import DeliveryAttempt, NotificationSettings, OutboundEvent
from .tenant import Tenant, User
from .user_session import UserSession
from .vector import LocalVector
from .webhook_event import AUDIO_EVENT, OUTCOMES, WebhookEvent

__all__ = [
    "AUDIO_EVENT",
    "Agent",
    "CALLBACK_OUTCOMES",
    "Call",
    "Callback",
    "CallbackEvent",
    "DeliveryAttempt",
    "LocalVector",
    "NotificationSettings",
    "OUTCOMES",
    "OutboundEvent",
    "PIPELINE_STATUSES",
    "STATUSES",
    "TERMINAL",
    "Tenant",
    "TenantOwned",
    "User",
    "UserSession",
    "WebhookEvent",
    "utcnow",
]
