"""Response headers and proxies: what every page sends, and what a trusted proxy may change."""

from __future__ import annotations

from html.parser import HTMLParser

import itsdangerous.timed
import pytest
from helpers import AuthActions, deliver, gen_workspace, run_jobs, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import WebhookEvent


def test_pages_send_security_headers(client, auth):
    auth.signup()
    resp = client.get("/calls")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


class InlineScriptFinder(HTMLParser):
    """Collects every piece of script the CSP (script-src 'self') would block or that needs a nonce."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name.startswith(("on", "hx-on")):
                self.found.append(f"<{tag} {name}=...>")  # event handler attribute (hx-on needs eval)
            elif (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"<{tag} {name}=javascript:...>")
        if tag == "script":
            self._in_script = True
            names = {name for name, _ in attrs}
            if "src" not in names or "nonce" in names:
                self.found.append(f"<script {' '.join(sorted(names))}>")

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script and data.strip():
            self.found.append(f"script body {data.strip()[:40]!r}")


def inline_scripts(html: str) -> list[str]:
    finder = InlineScriptFinder()
    finder.feed(html)
    finder.close()
    return finder.found


@pytest.mark.parametrize(
    "html",
    [
        "<script>alert(1)</script>",
        '<script nonce="abc">alert(1)</script>',
        '<script nonce="abc" src="/static/app.js"></script>',
        '<script type="module">import "/x.js"</script>',
        '<script src="/static/app.js">alert(1)</script>',
        '<form onsubmit="go()"></form>',
        "<button ONCLICK=go()>x</button>",
        '<div hx-on:click="go()"></div>',
        '<a href="javascript:go()">x</a>',
    ],
)
def test_does_the_inline_script_check_catch(html):
    assert inline_scripts(html)


def test_no_inline_script_in_pages(client, auth, app):
    """The CSP allows only script files from this site: no page may carry a script of its own."""
    gen_workspace(auth)
    call_id = deliver(client, sample_payload()).json["call_id"]
    run_jobs(app)
    event_id = db.session.execute(select(WebhookEvent.id)).scalars().first()
    pages = ["/calls", f"/calls/{call_id}", f"/calls/{call_id}/similar", "/search?q=sink", "/jobs"]
    pages += ["/deliveries", f"/deliveries/{event_id}", "/agents", "/settings", "/team", "/account"]
    for path in pages:
        response = client.get(path)
        assert response.status_code == 200, path
        assert inline_scripts(response.get_data(as_text=True)) == [], path
    assert inline_scripts(client.get("/calls").get_data(as_text=True)) == []
    AuthActions(client).logout()
    for path in ("/login", "/signup"):
        assert inline_scripts(client.get(path).get_data(as_text=True)) == [], path
    assert '<script src="/static/app.js" defer></script>' in client.get("/login").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [{"PROXY_FIX_HOPS": 1}], indirect=True)
def test_trusted_proxy_sets_scheme_and_host_for_links(client, auth, config_overrides):
    auth.signup()
    html = client.get(
        "/settings", headers={"X-Forwarded-Proto": "https", "X-Forwarded-Host": "calls.example.com"}
    ).get_data(as_text=True)
    assert "https://calls.example.com/api/webhooks/elevenlabs/call-ended" in html


def test_without_proxy_fix_forwarded_headers_are_ignored(client, auth):
    auth.signup()
    html = client.get("/settings", headers={"X-Forwarded-Host": "evil.example"}).get_data(as_text=True)
    assert "evil.example" not in html


class Clock:
    """The clock the session cookie's signature is stamped and checked with, moved by hand."""

    def __init__(self):
        self.now = 1_800_000_000.0

    def time(self) -> float:
        return self.now


def test_is_a_session_refused_once_older_than_its_lifetime(client, auth, app, monkeypatch):
    """12 hours (SESSION_HOURS) after sign-in the server refuses the cookie; reading pages does not
    extend it (the cookie is rewritten only when the session changes, e.g. by a flash message)."""
    clock = Clock()
    monkeypatch.setattr(itsdangerous.timed, "time", clock)
    resp = auth.signup()
    assert "Expires=" in resp.headers["Set-Cookie"]  # permanent: not ended by closing the browser
    assert client.get("/agents").status_code == 200  # shows (and so removes) the welcome message
    lifetime = app.permanent_session_lifetime.total_seconds()
    assert lifetime == 12 * 3600

    clock.now += lifetime - 60
    assert client.get("/calls").status_code == 200
    clock.now += 61
    resp = client.get("/calls")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
