"""Which calls an analytics page counts: one workspace's, in a period, of one agent or all."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func

from ...models import Call, Callback, CallTopic
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
        return self._where(Call.tenant_id, CALL_TIME, Call.agent_pk)

    def callbacks(self) -> list:
        """The WHERE conditions on `callbacks` for the callbacks of this scope's calls (each carries
        its call's time and agent)."""
        return self._where(Callback.tenant_id, Callback.call_at, Callback.agent_pk)

    def topics(self) -> list:
        """The WHERE conditions on `call_topics` for this scope (the same calls as `calls()`)."""
        return self._where(CallTopic.tenant_id, CallTopic.at, CallTopic.agent_pk)

    def _where(self, tenant_id, at, agent_pk) -> list:
        """This workspace, a call time in the period, and the agent if one is chosen."""
        conditions = [tenant_id == self.tenant_id, self.period.start <= at, self.period.end > at]
        if self.agent_pk is not None:
            conditions.append(agent_pk == self.agent_pk)
        return conditions
