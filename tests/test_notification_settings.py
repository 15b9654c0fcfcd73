"""Settings → Notifications: admins configure, members only read, the secret is shown once, tenants apart."""

from __future__ import annotations

import re

import pytest
from fakes.receiver import Receiver
from helpers import AuthActions, csrf_from, gen_workspace, run_jobs, second_workspace
from notify_helpers import BASE_CONFIG, PAGE, SECRET_RE, configure, save_notifications, verified
from sqlalchemy import select
from standardwebhooks.webhooks import WebhookVerificationError

from app import secrets_box
from app.extensions import db
from app.models import DeliveryAttempt, NotificationSettings, OutboundEvent


@pytest.fixture
def config_overrides(request):
    return {**BASE_CONFIG, **getattr(request, "param", {})}


@pytest.fixture
def rx():
    with Receiver() as server:
        yield server


@pytest.fixture
def owner(auth):
    gen_workspace(auth)
    return auth


def _settings() -> NotificationSettings | None:
    db.session.expire_all()
    return db.session.execute(select(NotificationSettings)).scalar_one_or_none()


def _member(owner, app, role="member") -> AuthActions:
    email = f"{role}@acme.test"
    response = owner.post_form("/team", {"email": email, "role": role, "password": "staff-password-1"})
    assert response.status_code == 302
    member = AuthActions(app.test_client())
    assert member.login(email, "staff-password-1").status_code == 302
    return member


def test_the_secret_is_shown_once_then_only_its_hint(owner, client, rx):
    response = save_notifications(owner, rx.url)
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    secret = SECRET_RE.search(response.get_data(as_text=True)).group(0)
    assert secret.startswith("whsec_") and len(secret) == len("whsec_") + 44  # 32 random bytes

    page = client.get(PAGE)
    text = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert secret not in text and SECRET_RE.search(text) is None
    assert secret[:10] + "…" in text  # the hint

    # Saving again keeps the secret and does not show it.
    again = save_notifications(owner, rx.url + "?v=2", "office@acme.test")
    assert again.status_code == 302
    assert secret not in client.get(PAGE).get_data(as_text=True)
    row = _settings()
    assert (row.url, row.email) == (rx.url + "?v=2", "office@acme.test")
    assert secret not in row.secret_encrypted  # stored encrypted
    assert secrets_box.decrypt(row.secret_encrypted) == secret


def test_rotating_makes_a_new_secret_that_signs_the_next_delivery(owner, app, client, rx):
    old = configure(owner, rx.url)
    response = owner.post_form(f"{PAGE}/rotate", {})
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    new = SECRET_RE.search(response.get_data(as_text=True)).group(0)
    assert new != old
    assert new not in client.get(PAGE).get_data(as_text=True)

    assert owner.post_form(f"{PAGE}/test", {}).status_code == 302
    run_jobs(app)
    [request] = rx.requests
    assert verified(request, new)["type"] == "test"
    with pytest.raises(WebhookVerificationError):
        verified(request, old)


@pytest.mark.parametrize("config_overrides", [{"OUTBOUND_ALLOW_PRIVATE": False}], indirect=True)
@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("http://localhost:8080/hook", "localhost is a local address; only public addresses are allowed."),
        ("http://127.0.0.1/hook", "resolves to 127.0.0.1"),
        ("http://169.254.169.254/latest/meta-data", "resolves to 169.254.169.254"),
        ("http://[::1]/hook", "resolves to ::1"),
        ("ftp://files.example.com/", "must start with http:// or https://"),
    ],
)
def test_private_or_odd_urls_are_refused_with_a_clear_error(owner, url, message):
    response = save_notifications(owner, url)
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert _settings() is None


def test_a_bad_workspace_address_is_refused(owner, rx):
    response = save_notifications(owner, rx.url, "office@acme.test\r\nBcc: evil@example.com")
    assert response.status_code == 400
    assert "Enter one e-mail address." in response.get_data(as_text=True)
    assert _settings() is None


def test_an_empty_url_turns_webhooks_off(owner, app, rx):
    configure(owner, rx.url)
    assert save_notifications(owner, "").status_code == 302
    assert _settings().url is None
    response = owner.post_form(f"{PAGE}/test", {})
    assert "Nothing to send: set a webhook URL first" in owner.client.get(PAGE).get_data(as_text=True)
    assert response.status_code == 302
    run_jobs(app)
    assert rx.requests == []


def test_members_see_the_settings_but_cannot_change_them(owner, app, rx):
    configure(owner, rx.url)
    member = _member(owner, app, "member")
    page = member.client.get(PAGE)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert rx.url in text and 'name="notify_url"' not in text
    assert "Only owners and admins can change notifications." in text
    for path, data in [
        (PAGE, {"notify_url": "http://127.0.0.1:1/x"}),
        (f"{PAGE}/rotate", {}),
        (f"{PAGE}/test", {}),
    ]:
        assert member.post_form(path, data, page="/calls").status_code == 403
    assert _settings().url == rx.url
    assert db.session.execute(select(OutboundEvent)).first() is None


def test_admins_may_change_them(owner, app, rx):
    admin = _member(owner, app, "admin")
    assert configure(admin, rx.url)


@pytest.mark.parametrize("path", [PAGE, f"{PAGE}/rotate", f"{PAGE}/test"])
def test_every_form_needs_its_csrf_token(owner, client, rx, path):
    configure(owner, rx.url)
    before = _settings().secret_encrypted
    response = client.post(path, data={"notify_url": "http://127.0.0.1:9/other"})
    assert response.status_code == 400
    assert "Form expired" in response.get_data(as_text=True)
    assert _settings().url == rx.url and _settings().secret_encrypted == before
    assert db.session.execute(select(OutboundEvent)).first() is None


def test_the_test_button_and_the_attempt_list(owner, app, client, rx):
    configure(owner, rx.url)
    rx.replies = [500]
    assert owner.post_form(f"{PAGE}/test", {}).status_code == 302
    page = client.get(PAGE).get_data(as_text=True)
    assert "Test event queued" in page
    assert 'hx-trigger="every 3s"' in page  # the list refreshes itself while an event is on its way
    run_jobs(app)
    fragment = client.get(PAGE, headers={"HX-Request": "true", "HX-Target": "notify-attempts"})
    html = fragment.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="notify-attempts"') and "<nav" not in html
    assert "every 3s" not in html  # nothing pending any more
    rows = re.findall(r'<tr data-attempt-id="(\d+)">(.*?)</tr>', html, re.S)
    assert [int(i) for i, _ in rows] == sorted((int(i) for i, _ in rows), reverse=True)  # newest first
    newest, oldest = rows[0][1], rows[-1][1]
    assert (
        "HTTP 200" in newest and "delivered" in newest and "webhook #<span data-attempt-number>2<" in newest
    )
    assert "HTTP 500" in oldest and "retrying" in oldest and "webhook #<span data-attempt-number>1<" in oldest
    assert "<code>test</code>" in newest and " ms" in newest


def test_an_attempt_page_shows_what_was_sent_escaped(owner, app, client, rx):
    configure(owner, rx.url)
    rx.answer_body = b"<b>thanks</b>"
    owner.post_form(f"{PAGE}/test", {})
    run_jobs(app)
    attempt_id = db.session.execute(select(DeliveryAttempt.id)).scalar_one()
    page = client.get(f"{PAGE}/attempts/{attempt_id}")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "&lt;b&gt;thanks&lt;/b&gt;" in text and "<b>thanks</b>" not in text
    assert "Test event from CallDesk Settings." in text
    assert SECRET_RE.search(text) is None


def test_another_workspace_gets_404_and_sees_nothing(owner, app, client, rx):
    configure(owner, rx.url)
    owner.post_form(f"{PAGE}/test", {})
    run_jobs(app)
    attempt_id = db.session.execute(select(DeliveryAttempt.id)).scalar_one()
    assert client.get(f"{PAGE}/attempts/{attempt_id}").status_code == 200
    other = second_workspace(app)
    assert other.get(f"{PAGE}/attempts/{attempt_id}").status_code == 404
    page = other.get(PAGE).get_data(as_text=True)
    assert rx.url not in page and f'data-attempt-id="{attempt_id}"' not in page
    # B's own settings are B's: saving them leaves A's alone.
    token = csrf_from(page)
    assert other.post(PAGE, data={"notify_url": rx.url + "/b", "csrf_token": token}).status_code == 200
    urls = db.session.execute(select(NotificationSettings.url).order_by(NotificationSettings.id)).scalars()
    assert list(urls) == [rx.url, rx.url + "/b"]


def test_settings_page_links_to_notifications(owner, client):
    assert f'href="{PAGE}"' in client.get("/settings").get_data(as_text=True)
