"""What the navigation shows on every page: the open callbacks and how many are overdue."""

from __future__ import annotations

from functools import cached_property

from flask_login import current_user

from ..services.callbacks import open_counts


class CallbackCounts:
    """Counted on first use only, so fragments that never show the navigation cost no query."""

    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id

    @cached_property
    def _counts(self) -> tuple[int, int]:
        return open_counts(self.tenant_id)

    @property
    def open(self) -> int:
        return self._counts[0]

    @property
    def overdue(self) -> int:
        return self._counts[1]


def register(app) -> None:
    @app.context_processor
    def callback_counts():
        if not current_user or not current_user.is_authenticated:
            return {}
        return {"callback_counts": CallbackCounts(current_user.tenant_id)}
