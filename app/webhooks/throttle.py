"""Rejected deliveries are rate limited per client address (WEBHOOK_REJECTED_RATE_LIMIT).

Counted only once a delivery is known to be rejected and not proven to be a workspace's own: a
delivery whose signature verifies for a registered agent is never counted nor refused, so a flood of
forgeries from ElevenLabs' few addresses cannot hold back real calls.
"""

from __future__ import annotations

import logging
import math
import time

from flask import current_app
from limits import parse

from ..extensions import limiter

log = logging.getLogger("calldesk.webhooks")
SCOPE = "webhook-rejected"


def rejected_over_limit(address: str | None) -> int | None:
    """Count one rejected delivery from `address`; the seconds to wait when it is one too many."""
    if not (current_app.config.get("RATELIMIT_ENABLED") and limiter.enabled):
        return None
    item = parse(current_app.config["WEBHOOK_REJECTED_RATE_LIMIT"])
    key = (current_app.config.get("RATELIMIT_KEY_PREFIX") or "", SCOPE, address or "unknown")
    try:
        if limiter.limiter.hit(item, *key):
            return None
        reset_at, _ = limiter.limiter.get_window_stats(item, *key)
    except Exception as exc:  # noqa: BLE001 - a limiter outage must not cost a delivery
        log.warning("webhook rate limit not applied: limiter storage failed (%s)", exc.__class__.__name__)
        return None
    return max(1, math.ceil(reset_at - time.time()))
