"""End to end, in a real browser: Chromium (driven by Playwright) against the app served by gunicorn and
a `python worker.py` subprocess, on the test session's database and Redis.

Each test works in a workspace of its own (signed up through the form), so the tests do not depend on
each other's order; they share one web server, and one worker that a test starts or stops when it
needs calls to stay queued. What is asserted is what a person would see: text, badges, the address
bar, dialogs. Screenshots of the main pages go to tests/e2e/artifacts/ (gitignored).

Needs Chromium: CHROMIUM_PATH, else /usr/bin/chromium, `chromium` or `chromium-browser` on PATH.
Playwright never downloads a browser here; without Chromium these tests fail (they are not skipped):
`scripts/test` installs it with apt-get when it can, or run the rest with `scripts/test -m "not e2e"`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from helpers import empty_tables, sample_payload, seed_payload
from playwright.sync_api import expect, sync_playwright
from processes import free_port, gunicorn_args, healthy, spawn, stop_tree, tail, wait_for, worker_env
from sqlalchemy import select, update

from app import create_app
from app.config import normalize_database_url
from app.extensions import db
from app.models import Call
from app.webhooks.signature import sign

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).resolve().parent / "artifacts"
PASSWORD = "correct-horse-e2e-1"
WEBHOOK_PATH = "/api/webhooks/elevenlabs/call-ended"
PROCESS_TIMEOUT_MS = 20_000  # delivery -> processed, a worker start-up included
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


# --------------------------------------------------------------------------- the browser


def chromium_path() -> str:
    """CHROMIUM_PATH, else the first Chromium found; fails the test (never skips) when there is none."""
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        if not (os.path.isfile(configured) and os.access(configured, os.X_OK)):
            pytest.fail(f"CHROMIUM_PATH={configured} is not an executable file", pytrace=False)
        return configured
    for candidate in ("/usr/bin/chromium", shutil.which("chromium"), shutil.which("chromium-browser")):
        if candidate and os.path.isfile(candidate) and os.access(candidate, os.X_OK):
            return candidate
    pytest.fail(
        "the browser tests need Chromium and none was found (CHROMIUM_PATH, /usr/bin/chromium, "
        "chromium, chromium-browser). Install it (Debian/Ubuntu: apt-get install chromium; scripts/test "
        'does this when run as root) or set CHROMIUM_PATH; or run the rest: scripts/test -m "not e2e"',
        pytrace=False,
    )


@pytest.fixture(scope="module")
def browser(server):
    """Chromium; it depends on `server` only so that it closes first (no keep-alive left to drain)."""
    executable = chromium_path()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS)
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def context(browser, server):
    ctx = browser.new_context(base_url=server.base_url, viewport={"width": 1280, "height": 900})
    ctx.set_default_timeout(10_000)
    yield ctx
    ctx.close()


@pytest.fixture
def page(context, server, request):
    """A tab; when the test fails, its screenshot, HTML and the server logs go to artifacts/failures/."""
    page = context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        folder = ARTIFACTS / "failures"
        folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.name)
        (folder / f"{name}.log").write_text(server.logs(size=100_000))
        with contextlib.suppress(Exception):  # best effort: the browser may be what failed
            (folder / f"{name}.html").write_text(f"<!-- {page.url} -->\n" + page.content())
            page.screenshot(path=folder / f"{name}.png", full_page=True)


# --------------------------------------------------------------------------- the server


class Stack:
    """The web app (gunicorn) and the worker, as subprocesses; the test process's own app for DB access."""

    def __init__(self, database_url: str, redis_url: str, log_dir: Path):
        self.port = free_port()
        self.base_url = f"http://127.0.0.1:{self.port}"
        self.log_dir = log_dir
        self.env = worker_env(
            database_url,
            redis_url,
            SECRET_KEY="e2e-secret-key",
            CALLDESK_ENV="development",  # session cookies without Secure: the browser talks plain http
            ELEVENLABS_WEBHOOK_SECRET="",
            WEBHOOK_ALLOW_UNSIGNED=0,
            JOB_RETRY_INTERVALS=0,
            SWEEP_INTERVAL_S=1,
            # The request path's Redis timeout is 50 ms by default: on a busy test machine a Retry click
            # could then report "queue unreachable" instead of "queued"; that path has tests of its own.
            REDIS_REQUEST_TIMEOUT_S=2,
            LIVE_POLL_SECONDS=1,  # live pages (calls, callbacks, the nav count) ask every second
        )
        self.app = create_app(
            {
                "TESTING": True,
                "SECRET_KEY": "e2e-secret-key",
                "SQLALCHEMY_DATABASE_URI": normalize_database_url(database_url),
                "REDIS_URL": redis_url,
                "LLM_PROVIDER": "offline",
                "EMBEDDINGS_PROVIDER": "offline",
                "VECTOR_STORE": "local",
            }
        )
        self.web: subprocess.Popen | None = None
        self.worker: subprocess.Popen | None = None

    # ---- processes

    def _spawn(self, name: str, args: list[str]) -> subprocess.Popen:
        return spawn(args, self.env, self.log_dir / f"{name}.log")

    def start_web(self) -> None:
        self.web = self._spawn("web", gunicorn_args(self.port, self.log_dir))
        wait_for(lambda: healthy(self.base_url), 30, "the web server to be healthy", self.logs, proc=self.web)

    def start_worker(self) -> None:
        if self.worker is None or self.worker.poll() is not None:
            self.worker = self._spawn("worker", ["worker.py"])

    def stop_worker(self) -> None:
        if self.worker is not None:
            stop_tree(self.worker)
            self.worker = None

    def stop(self) -> None:
        self.stop_worker()
        if self.web is not None:
            stop_tree(self.web)
            self.web = None

    def logs(self, size: int = 4000) -> str:
        return "\n".join(tail(self.log_dir / f"{name}.log", size) for name in ("web", "worker"))

    # ---- data

    def empty(self) -> None:
        """Empty every table and the Redis database (as conftest's `app` fixture does per test)."""
        from app.services.jobs import redis_conn

        with self.app.app_context():
            empty_tables()
            redis_conn().flushdb()
            db.engine.dispose()

    def deliver(self, payload: dict, secret: str) -> int:
        """POST a signed delivery as ElevenLabs does; returns the new call's id."""
        body = json.dumps(payload).encode()
        request = urllib.request.Request(  # noqa: S310 - our own server on loopback
            self.base_url + WEBHOOK_PATH,
            data=body,
            method="POST",
            headers={"Content-Type": "application/json", "ElevenLabs-Signature": sign(secret, body)},
        )
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                assert response.status == 202, response.status
                return json.load(response)["call_id"]
        except urllib.error.HTTPError as exc:
            raise AssertionError(f"delivery refused: {exc.code} {exc.read()!r}") from None

    def status(self, call_id: int) -> str:
        with self.app.app_context():
            try:
                return db.session.execute(select(Call.status).where(Call.id == call_id)).scalar_one()
            finally:
                db.session.remove()

    def wait_until_processed(self, *call_ids: int, timeout: float = PROCESS_TIMEOUT_MS / 1000) -> None:
        deadline = time.monotonic() + timeout
        while True:
            states = {call_id: self.status(call_id) for call_id in call_ids}
            if all(s == "processed" for s in states.values()):
                return
            assert "failed" not in states.values(), f"a call failed: {states}\n{self.logs()}"
            assert time.monotonic() < deadline, f"not processed in {timeout} s: {states}\n{self.logs()}"
            time.sleep(0.1)

    def make_failed(self, *call_ids: int) -> None:
        """What a provider outage leaves behind: failed at the analysis step, with its error."""
        with self.app.app_context():
            db.session.execute(
                update(Call)
                .where(Call.id.in_(call_ids))
                .values(status="failed", failed_step="analyse", last_error="boom", analysed_at=None)
            )
            db.session.commit()
            db.session.remove()


@pytest.fixture(scope="module")
def server(migrated, redis_url, tmp_path_factory):
    stack = Stack(migrated, redis_url, tmp_path_factory.mktemp("e2e-logs"))
    stack.empty()
    try:
        stack.start_web()
        yield stack
    finally:
        stack.stop()
        stack.empty()
        with stack.app.app_context():
            db.engine.dispose()


# --------------------------------------------------------------------------- what a person does


def sign_up(page, company: str, email: str) -> None:
    page.goto("/signup")
    page.get_by_label("Company name", exact=True).fill(company)
    page.get_by_label("Work email", exact=True).fill(email)
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Create workspace").click()
    page.wait_for_url("**/agents")
    expect(page.get_by_role("status").filter(has_text=f"Welcome to CallDesk, {company}")).to_be_visible()


def register_agent(page, agent_id: str, name: str = "Reception") -> None:
    page.goto("/agents")
    page.get_by_label("ElevenLabs agent ID", exact=True).fill(agent_id)
    page.get_by_label("Display name", exact=True).fill(name)
    page.get_by_role("button", name="Add agent").click()
    expect(page.get_by_role("status").filter(has_text=f"Agent “{name}” added")).to_be_visible()
    expect(page.get_by_role("cell", name=agent_id, exact=True)).to_be_visible()


def save_secret(page, secret: str) -> None:
    page.goto("/settings")
    page.get_by_label("Webhook signing secret", exact=True).fill(secret)
    page.get_by_role("button", name="Save secret").click()
    expect(page.get_by_role("status").filter(has_text="Webhook secret saved")).to_be_visible()
    expect(page.get_by_text("Current secret: set")).to_be_visible()


def workspace(page, slug: str) -> tuple[str, str]:
    """A signed-in owner of workspace `slug`, with an agent and a secret; returns (agent_id, secret)."""
    agent_id, secret = f"agent_e2e_{slug}", f"whsec_e2e_{slug}_0123456789"
    sign_up(page, f"E2E {slug.title()}", f"owner@{slug}.e2e.test")
    register_agent(page, agent_id)
    save_secret(page, secret)
    return agent_id, secret


def mark_document(page) -> None:
    """Tag the loaded document: if the page is ever reloaded or navigated away, the tag is gone."""
    page.evaluate("window.__e2eDocument = 'still here'")


def same_document(page) -> bool:
    return page.evaluate("window.__e2eDocument") == "still here"


def flashes(page) -> list[str]:
    return [t.strip() for t in page.locator(".flash").all_inner_texts()]


# --------------------------------------------------------------------------- a. the first call


def test_signup_agent_secret_then_a_call_processes_while_the_page_watches(page, server):
    server.stop_worker()  # the call must be seen queued first
    agent_id, secret = "agent_7101k2example", "whsec_e2e_first_call_0001"
    sign_up(page, "Acme Plumbing", "owner@acme.e2e.test")
    register_agent(page, agent_id, "Front desk")
    save_secret(page, secret)

    call_id = server.deliver(seed_payload(conversation_id="conv-e2e-first", agent_id=agent_id), secret)
    page.goto(f"/calls/{call_id}")
    main = page.locator("#call-main")
    expect(main).to_have_attribute("data-call-status", "queued")
    expect(page.get_by_role("status").filter(has_text="Waiting for a worker")).to_be_visible()
    expect(main.get_by_text("No summary yet.")).to_be_visible()
    mark_document(page)

    server.start_worker()
    expect(main).to_have_attribute("data-call-status", "processed", timeout=PROCESS_TIMEOUT_MS)
    assert same_document(page), "the page was reloaded: the update must come from HTMX polling"
    expect(main.locator(".badge.status-processed")).to_have_text("processed")
    expect(main.locator("p.summary")).not_to_be_empty()
    expect(main.get_by_text("No summary yet.")).to_have_count(0)
    # The seed conversation asks to be called back tomorrow.
    expect(main).to_have_attribute("data-callback-needed", "true")
    expect(main.locator(".page-head .badge.callback")).to_have_text("Callback needed")
    callback = main.locator("dl.facts dt", has_text="Callback").locator("xpath=following-sibling::dd[1]")
    expect(callback).to_contain_text("Needed")
    expect(callback).to_contain_text(re.compile("tomorrow", re.I))
    expect(main.get_by_text("Waiting for a worker")).to_have_count(0)
    # Processed: the similar-calls fragment loads, and polling has stopped.
    expect(page.get_by_role("heading", name="Similar calls")).to_be_visible()
    expect(page.get_by_text("Looking for similar calls…")).to_have_count(0)
    assert main.get_attribute("hx-get") is None

    # The call list shows it too, with its callback flag.
    page.get_by_role("link", name="← Calls").click()
    row = page.locator("#calls-table tr", has_text="conv-e2e-first")
    expect(row.locator(".badge.callback")).to_have_text("Callback")
    expect(row.locator(".badge.status-processed")).to_be_visible()


# --------------------------------------------------------------------------- b. search


def test_search_updates_the_table_in_place_and_shows_the_empty_state(page, server):
    agent_id, secret = workspace(page, "search")
    server.deliver(seed_payload(conversation_id="conv-e2e-premium", agent_id=agent_id), secret)
    server.deliver(sample_payload(conversation_id="conv-e2e-sink", agent_id=agent_id), secret)

    page.goto("/calls")
    table = page.locator("#calls-table")
    expect(table.get_by_role("link", name="conv-e2e-premium")).to_be_visible()
    expect(table.get_by_role("link", name="conv-e2e-sink")).to_be_visible()
    mark_document(page)

    page.get_by_label("Search").press_sequentially("premium", delay=20)
    page.wait_for_url(re.compile(r"/calls\?(.*&)?q=premium(&|$)"))
    expect(table.get_by_role("link", name="conv-e2e-sink")).to_have_count(0)
    expect(table.get_by_role("link", name="conv-e2e-premium")).to_be_visible()
    expect(table.get_by_text("1 call", exact=True)).to_be_visible()
    assert same_document(page), "search navigated: the table must be swapped by HTMX"
    expect(page.locator("#calls-table")).to_have_count(1)  # swapped, not nested
    expect(page.get_by_role("heading", name="Calls", exact=True)).to_have_count(1)

    page.get_by_label("Search").fill("zqxv-no-such-words")
    page.wait_for_url(re.compile(r"q=zqxv-no-such-words"))
    expect(table.get_by_role("heading", name="No calls match these filters")).to_be_visible()
    expect(table.locator("table")).to_have_count(0)
    assert same_document(page)
    expect(page.get_by_label("Search")).to_have_value("zqxv-no-such-words")

    # The pushed address is a real one: opening it renders the same filtered page.
    page.reload()
    expect(page.get_by_role("heading", name="No calls match these filters")).to_be_visible()
    expect(page.get_by_label("Search")).to_have_value("zqxv-no-such-words")


# --------------------------------------------------------------------------- c. retry


def test_retry_one_then_retry_all_with_its_confirmation(page, server):
    server.start_worker()
    agent_id, secret = workspace(page, "retry")
    first = server.deliver(seed_payload(conversation_id="conv-e2e-retry-1", agent_id=agent_id), secret)
    second = server.deliver(sample_payload(conversation_id="conv-e2e-retry-2", agent_id=agent_id), secret)
    server.wait_until_processed(first, second)
    server.make_failed(first, second)

    dialogs: list[str] = []

    def on_dialog(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.goto("/jobs")
    expect(page.locator(".stat-failed .stat-value")).to_have_text("2")
    row = page.locator(f'tr[data-call-id="{first}"]')
    expect(row.get_by_role("link", name="conv-e2e-retry-1")).to_be_visible()
    expect(row.locator("td").nth(1)).to_have_text("analyse")
    expect(row.locator("td.error-text")).to_have_text("boom")
    expect(page.get_by_role("button", name="Retry all (2)")).to_be_visible()

    row.get_by_role("button", name="Retry", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="1 call(s) queued for another try.")).to_be_visible()
    assert dialogs == [], "Retry of one call must not ask for confirmation"
    expect(page.locator(f'tr[data-call-id="{first}"]')).to_have_count(0)

    page.goto(f"/calls/{first}")
    expect(page.locator("#call-main")).to_have_attribute(
        "data-call-status", "processed", timeout=PROCESS_TIMEOUT_MS
    )
    expect(page.locator("#call-main p.summary")).not_to_be_empty()

    # Retry all asks first; dismissing it changes nothing.
    page.goto("/jobs")
    expect(page.locator(f'tr[data-call-id="{second}"]')).to_be_visible()
    mark_document(page)
    page.get_by_role("button", name="Retry all (1)").click()
    page.wait_for_timeout(500)  # a submission would have navigated by now
    assert dialogs and dialogs[-1].startswith("Retry all 1 failed calls?"), dialogs
    assert same_document(page), "dismissing the confirmation must not submit the form"
    assert page.url == server.base_url + "/jobs"
    assert flashes(page) == []
    expect(page.locator(f'tr[data-call-id="{second}"]')).to_be_visible()
    assert server.status(second) == "failed"

    page.remove_listener("dialog", on_dialog)
    page.once("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    page.get_by_role("button", name="Retry all (1)").click()
    expect(page.get_by_role("status").filter(has_text="1 call(s) queued for another try.")).to_be_visible()
    assert len(dialogs) == 2
    page.goto(f"/calls/{second}")
    expect(page.locator("#call-main")).to_have_attribute(
        "data-call-status", "processed", timeout=PROCESS_TIMEOUT_MS
    )
    page.goto("/jobs")
    expect(page.get_by_role("heading", name="Nothing has failed")).to_be_visible()
    expect(page.get_by_role("button", name=re.compile("Retry all"))).to_have_count(0)


# --------------------------------------------------------------------------- d. lost session


@pytest.mark.parametrize("how", ["sign out in another tab", "cookies cleared"])
def test_a_polling_page_whose_session_ends_goes_to_the_login_page(page, context, server, how):
    server.stop_worker()  # the call stays queued, so its page keeps polling
    slug = "signout" if how.startswith("sign out") else "cookies"
    agent_id, secret = workspace(page, slug)
    call_id = server.deliver(seed_payload(conversation_id=f"conv-e2e-{slug}", agent_id=agent_id), secret)
    # A queued call's page polls itself: wait for a poll to come back. (Not just to leave: its answer
    # refreshes the session cookie, and would undo a clear_cookies() made while it is in flight.)
    with page.expect_response(lambda r: r.request.headers.get("hx-target") == "call-main", timeout=6_000):
        page.goto(f"/calls/{call_id}")
        expect(page.locator("#call-main")).to_have_attribute("data-call-status", "queued")

    if how == "sign out in another tab":
        other = context.new_page()
        other.goto("/calls")
        other.get_by_role("button", name="Sign out").click()
        expect(other.get_by_role("heading", name="Sign in")).to_be_visible()
        other.close()
    else:
        context.clear_cookies()

    page.wait_for_url(re.compile(rf"/login\?next=(/|%2F)calls(/|%2F){call_id}$"))
    expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    expect(page.locator("#call-main")).to_have_count(0)  # a full page, not a login form in the fragment
    expect(page.get_by_label("Email", exact=True)).to_have_count(1)
    expect(page).to_have_title(re.compile("^Sign in"))

    # Signing in again leads back to the call.
    page.get_by_label("Email", exact=True).fill(f"owner@{slug}.e2e.test")
    page.get_by_label("Password", exact=True).fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/calls/{call_id}")
    expect(page.locator("#call-main")).to_have_attribute("data-call-status", "queued")


# --------------------------------------------------------------------------- agents page layout


def fully_visible(locator) -> bool:
    """Is every corner of the element what the page shows there (not clipped, not under another box)?

    The points sit 4 px inside the corners: nearer, a rounded border leaves the corner to the parent.
    """
    return locator.evaluate(
        """el => {
            const r = el.getBoundingClientRect();
            const d = Math.min(4, r.width / 2, r.height / 2);
            const corners = [[r.left + d, r.top + d], [r.right - d, r.top + d],
                             [r.left + d, r.bottom - d], [r.right - d, r.bottom - d]];
            return corners.every(([x, y]) => { const hit = document.elementFromPoint(x, y);
                                              return hit === el || el.contains(hit); });
        }"""
    )


def test_each_registered_agent_shows_its_whole_remove_button(page, server):
    """On a desktop-wide window the agents table must fit its card, its Remove buttons whole."""
    sign_up(page, "Layout Check", "owner@layout.e2e.test")
    register_agent(page, "agent_01jz8x3k5m9q7w2e4r6t8y0u1i", "Front desk")
    row = page.locator("tr", has_text="agent_01jz8x3k5m9q7w2e4r6t8y0u1i")
    remove = row.get_by_role("button", name="Remove")
    expect(remove).to_be_visible()
    card = page.locator("section.card", has=page.locator("table"))
    button_box, card_box = remove.bounding_box(), card.bounding_box()
    assert button_box["x"] + button_box["width"] <= card_box["x"] + card_box["width"], (
        f"the Remove button sticks out of the agents card: button {button_box}, card {card_box}"
    )
    assert fully_visible(remove), "part of the Remove button is hidden under the next card"

    # Removing asks first; dismissing keeps the agent.
    messages: list[str] = []
    page.once("dialog", lambda dialog: (messages.append(dialog.message), dialog.dismiss()))
    remove.click()
    page.wait_for_timeout(300)
    assert messages and messages[0].startswith("Remove agent “Front desk”?"), messages
    expect(row).to_be_visible()


def column_mismatches(table) -> list[str]:
    """Rows of `table` whose visible cells do not line up one to one with its visible column headers."""
    return table.evaluate(
        """t => {
            const shown = cells => [...cells].filter(c => getComputedStyle(c).display !== "none").length;
            const heads = shown(t.querySelectorAll("thead th"));
            return [...t.querySelectorAll("tbody tr")]
                .filter(tr => shown(tr.children) !== heads)
                .map(tr => `${heads} headers, ${shown(tr.children)} cells: ` + tr.cells[0].innerText);
        }"""
    )


def test_on_a_phone_table_headers_stay_above_their_cells(page, server):
    """Narrow screens hide the summary column: its header must go with its cells (similar calls);
    the calls list becomes cards instead (static/app.css, `.table.stack`)."""
    server.start_worker()
    agent_id, secret = workspace(page, "phone")
    first = server.deliver(seed_payload(conversation_id="conv-e2e-phone-1", agent_id=agent_id), secret)
    # The same conversation again: similar calls list only calls that are really alike.
    second = server.deliver(seed_payload(conversation_id="conv-e2e-phone-2", agent_id=agent_id), secret)
    server.wait_until_processed(first, second)
    page.set_viewport_size({"width": 390, "height": 844})

    page.goto("/calls")
    calls_table = page.locator("#calls-table table")
    expect(calls_table.locator("tbody tr")).to_have_count(2)
    page.goto(f"/calls/{first}")
    similar_table = page.locator("#similar table")
    expect(similar_table.locator("tbody tr")).to_have_count(1)
    mismatches = {"similar calls": column_mismatches(similar_table)}
    page.goto("/calls")
    assert mismatches == {"similar calls": []}
    # The calls list is a stacked table on a phone: rows are cards, no header row to line up with,
    # the caller, status and callback shown, and nothing wider than the screen.
    fit = calls_table.evaluate(
        """t => ({
            head: getComputedStyle(t.querySelector("thead")).display,
            shown: [...t.querySelector("tbody tr").children]
                .filter(c => getComputedStyle(c).display !== "none").map(c => c.className),
            overflow: document.documentElement.scrollWidth - window.innerWidth,
        })"""
    )
    assert fit["head"] == "none" and fit["overflow"] <= 0, fit
    assert any("caller-cell" in c for c in fit["shown"]) and len(fit["shown"]) >= 4, fit


# --------------------------------------------------------------------------- e. screenshots


def test_screenshots_of_the_main_pages(page, server):
    """Produced for people to look at (tests/e2e/artifacts/), not compared."""
    server.start_worker()
    agent_id, secret = workspace(page, "screens")
    callback = server.deliver(seed_payload(conversation_id="conv-e2e-callback", agent_id=agent_id), secret)
    plain = server.deliver(sample_payload(conversation_id="conv-e2e-leak", agent_id=agent_id), secret)
    broken = server.deliver(seed_payload(conversation_id="conv-e2e-broken", agent_id=agent_id), secret)
    server.wait_until_processed(callback, plain, broken)
    server.make_failed(broken)
    ARTIFACTS.mkdir(exist_ok=True)

    page.goto("/calls")
    expect(page.locator("#calls-table tbody tr")).to_have_count(3)
    page.screenshot(path=ARTIFACTS / "calls.png", full_page=True)

    page.goto(f"/calls/{callback}")
    expect(page.get_by_role("heading", name="Similar calls")).to_be_visible()
    expect(page.get_by_text("Looking for similar calls…")).to_have_count(0)
    page.screenshot(path=ARTIFACTS / "call.png", full_page=True)

    page.goto(f"/calls/{broken}")
    expect(page.get_by_role("alert")).to_contain_text("Processing failed")
    page.screenshot(path=ARTIFACTS / "call-failed.png", full_page=True)

    page.goto("/jobs")
    expect(page.locator(f'tr[data-call-id="{broken}"]')).to_be_visible()
    page.screenshot(path=ARTIFACTS / "jobs.png", full_page=True)

    page.goto("/settings")
    page.screenshot(path=ARTIFACTS / "settings.png", full_page=True)

    page.goto("/agents")
    page.screenshot(path=ARTIFACTS / "agents.png", full_page=True)

    page.set_viewport_size({"width": 390, "height": 844})  # a phone
    for name, path in [("calls", "/calls"), ("call", f"/calls/{callback}"), ("jobs", "/jobs")]:
        page.goto(path)
        page.screenshot(path=ARTIFACTS / f"{name}-phone.png", full_page=True)
    page.set_viewport_size({"width": 1280, "height": 900})

    page.context.clear_cookies()
    page.goto("/login")
    page.screenshot(path=ARTIFACTS / "login.png", full_page=True)
    for name in ("calls", "call", "call-failed", "jobs", "settings", "agents", "login", "calls-phone"):
        assert (ARTIFACTS / f"{name}.png").stat().st_size > 0
