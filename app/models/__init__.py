"""All models, importable from one place (Alembic sees them through this module)."""

from . import list_indexes  # noqa: F401  (the lists' indexes, on the tables above)
from .agent import Agent
from .base import TenantOwned, utcnow
from .call import PIPELINE_STATUSES, STATUSES, TERMINAL, WAITING_REASONS, Call
from .callback import OUTCOMES as CALLBACK_OUTCOMES
from .callback import Callback, CallbackEvent
from .notification import DeliveryAttempt, NotificationSettings, OutboundEvent
from .tenant import Tenant, User
from .usage import ProviderUsage
from .user_session import UserSession
from .vector import LocalVector, LocalVectorNamespace, LocalVectorTombstone
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
    "LocalVectorNamespace",
    "LocalVectorTombstone",
    "NotificationSettings",
    "OUTCOMES",
    "OutboundEvent",
    "PIPELINE_STATUSES",
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
