"""The checks of one delivery, in order: its head names the agent (so that a large body can be verified
while it streams), the body is read within its limit, the signature is checked, then the content."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import current_app
from pydantic import ValidationError
from sqlalchemy import bindparam, select

from .. import secrets_box
from ..extensions import db
from ..models import AUDIO_EVENT, Agent, Tenant, WebhookEvent
from ..services.phones import region_for_zone
from . import callers, head, payload
from .body import Body
from .signature import SignatureError, check, new_mac, parse_header
from .values import Rejected, checked_id, id_problem, parse_json, short

AUDIO = AUDIO_EVENT


@dataclass
class Reply:
    status: int
    body: dict
    headers: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Sender:
    """The registered agent a delivery names, and its workspace's signing secret."""

    agent_pk: int
    agent_name: str
    tenant_id: int
    secret: str | None
    region: str | None = None  # for phone numbers written without a country code


# Built once (every delivery runs it): the registered agent a delivery names, with its workspace's secret.
_SENDER = (
    select(
        Agent.id,
        Agent.name,
        Agent.tenant_id,
        Tenant.webhook_secret_encrypted,
        Tenant.phone_region,
        Tenant.timezone,
    )
    .join(Tenant, Tenant.id == Agent.tenant_id)
    .where(Agent.agent_id == bindparam("agent_id"))
)


def _require_object(bad_json: Rejected | None, data) -> None:
    if bad_json:
        raise bad_json
    if not isinstance(data, dict):
        raise Rejected(422, "data: expected an object")


class Delivery:
    """One delivery being checked; `trusted` once it is proven to come from a registered agent's workspace."""

    def __init__(self, event: WebhookEvent, body: Body):
        self.event = event
        self.body = body
        self.cfg = current_app.config
        self.trusted = False
        self.agent_id = None  # the agent it names: in its head, then in the whole document
        self.sender: Sender | None = None
        self.secret: str | None = None
        self.doc: dict | None = None
        self.bad_json: Rejected | None = None
        self._senders: dict[str, Sender | None] = {}

    def check(self) -> Reply | payload.CallData | callers.MissedCall:
        """An answer (ignored), or the call to store; raises Rejected with the reason."""
        self._read()
        self._parse()
        self._check_size()
        self._verify()
        if self.sender is None:
            self._refuse_stranger()
        return self._check_content()

    def _read(self) -> None:
        """The head names the agent, whose secret checks a large body while it streams past."""
        cfg, body = self.cfg, self.body
        hint = head.scan(body.read_head(cfg["WEBHOOK_REJECTED_BODY_BYTES"]))
        self._note(hint.type, hint.agent_id, hint.conversation_id)
        self._claim(hint.agent_id)
        if not body.ended:
            db.session.rollback()  # no connection held while the rest of a large body arrives
        # Audio is never held (tens of MB); a body whose head names no agent cannot be streamed.
        self.streamed = hint.type == AUDIO and id_problem(hint.agent_id) is None
        self.limit = cfg["WEBHOOK_AUDIO_MAX_BYTES"] if self.streamed else cfg["WEBHOOK_MAX_BYTES"]
        self.read_max = max(self.limit, cfg["WEBHOOK_AUDIO_MAX_BYTES"])
        self.signed, self.unsigned_why = self._signature_header()
        secret, signed = self.secret, self.signed
        body.finish(
            hold_max=0 if self.streamed else self.limit,
            read_max=self.read_max,
            new_mac=lambda: new_mac(secret, signed.timestamp) if secret and signed else None,
        )

    def _parse(self) -> None:
        """A body held whole is parsed, and then its document has the last word over its head."""
        if self.body.data is None:
            return
        try:
            self.doc = parse_json(self.body.data)
        except Rejected as exc:
            self.bad_json = exc
            return
        data = self._data()
        self._note(self.doc.get("type"), data.get("agent_id"), data.get("conversation_id"))
        self._claim(data.get("agent_id"))

    def _check_size(self) -> None:
        if self.body.broken:
            raise Rejected(400, f"body incomplete: the sender stopped after {self.body.size} bytes")
        if self.body.cut:
            kind = f" for {AUDIO}" if self.streamed else ""
            raise Rejected(
                413,
                f"body larger than the {self.read_max} byte limit{kind}; not read to the end, "
                "so its signature was not checked",
            )

    def _refuse_stranger(self) -> None:
        """No registered agent: say why, as precisely as the body allows."""
        if self.body.data is not None:
            _require_object(self.bad_json, self._raw_data())
        elif self.agent_id is None:
            raise Rejected(
                413,
                f"body larger than the {self.limit} byte limit, and its data.agent_id was not in the "
                f"first {self.cfg['WEBHOOK_REJECTED_BODY_BYTES'] // 1024} KB, so whose it is is unknown",
            )
        checked_id("agent_id", self.agent_id)
        raise Rejected(404, f"unknown agent_id {self.event.agent_id!r}: register it under Agents")

    def _check_content(self) -> Reply | payload.CallData | callers.MissedCall:
        if self.body.data is None:
            if self.event.event_type != AUDIO:
                raise Rejected(413, f"body larger than the {self.limit} byte limit")
            return self._ignored(AUDIO)
        _require_object(self.bad_json, self._raw_data())
        kind = self.event.event_type or payload.TRANSCRIPTION
        if kind not in (payload.TRANSCRIPTION, callers.INITIATION_FAILURE):
            return self._ignored(kind)
        data = self._data()
        checked_id("conversation_id", data.get("conversation_id"))
        try:
            if kind == callers.INITIATION_FAILURE:  # a missed call: stored, never analysed
                at = callers.event_time(self.doc.get("event_timestamp"))
                return callers.MissedCall(callers.FailureData.model_validate(data), at)
            return payload.CallData.model_validate(data)
        except ValidationError as exc:
            raise Rejected(422, payload.describe(exc)) from None

    def _raw_data(self):
        return None if self.doc is None else self.doc.get("data")

    def _data(self) -> dict:
        data = self._raw_data()
        return data if isinstance(data, dict) else {}

    def _claim(self, agent_id) -> None:
        """The delivery names this agent: its workspace (if registered) and the secret to check with."""
        self.agent_id = agent_id
        self.sender = self._find(agent_id) if id_problem(agent_id) is None else None
        own = self.sender.secret if self.sender else None
        self.secret = own or self.cfg["ELEVENLABS_WEBHOOK_SECRET"] or None
        self.event.tenant_id = self.sender.tenant_id if self.sender else None

    def _ignored(self, kind: str) -> Reply:
        self.event.outcome = "ignored"
        self.event.reason = f"{kind} events are recorded, not processed"
        if kind == AUDIO:
            self.event.reason += " (the audio is not kept)"
        return Reply(200, {"status": "ignored", "reason": self.event.reason})

    def _note(self, kind, agent_id, conversation_id) -> None:
        """What the deliveries log shows of it, whatever becomes of it."""
        self.event.event_type = short(kind, 64)
        self.event.agent_id = short(agent_id)
        self.event.conversation_id = short(conversation_id)

    def _find(self, agent_id: str) -> Sender | None:
        if agent_id not in self._senders:
            row = db.session.execute(_SENDER, {"agent_id": agent_id}).one_or_none()
            self._senders[agent_id] = (
                None
                if row is None
                else Sender(*row[:3], secrets_box.decrypt(row[3]), row[4] or region_for_zone(row[5]))
            )
        return self._senders[agent_id]

    def _signature_header(self):
        try:
            signed = parse_header(
                self.event.headers.get("elevenlabs-signature"),
                past_s=self.cfg["WEBHOOK_TOLERANCE_PAST_S"],
                future_s=self.cfg["WEBHOOK_TOLERANCE_FUTURE_S"],
            )
        except SignatureError as exc:
            return None, str(exc)
        return signed, None

    def _verify(self) -> None:
        if not self.secret:
            if self.sender is not None and not self.cfg["WEBHOOK_ALLOW_UNSIGNED"]:
                raise Rejected(
                    401, "no webhook signing secret is configured for this agent's workspace (Settings)"
                )
            self.trusted = self.sender is not None  # unsigned deliveries allowed by the operator
            return
        self.event.signature_valid = False
        if self.signed is None:
            raise Rejected(401, f"signature rejected: {self.unsigned_why}")
        mac = self.body.mac  # computed while it streamed, with the secret of the agent its head named
        if self.body.data is not None:
            mac = new_mac(self.secret, self.signed.timestamp)
            mac.update(self.body.data)
        try:
            check(mac, self.signed)
        except SignatureError as exc:
            raise Rejected(401, f"signature rejected: {exc}") from None
        self.event.signature_valid = True
        self.trusted = self.sender is not None
