"""One seeded call as the rows a processed call leaves behind: its Call columns, and its callback
(with a timeline) when the analysis would have asked for one. Plain dicts, for bulk INSERTs."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from ..models.callback import OUTCOMES
from ..providers.offline_time_resolve import resolve_time
from ..services.timezones import zone_of
from . import phrases as P
from .scenarios import RARE_LINE, SCENARIOS, Scenario

DAYS = 90  # started_at spreads over the last 90 days
FAILED_EVERY = 67  # one call in 67 (1.5 %) failed, at fixed places: even 50 calls have one
FAILURES = (
    ("analyse", "OpenAI: rate limit reached (429) after 3 attempts"),
    ("analyse", "OpenAI: request timed out after 3 attempts"),
    ("embed", "OpenAI embeddings: service unavailable (503) after 3 attempts"),
    ("index", "Pinecone: upsert failed (500 Internal Server Error) after 3 attempts"),
)
OUTCOME_WEIGHTS = (0.6, 0.15, 0.15, 0.1)  # reached, no answer, voicemail, not needed
HOUR_WEIGHTS = [0.2] * 7 + [1, 3, 5, 5, 4, 3, 4, 5, 4, 3, 2, 1] + [0.4] * 5  # business hours


@dataclass
class Caller:
    name: str
    number: str
    language: str


@dataclass
class Seeded:
    """The rows of one call; `scenario` and `language` pick its vector (see app/seeding/vectors.py)."""

    call: dict
    scenario: int
    language: str
    rare: bool
    callback: dict | None = None
    events: list[dict] = field(default_factory=list)


class Maker:
    """Makes calls for one workspace: its agents, its users (assignees) and a pool of callers of
    which some call again and again."""

    def __init__(self, rng: random.Random, tenant, agents: list, users: list, now: datetime, count: int):
        self.rng, self.tenant_id, self.agents, self.users, self.now = rng, tenant.id, agents, users, now
        self.zone = zone_of(tenant)
        self.callers = [self._caller() for _ in range(max(5, int(count * 0.6)))]
        self.regulars = self.callers[: max(2, len(self.callers) // 200)]
        self.scenario_weights = [s.weight for s in SCENARIOS]

    def _caller(self) -> Caller:
        rng = self.rng
        language = rng.choices(P.LANGUAGES, P.LANGUAGE_WEIGHTS)[0]
        name = f"{rng.choice(P.FIRST_NAMES[language])} {rng.choice(P.LAST_NAMES[language])}"
        return Caller(name, P.PHONE_PREFIX[language] + f"{rng.randrange(10**6):06d}", language)

    def _started(self) -> datetime:
        """A moment of the last DAYS days, mostly in the workspace's business hours."""
        rng = self.rng
        day = (self.now - timedelta(days=rng.random() * DAYS)).astimezone(self.zone)
        hour = rng.choices(range(24), HOUR_WEIGHTS)[0]
        local = day.replace(hour=hour, minute=rng.randrange(60), second=rng.randrange(60), microsecond=0)
        started = local.astimezone(UTC)
        # Ended and processed before now, even when the draw fell on the last hour of today.
        return started if started < self.now - timedelta(hours=1) else started - timedelta(days=1)

    def make(self, conversation_id: str, rare: bool = False, failed: bool = False) -> Seeded:
        rng = self.rng
        caller = rng.choice(self.regulars) if rng.random() < 0.1 else rng.choice(self.callers)
        lang, index = caller.language, rng.choices(range(len(SCENARIOS)), self.scenario_weights)[0]
        scenario = SCENARIOS[index]
        agent = rng.choice(self.agents)
        started = self._started()
        wants_callback = rng.random() < scenario.callback_rate
        when = rng.choice(P.WHEN[lang]) if wants_callback else None
        turns = self._turns(scenario, caller, wants_callback, when, rare)
        duration = round(turns[-1]["t"] + rng.uniform(3, 12), 1)
        sentiment = rng.choices(("positive", "neutral", "negative"), scenario.sentiments)[0]
        summary = scenario.summary.format(name=caller.name)
        if rare:
            summary += " The job is at the old Zeppelin hangar."
        call = {
            "tenant_id": self.tenant_id,
            "conversation_id": conversation_id,
            "agent_pk": agent.id,
            "external_agent_id": agent.agent_id,
            "agent_name": agent.name,
            "transcript": turns,
            "transcript_text": "\n".join(f"{t['role']}: {t['text']}" for t in turns),
            "turn_count": len(turns),
            "started_at": started,
            "duration_s": duration,
            "direction": "inbound",
            "caller_number": caller.number,
            "caller_name": caller.name,
            "agent_number": "+442071234567",
            "termination_reason": "Call ended by remote party",
            "call_metadata": {
                "start_time_unix_secs": int(started.timestamp()),
                "call_duration_secs": duration,
                "main_language": lang,
            },
            "elevenlabs_analysis": {},
            "status": "processed",
            "attempts": 1,
            "created_at": started + timedelta(seconds=duration),
            "summary": summary,
            "callback_needed": wants_callback,
            "callback_reason": scenario.reason if wants_callback else None,
            "callback_requested_time": when,
            "callback_urgent": wants_callback and rng.random() < scenario.urgent_rate,
            "sentiment": sentiment,
            "topics": list(scenario.topics),
            "language": lang,
            "analysis_provider": "offline:seed",
        }
        done = call["created_at"] + timedelta(seconds=rng.uniform(2, 40))
        call.update(enqueued_at=call["created_at"], last_attempt_at=done, processed_at=done, analysed_at=done)
        seeded = Seeded(call, index, lang, rare)
        if failed and not rare:  # the rare calls must be findable
            self._fail(call)
        elif wants_callback:
            self._callback(seeded, when)
        return seeded

    def _turns(self, scenario: Scenario, caller: Caller, callback: bool, when, rare: bool) -> list[dict]:
        rng, lang = self.rng, caller.language
        street = rng.choice(P.STREETS[lang])
        lines = [("agent", rng.choice(P.GREETINGS[lang]))]
        lines += [("user", text) for text in scenario.caller[lang]]
        lines.append(("agent", scenario.agent[lang]))
        talk = P.SMALL_TALK[lang]
        for ask, answer in rng.sample(talk, rng.randint(1, len(talk))):
            lines += [("agent", ask), ("user", answer.format(name=caller.name, street=street))]
        if rare:
            lines.append(("user", RARE_LINE))
        if callback:
            ask, confirm = P.CALLBACK_ASK[lang] if when else P.CALLBACK_PLAIN[lang]
            lines += [("user", ask.format(when=when)), ("agent", confirm.format(when=when))]
        for ask, answer in P.GOODBYES[lang]:
            lines += [("agent", ask), ("user", answer)]
        turns, t = [], 0.0
        for role, text in lines[:30]:
            turns.append({"role": role, "text": text, "t": round(t, 1)})
            t += 2 + len(text) / 14 + rng.uniform(0, 4)
        return turns

    def _fail(self, call: dict) -> None:
        step, error = self.rng.choice(FAILURES)
        call.update(status="failed", attempts=3, last_error=error, failed_step=step, processed_at=None)
        if step == "analyse":
            for key in (
                "summary",
                "callback_reason",
                "callback_requested_time",
                "sentiment",
                "language",
                "analysis_provider",
                "analysed_at",
            ):
                call[key] = None
            call.update(topics=[], callback_needed=None, callback_urgent=None)
        else:  # analysed, then stopped: no callback was opened for these
            call.update(
                callback_needed=False,
                callback_reason=None,
                callback_requested_time=None,
                callback_urgent=False,
            )

    def _callback(self, seeded: Seeded, when) -> None:
        rng, call = self.rng, seeded.call
        created = call["processed_at"]
        due = resolve_time(when, call["started_at"], self.zone) if when else None
        age_days = (self.now - created).total_seconds() / 86400
        urgent = call["callback_urgent"]
        # A backlog as a desk has one: most of the last days' still open, a few old ones forgotten,
        # urgent ones done within hours.
        finished = rng.random() < (
            (0.99 if age_days > 0.5 else 0.5)
            if urgent
            else 0.98
            if age_days > 14
            else 0.9
            if age_days > 3
            else 0.5
        )
        assignee = rng.choice(self.users) if self.users and (finished or rng.random() < 0.6) else None
        hours = rng.uniform(0.3, 4) if urgent else rng.uniform(0.3, 60)
        done_at = min(created + timedelta(hours=hours), self.now) if finished else None
        seeded.callback = {
            "tenant_id": self.tenant_id,
            "source": "analysis",
            "reason": call["callback_reason"],
            "requested_time": when,
            "due_at": due or created,
            "due_resolved": due is not None,
            "caller_number": call["caller_number"],
            "caller_name": call["caller_name"],
            "priority": "urgent" if urgent else "normal",
            "assignee_id": assignee.id if assignee else None,
            "state": "done" if finished else "open",
            "outcome": rng.choices(OUTCOMES, OUTCOME_WEIGHTS)[0] if finished else None,
            "created_at": created,
            "updated_at": done_at or created,
            "done_at": done_at,
        }
        event = {
            "tenant_id": self.tenant_id,
            "actor_id": None,
            "actor_email": None,
            "assignee_email": None,
            "outcome": None,
            "note": None,
        }
        seeded.events.append({**event, "action": "created", "created_at": created})
        by = {"actor_id": assignee.id, "actor_email": assignee.email} if assignee else {}
        if assignee:
            seeded.events.append(
                {
                    **event,
                    **by,
                    "action": "assigned",
                    "assignee_email": assignee.email,
                    "created_at": created + timedelta(minutes=5),
                }
            )
        if finished:
            seeded.events.append(
                {
                    **event,
                    **by,
                    "action": "done",
                    "outcome": seeded.callback["outcome"],
                    "created_at": done_at,
                }
            )
