"""E-mail notifications through SMTP (SMTP_URL): plain text, and nothing a caller said reaches a header."""

from __future__ import annotations

import json
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import make_msgid
from urllib.parse import unquote, urlsplit

from .events import EVENT_TYPES

SUBJECT_LIMIT = 150


class MailConfigError(ValueError):
    """SMTP_URL cannot be used as given."""


@dataclass(frozen=True)
class SmtpTarget:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpTarget:
    """smtp://user:pass@host:587 (STARTTLS when offered) or smtps://user:pass@host:465 (TLS at once)."""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise MailConfigError(
            "SMTP_URL must look like smtp://user:pass@host:587 or smtps://user:pass@host:465"
        )
    implicit = parts.scheme == "smtps"
    return SmtpTarget(
        host=parts.hostname,
        port=parts.port or (465 if implicit else 587),
        implicit_tls=implicit,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


def one_line(text: str, limit: int = SUBJECT_LIMIT) -> str:
    """Text fit for a header: control characters (CR, LF, ...) become spaces, and it is cut to `limit`."""
    flat = "".join(" " if ord(ch) < 32 or ord(ch) == 127 or ch in "\u2028\u2029\x85" else ch for ch in text)
    flat = " ".join(flat.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def compose(event_type: str, body: str) -> tuple[str, str]:
    """Subject and plain-text body of an event's e-mail, from the JSON body that was recorded."""
    data = json.loads(body).get("data") or {}
    caller = data.get("caller") or {}
    callback = data.get("callback") or {}
    who = caller.get("name") or caller.get("number") or ""
    title = EVENT_TYPES.get(event_type, event_type)
    subject = one_line(f"[CallDesk] {title}" + (f": {who}" if who else ""))
    lines = [title + ".", ""]
    fields = [
        ("Caller", " ".join(x for x in (caller.get("name"), caller.get("number")) if x)),
        ("Reason", callback.get("reason")),
        ("Requested time", callback.get("requested_time")),
        ("Due", callback.get("due_at")),
        ("Priority", callback.get("priority")),
        ("Assignee", (callback.get("assignee") or {}).get("email")),
        ("Outcome", callback.get("outcome")),
        ("Summary", data.get("summary")),
        ("Call", data.get("call_id")),
        ("Conversation", data.get("conversation_id")),
        ("Message", data.get("message")),
        ("Budget (USD)", data.get("budget_usd")),
        ("Spent this month (USD)", data.get("spent_usd")),
        ("Calls waiting", data.get("waiting_calls")),
    ]
    lines += [f"{label}: {value}" for label, value in fields if value not in (None, "")]
    return subject, "\n".join(lines) + "\n"


def send(
    target: SmtpTarget, sender: str, recipients: list[str], subject: str, text: str, timeout: float
) -> None:
    """Send one plain-text message to every recipient; raises smtplib.SMTPException or OSError."""
    msg = EmailMessage(policy=SMTP)
    msg["From"] = one_line(sender, 254)
    msg["To"] = ", ".join(recipients)
    msg["Subject"] = one_line(subject)
    msg["Message-ID"] = make_msgid(domain="calldesk")
    msg.set_content(text)
    context = ssl.create_default_context()
    if target.implicit_tls:
        server: smtplib.SMTP = smtplib.SMTP_SSL(target.host, target.port, timeout=timeout, context=context)
    else:
        server = smtplib.SMTP(target.host, target.port, timeout=timeout)
    with server:
        server.ehlo()
        encrypted = target.implicit_tls
        if not encrypted and server.has_extn("starttls"):
            server.starttls(context=context)
            server.ehlo()
            encrypted = True
        if target.username:
            if not encrypted and target.host not in ("localhost", "127.0.0.1", "::1"):
                raise smtplib.SMTPException(
                    "refusing to send the SMTP password over an unencrypted connection"
                )
            server.login(target.username, target.password or "")
        # The envelope is the validated list, never anything parsed back out of the headers.
        server.send_message(msg, from_addr=None, to_addrs=recipients)
