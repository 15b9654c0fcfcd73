"""Per-workspace notifications: Standard Webhooks events (and e-mail) about calls and callbacks.

The rest of the code calls `notify(tenant_id, event_type, data)` with `data` from `call_data()`.
"""

from .events import EMAIL_EVENT_TYPES, EVENT_TYPES, call_data
from .service import notify, notify_call_processed, rotate_secret, save_settings, settings_for, sweep_events

__all__ = [
    "EMAIL_EVENT_TYPES",
    "EVENT_TYPES",
    "call_data",
    "notify",
    "notify_call_processed",
    "rotate_secret",
    "save_settings",
    "settings_for",
    "sweep_events",
]
