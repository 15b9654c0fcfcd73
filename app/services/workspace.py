"""A workspace's own setup: its ElevenLabs agents, webhook signing secret, analysis guidance, time zone."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from .. import secrets_box
from ..extensions import db
from ..models import Agent, Tenant
from ..providers.base import LANGUAGE_NAMES

# What summaries can be written in: the languages the offline analyser writes (OpenAI writes them
# all), or "auto", the language the caller spoke.
SUMMARY_LANGUAGES = [
    ("en", "English"),
    ("es", "Spanish (español)"),
    ("de", "German (Deutsch)"),
    ("fr", "French (français)"),
    ("auto", "The language the caller spoke"),
]


class AgentTaken(ValueError):
    def __init__(self):
        super().__init__("This agent ID is already registered (an agent belongs to one workspace).")


def tenant_id_by_slug(slug: str) -> int | None:
    return db.session.execute(select(Tenant.id).where(Tenant.slug == slug)).scalar_one_or_none()


def add_agent(tenant_id: int, agent_id: str, name: str) -> Agent:
    """Register an agent: its deliveries now reach this workspace. Raises AgentTaken."""
    agent_id = agent_id.strip()
    if db.session.execute(select(Agent.id).where(Agent.agent_id == agent_id)).first():
        raise AgentTaken
    agent = Agent(tenant_id=tenant_id, agent_id=agent_id, name=name.strip())
    db.session.add(agent)
    try:
        db.session.commit()
    except IntegrityError:  # registered by someone else a moment ago
        db.session.rollback()
        raise AgentTaken from None
    return agent


def remove_agent(agent: Agent) -> None:
    """Past calls are kept; new deliveries for the agent are refused."""
    db.session.delete(agent)
    db.session.commit()


def set_webhook_secret(tenant: Tenant, secret: str | None) -> None:
    """Store the signing secret encrypted (None removes it); only its last characters stay readable."""
    tenant.webhook_secret_encrypted = secrets_box.encrypt(secret) if secret else None
    tenant.webhook_secret_hint = secrets_box.hint(secret) if secret else None
    db.session.commit()


def set_analysis_instructions(tenant: Tenant, text: str | None) -> None:
    tenant.analysis_instructions = (text or "").strip() or None
    db.session.commit()


def set_summary_language(tenant: Tenant, code: str) -> None:
    """Summaries of calls processed from now on are written in `code` ("auto": the caller's)."""
    if code not in dict(SUMMARY_LANGUAGES):
        raise ValueError(f"unsupported summary language {code!r}")
    tenant.summary_language = code
    db.session.commit()


def language_name(code: str | None) -> str:
    """ "Spanish (es)" for a code the app knows, the code itself otherwise."""
    if not code:
        return "—"
    name = LANGUAGE_NAMES.get(code.lower()[:2])
    return f"{name} ({code})" if name else code


def set_timezone(tenant: Tenant, zone: str, phone_region: str | None) -> None:
    """Times are shown and requested times resolved in `zone` from now on (both already validated)."""
    tenant.timezone = zone
    tenant.phone_region = (phone_region or "").strip().upper() or None
    db.session.commit()
