"""E-mail notifications through SMTP, against a local aiosmtpd server."""

from __future__ import annotations

from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from helpers import gen_workspace, run_jobs
from processes import free_port
from sqlalchemy import select

from app.extensions import db
from app.models import DeliveryAttempt, OutboundEvent, Tenant
from app.notifications import notify, save_settings
from app.notifications.mail import MailConfigError, one_line, parse_smtp_url


class Inbox:
    """aiosmtpd handler: keeps every message with its envelope."""

    def __init__(self):
        self.messages: list[dict] = []
        self.logins: list[tuple[str, str]] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(
            {
                "mail_from": envelope.mail_from,
                "rcpt_tos": list(envelope.rcpt_tos),
                "message": message_from_bytes(envelope.original_content, policy=policy.default),
            }
        )
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        self.logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)


SMTP_PORT = free_port()


@pytest.fixture
def inbox():
    box = Inbox()
    controller = Controller(
        box,
        hostname="127.0.0.1",
        port=SMTP_PORT,
        authenticator=box.authenticate,
        auth_require_tls=False,
    )
    controller.start()
    yield box
    controller.stop()


@pytest.fixture
def config_overrides(request):
    base = {
        "SMTP_URL": f"smtp://127.0.0.1:{SMTP_PORT}",
        "SMTP_FROM": "CallDesk <calldesk@acme.test>",
        "NOTIFY_RETRY_INTERVALS": [0, 0],
        "OUTBOUND_TIMEOUT_S": 5.0,
    }
    return {**base, **getattr(request, "param", {})}


@pytest.fixture
def tenant_id(auth):
    gen_workspace(auth)
    tenant_id = db.session.execute(select(Tenant.id)).scalar_one()
    save_settings(tenant_id, None, "office@acme.test")
    return tenant_id


def _callback_data(name="Ann Lee", reason="No hot water since Monday") -> dict:
    return {
        "call_id": 7,
        "conversation_id": "conv_1",
        "summary": "Boiler broken.",
        "caller": {"number": "+447700900123", "name": name},
        "callback": {
            "reason": reason,
            "requested_time": "tomorrow morning",
            "due_at": "2026-12-01T09:00:00Z",
        },
    }


def test_a_callback_event_is_mailed_to_the_assignee_and_the_workspace(app, tenant_id, inbox):
    event_id = notify(tenant_id, "callback.created", _callback_data(), email_to=["sam@acme.test"])
    run_jobs(app)
    [mail] = inbox.messages
    assert sorted(mail["rcpt_tos"]) == ["office@acme.test", "sam@acme.test"]
    assert mail["mail_from"] == "calldesk@acme.test"
    msg = mail["message"]
    assert msg["Subject"] == "[CallDesk] A caller needs a callback: Ann Lee"
    assert msg.get_content_type() == "text/plain"
    text = msg.get_content()
    assert "Caller: Ann Lee +447700900123" in text and "Reason: No hot water since Monday" in text
    assert "Due: 2026-12-01T09:00:00Z" in text
    event = db.session.get(OutboundEvent, event_id)
    assert (event.status, event.email_status) == ("skipped", "delivered")  # no URL: e-mail only
    [attempt] = db.session.execute(select(DeliveryAttempt)).scalars()
    assert (attempt.channel, attempt.outcome, attempt.number) == ("email", "delivered", 1)


def test_caller_text_cannot_inject_headers_or_recipients(app, tenant_id, inbox):
    evil = "Eve\r\nBcc: evil@example.com\r\nSubject: pwned"
    notify(
        tenant_id,
        "callback.created",
        _callback_data(name=evil, reason="x\r\n.\r\nRCPT TO:<evil@example.com>"),
    )
    run_jobs(app)
    [mail] = inbox.messages
    assert mail["rcpt_tos"] == ["office@acme.test"]
    msg = mail["message"]
    assert msg["Bcc"] is None and len(msg.get_all("Subject")) == 1
    assert "\n" not in msg["Subject"] and "\r" not in msg["Subject"]
    assert msg["Subject"].startswith("[CallDesk] A caller needs a callback: Eve Bcc: evil@example.com")


def test_a_single_address_may_be_passed_bare(app, tenant_id, inbox):
    notify(tenant_id, "callback.assigned", _callback_data(), email_to="sam@acme.test")
    run_jobs(app)
    assert sorted(inbox.messages[0]["rcpt_tos"]) == ["office@acme.test", "sam@acme.test"]


def test_processed_calls_are_not_mailed(app, tenant_id, inbox):
    assert notify(tenant_id, "call.processed", _callback_data()) is None  # no URL, and no e-mail for it
    run_jobs(app)
    assert inbox.messages == []


@pytest.mark.parametrize("config_overrides", [{"SMTP_URL": ""}], indirect=True)
def test_without_smtp_nothing_is_mailed(app, tenant_id, inbox):
    assert notify(tenant_id, "callback.created", _callback_data(), email_to=["sam@acme.test"]) is None
    assert inbox.messages == []


@pytest.mark.parametrize(
    "config_overrides",
    [{"SMTP_URL": f"smtp://mailer%40acme.test:p%40ss%3Aword@127.0.0.1:{SMTP_PORT}"}],
    indirect=True,
)
def test_credentials_in_the_url_are_used(app, tenant_id, inbox):
    notify(tenant_id, "test", {"message": "hi"})
    run_jobs(app)
    assert inbox.logins == [("mailer@acme.test", "p@ss:word")]
    assert inbox.messages[0]["message"]["Subject"] == "[CallDesk] Test event from Settings"


@pytest.mark.parametrize("config_overrides", [{"SMTP_URL": f"smtp://127.0.0.1:{free_port()}"}], indirect=True)
def test_an_unreachable_mail_server_is_retried_then_failed(app, tenant_id):
    event_id = notify(tenant_id, "test", {})
    run_jobs(app)
    attempts = list(db.session.execute(select(DeliveryAttempt).order_by(DeliveryAttempt.id)).scalars())
    assert [(a.channel, a.number, a.outcome) for a in attempts] == [
        ("email", 1, "retrying"),
        ("email", 2, "retrying"),
        ("email", 3, "failed"),
    ]
    assert "ConnectionRefusedError" in attempts[0].error
    db.session.expire_all()
    assert db.session.get(OutboundEvent, event_id).email_status == "failed"


def test_smtp_urls():
    plain = parse_smtp_url("smtp://u%40x:p%2Fw@mail.example.com")
    assert (plain.host, plain.port, plain.implicit_tls, plain.username, plain.password) == (
        "mail.example.com",
        587,
        False,
        "u@x",
        "p/w",
    )
    tls = parse_smtp_url("smtps://mail.example.com")
    assert (tls.port, tls.implicit_tls, tls.username) == (465, True, None)
    with pytest.raises(MailConfigError):
        parse_smtp_url("http://mail.example.com")


def test_one_line_flattens_control_characters():
    assert one_line("a\r\nb\tc\x00d\u2028e") == "a b c d e"
    assert len(one_line("x" * 500)) == 150
