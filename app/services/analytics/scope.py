"""Which calls an analytics page counts: one workspace's, in a period, of one agent or all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ...models import Call, CallTopic
from .period import Period

# When a call happened: its start as ElevenLabs reported it, else when it reached us (as the list).
CALL_TIME = func.coalesce(Call.started_at, Call.created_at)


@dataclass(frozen=True)
class Scope:
    tenant_id: int
    period: Period
    agent_pk: int | None = None  # None: every agent

    def calls(self) -> list:
        """The WHERE conditions on `calls` for this scope."""
        conditions = [
            Call.tenant_id == self.tenant_id,
            self.period.start <= CALL_TIME,
            self.period.end > CALL_TIME,
        ]
        if self.agent_pk is not None:
            conditions.append(Call.agent_pk == self.agent_pk)
        return conditions

    def topics(self) -> list:
        """The WHERE conditions on `call_topics` for this scope (the same calls as `calls()`)."""
        conditions = [
            CallTopic.tenant_id == self.tenant_id,
            self.period.start <= CallTopic.at,
            self.period.end > CallTopic.at,
        ]
        if self.agent_pk is not None:
            conditions.append(CallTopic.agent_pk == self.agent_pk)
        return conditions
