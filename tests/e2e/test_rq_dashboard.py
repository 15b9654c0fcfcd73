"""rq-dashboard in a real browser, under the CSP of /admin/rq: its pages work (rows load, Requeue
works), hostile job text cannot run as script, and a form on another origin of the same site, which
SameSite=Lax lets carry the session cookie, cannot requeue a job.

The app is served by werkzeug in a thread of the test process; the "attacker" page by a second
server on another port of the same host (same site, other origin).
"""

from __future__ import annotations

import threading
from contextlib import contextmanager

import pytest
from helpers import failed_job
from playwright.sync_api import expect, sync_playwright
from processes import free_port
from rq.job import Job, JobStatus
from sqlalchemy import update
from test_browser import CHROMIUM_ARGS, chromium_path
from werkzeug.serving import make_server

from app.extensions import db
from app.models import User
from app.services import accounts
from app.services.jobs import redis_conn

pytestmark = pytest.mark.e2e

EMAIL, PASSWORD = "ops@platform.test", "operator-pass-1"
MARK = "window.__pwned = 1"
HOSTILE = f'<img src="/nothing.png" onerror="{MARK}"><script>{MARK}</script>'
# Runs before any page script (Playwright injects it outside the page's CSP): records CSP violations.
RECORD_VIOLATIONS = (
    "window.__csp = [];"
    "document.addEventListener('securitypolicyviolation', e => window.__csp.push(e.violatedDirective));"
)


@contextmanager
def serving(wsgi_app):
    server = make_server("127.0.0.1", free_port(), wsgi_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)


def attacker_page(target: str):
    """A WSGI app whose page auto-submits a form to `target` (what a hostile site would serve)."""
    html = (
        f'<form id="f" method="post" action="{target}"></form>'
        "<script>document.getElementById('f').submit()</script>"
    ).encode()

    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "text/html"), ("Content-Length", str(len(html)))])
        return [html]

    return app


@pytest.fixture
def page(app):
    """A signed-in superuser's browser tab on the app; yields (page, base_url)."""
    user = accounts.signup("Platform", EMAIL, PASSWORD)
    db.session.execute(update(User).where(User.id == user.id).values(is_superuser=True))
    db.session.commit()
    with serving(app) as base_url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(base_url=base_url)
            context.set_default_timeout(10_000)
            context.add_init_script(RECORD_VIOLATIONS)
            tab = context.new_page()
            tab.goto("/login")
            tab.get_by_label("Email", exact=True).fill(EMAIL)
            tab.get_by_label("Password", exact=True).fill(PASSWORD)
            tab.get_by_role("button", name="Sign in").click()
            tab.wait_for_url("**/calls")
            yield tab, base_url
        finally:
            browser.close()


def hostile_failed_job() -> Job:
    """A failed job whose description and error carry markup, as a job enqueued by an older version
    (whose descriptions quoted the conversation id) could."""
    return failed_job(description=HOSTILE, exc_string=f"ValueError: {HOSTILE}")


def test_dashboard_works_under_its_csp_and_requeue_works(page):
    tab, _ = page
    job = hostile_failed_job()
    tab.goto("/admin/rq/0/view/jobs/calls/failed/8/asc/1")
    row = tab.locator('tr[data-role="job"]')
    expect(row).to_have_count(1)  # its scripts ran: jQuery, underscore templates, the JSON fetch
    expect(row.locator(".description")).to_contain_text('<img src="/nothing.png"')  # shown as text
    assert tab.evaluate("window.__csp") == []  # the policy allows everything the page does
    row.get_by_role("link", name="Requeue").click()
    expect(row).to_have_count(0)
    assert job.get_status(refresh=True) == JobStatus.QUEUED
    assert tab.evaluate("window.__pwned") is None


def test_hostile_job_text_does_not_run_on_the_job_page(page):
    tab, _ = page
    hostile_failed_job()
    tab.goto("/admin/rq/0/view/job/call-99")
    # rq-dashboard puts the description into the page unescaped: the <img> is there ...
    expect(tab.locator("#job-data .description-scroll img")).to_have_count(1)
    # ... and its handler is refused by the CSP instead of running.
    tab.wait_for_function("window.__csp.includes('script-src-attr')")
    assert tab.evaluate("window.__pwned") is None


def test_a_same_site_page_on_another_origin_cannot_requeue(page):
    tab, base_url = page
    job = hostile_failed_job()
    with serving(attacker_page(f"{base_url}/admin/rq/job/{job.id}/requeue")) as evil:
        assert evil.split(":")[1] == base_url.split(":")[1]  # same host: the session cookie goes along
        response = None

        def remember(resp):
            nonlocal response
            if resp.url.endswith("/requeue"):
                response = resp

        tab.on("response", remember)
        tab.goto(evil)
        tab.wait_for_url("**/requeue")
    assert response is not None and response.status == 403
    assert job.get_status(refresh=True) == JobStatus.FAILED
    assert Job.fetch(job.id, connection=redis_conn()).get_status() == JobStatus.FAILED
