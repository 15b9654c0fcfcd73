"""rq-dashboard at /admin/rq: it works for a superuser, under a CSP of its own, refuses cross-site
writes, and never shows tenant text in a job description (it prints descriptions unescaped)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import rq_dashboard
from helpers import AuthActions, deliver, failed_job, gen_workspace, sample_payload
from rq.job import Job, JobStatus
from sqlalchemy import select, update

from app.extensions import db
from app.models import Call, User
from app.services.jobs import enqueue_call, get_queue, job_id, redis_conn

ROOT = Path(__file__).resolve().parent.parent
HOSTILE = '<img src=x onerror="alert(document.cookie)">\nFORGED line'
ORIGIN = "http://localhost"  # the test client's host


@pytest.fixture
def operator(app, client):
    """A signed-in superuser, with one call of tenant Acme on the queue; returns the call."""
    gen_workspace(AuthActions(client))
    call_id = deliver(client, sample_payload()).json["call_id"]
    AuthActions(client).logout()
    assert AuthActions(client).signup("Platform", "ops@platform.test").status_code == 302
    db.session.execute(update(User).where(User.email == "ops@platform.test").values(is_superuser=True))
    db.session.commit()
    return db.session.get(Call, call_id)


# --------------------------------------------------------------------------- it works


PAGES = [
    "/admin/rq/",
    "/admin/rq/0/view/workers",
    "/admin/rq/0/view/jobs",
    "/admin/rq/0/view/jobs/calls/queued/8/asc/1",
    "/admin/rq/0/view/jobs/calls/failed/8/asc/1",
    "/admin/rq/0/view/job/{job}",
]
JSON = [
    "/admin/rq/0/data/queues.json",
    "/admin/rq/0/data/workers.json",
    "/admin/rq/0/data/jobs/calls/queued/8/asc/1.json",
    "/admin/rq/0/data/jobs/calls/failed/8/dsc/1.json",
    "/admin/rq/0/data/job/{job}.json",
]


@pytest.mark.parametrize("path", PAGES)
def test_dashboard_pages_answer_with_a_nonce_for_their_one_inline_script(client, operator, path):
    resp = client.get(path.format(job=job_id(operator.id)))
    assert resp.status_code == 200
    csp = resp.headers["Content-Security-Policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "script-src 'self' 'nonce-" in csp and "'unsafe-inline'" not in csp.split("style-src")[0]
    assert "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    scripts = re.findall(r"<script([^>]*)>", resp.get_data(as_text=True))
    inline = [attrs for attrs in scripts if "src=" not in attrs and 'type="text/template"' not in attrs]
    assert inline == [f' nonce="{nonce}" type="text/javascript"']


def test_each_response_gets_a_new_nonce(client, operator):
    first = client.get("/admin/rq/").headers["Content-Security-Policy"]
    assert first != client.get("/admin/rq/").headers["Content-Security-Policy"]


@pytest.mark.parametrize("path", JSON)
def test_dashboard_json_endpoints_answer(client, operator, path):
    resp = client.get(path.format(job=job_id(operator.id)))
    assert resp.status_code == 200
    assert resp.is_json


def test_queue_counts_reach_the_dashboard(app, client, operator):
    queues = {q["name"]: q for q in client.get("/admin/rq/0/data/queues.json").json["queues"]}
    assert queues[app.config["RQ_QUEUE"]]["count"] == 1


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": ORIGIN},
        {"Sec-Fetch-Site": "same-origin"},
        {"Sec-Fetch-Site": "same-origin", "Origin": ORIGIN},
    ],
)
def test_same_origin_requeue_works(client, operator, headers):
    job = failed_job()
    resp = client.post(f"/admin/rq/job/{job.id}/requeue", headers=headers)
    assert resp.status_code == 200 and resp.json == {"status": "OK"}
    assert job.get_status(refresh=True) == JobStatus.QUEUED


def test_same_origin_delete_and_empty_work(client, operator):
    job = failed_job()
    assert client.post(f"/admin/rq/job/{job.id}/delete", headers={"Origin": ORIGIN}).json == {"status": "OK"}
    assert not Job.exists(job.id, connection=redis_conn())
    resp = client.post("/admin/rq/queue/calls/queued/empty", headers={"Sec-Fetch-Site": "same-origin"})
    assert resp.json == {"status": "OK"}
    assert get_queue().count == 0


# --------------------------------------------------------------------------- cross-site is refused


CROSS_SITE = [
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},  # a sibling subdomain: SameSite=Lax lets its requests carry the cookie
    {"Sec-Fetch-Site": "none"},
    {"Sec-Fetch-Site": "cross-site", "Origin": ORIGIN},  # the browser's header decides
    {"Origin": "https://evil.example"},
    {"Origin": "null"},
    {"Origin": "https://localhost"},  # another scheme is another origin
    {},  # neither header: no browser sends such a POST
]


@pytest.mark.parametrize("headers", CROSS_SITE)
def test_cross_site_requeue_is_refused(client, operator, headers):
    job = failed_job()
    resp = client.post(f"/admin/rq/job/{job.id}/requeue", headers=headers)
    assert resp.status_code == 403
    assert job.get_status(refresh=True) == JobStatus.FAILED


@pytest.mark.parametrize(
    "path",
    ["/admin/rq/job/call-99/delete", "/admin/rq/queue/calls/queued/empty", "/admin/rq/queue/calls/compact"],
)
def test_cross_site_destructive_posts_are_refused(client, operator, path):
    failed_job()
    assert client.post(path, headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert Job.exists("call-99", connection=redis_conn()) and get_queue().count == 1


@pytest.mark.parametrize("headers", [{}, {"Sec-Fetch-Site": "same-origin"}])
def test_requeue_all_by_get_is_refused(client, operator, headers):
    """A link or an <img> elsewhere must not requeue every failed job; the dashboard itself POSTs."""
    job = failed_job()
    assert client.get("/admin/rq/requeue/calls", headers=headers).status_code == 405
    assert job.get_status(refresh=True) == JobStatus.FAILED
    resp = client.post("/admin/rq/requeue/calls", headers={"Origin": ORIGIN})
    assert resp.json == {"status": "OK", "count": 1}


def test_writes_need_a_superuser_even_from_the_same_origin(client, operator):
    AuthActions(client).logout()
    AuthActions(client).login()  # Acme's owner, not a superuser
    job = failed_job()
    assert client.post(f"/admin/rq/job/{job.id}/requeue", headers={"Origin": ORIGIN}).status_code == 403


@pytest.mark.parametrize("path", ["/admin/rq/1/view/workers", "/admin/rq/99999999999/data/queues.json"])
def test_an_unknown_redis_instance_is_404(client, operator, path):
    assert client.get(path).status_code == 404


# --------------------------------------------------------------------------- no tenant text in jobs


def test_job_description_carries_ids_only(client, operator):
    db.session.execute(update(Call).where(Call.id == operator.id).values(conversation_id=HOSTILE))
    db.session.commit()
    call = db.session.execute(select(Call).where(Call.id == operator.id)).scalar_one()
    Job.fetch(job_id(call.id), connection=redis_conn()).delete()
    assert enqueue_call(call)

    job = Job.fetch(job_id(call.id), connection=redis_conn())
    assert job.description == f"process call {call.id} (tenant {call.tenant_id})"
    assert job.args == [call.id] or job.args == (call.id,)
    for path in (
        f"/admin/rq/0/data/job/{job.id}.json",
        "/admin/rq/0/data/jobs/calls/queued/8/asc/1.json",
        "/admin/rq/0/data/workers.json",
        f"/admin/rq/0/view/job/{job.id}",
    ):
        body = client.get(path).get_data(as_text=True)
        assert "<img" not in body and "FORGED" not in body and "onerror" not in body


def test_our_copy_of_the_dashboard_base_template_is_current():
    """templates/rq_dashboard/base.html overrides rq-dashboard's own; only the nonce may differ."""
    ours = (ROOT / "templates/rq_dashboard/base.html").read_text()
    ours = re.sub(r"\A\{#-.*?-#\}\n", "", ours, flags=re.S).replace(' nonce="{{ csp_nonce() }}"', "")
    theirs = Path(rq_dashboard.__file__).parent / "templates/rq_dashboard/base.html"
    assert ours == theirs.read_text()


def test_the_rest_of_the_app_keeps_its_strict_policy(client, operator):
    csp = client.get("/calls").headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "nonce" not in csp and "unsafe-eval" not in csp
