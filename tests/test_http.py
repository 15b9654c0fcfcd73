"""Response headers and proxies: what every page sends, and what a trusted proxy may change."""

from __future__ import annotations

import pytest


def test_pages_send_security_headers(client, auth):
    auth.signup()
    resp = client.get("/calls")
    csp = resp.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "frame-ancestors 'none'" in csp
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["Cache-Control"] == "no-store"


def test_no_inline_script_in_pages(client, auth):
    """The CSP forbids inline scripts; make sure no template relies on one."""
    auth.signup()
    for path in ("/calls", "/agents", "/settings", "/jobs", "/login"):
        html = client.get(path).get_data(as_text=True)
        assert "<script>" not in html and "onsubmit=" not in html and "onclick=" not in html


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


def test_login_session_is_permanent_with_a_bounded_lifetime(client, auth, app):
    resp = auth.signup()
    cookie = resp.headers["Set-Cookie"]
    assert "Expires=" in cookie
    assert app.config["PERMANENT_SESSION_LIFETIME"].total_seconds() == 12 * 3600
