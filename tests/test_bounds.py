"""Ids and page numbers from the URL never reach the database out of range: a 404 or a page.

On PostgreSQL an id >= 2**31 in a query raises "integer out of range", and a page of 10**20 makes an
OFFSET no integer type holds; on SQLite a number >= 2**63 does not fit either. Both were 500s.
"""

from __future__ import annotations

import re

import pytest
from helpers import csrf_from, deliver, gen_workspace, sample_payload

# Every route with an id in its URL (a test below checks this list against the app's URL map).
ID_ROUTES = [
    ("GET", "/calls/<call_id>"),
    ("GET", "/calls/<call_id>/similar"),
    ("POST", "/calls/<call_id>/delete"),
    ("POST", "/calls/<call_id>/callback/assign"),
    ("POST", "/calls/<call_id>/callback/done"),
    ("POST", "/calls/<call_id>/callback/reopen"),
    ("POST", "/calls/<call_id>/callback/note"),
    ("POST", "/jobs/<call_id>/retry"),
    ("GET", "/deliveries/<event_id>"),
    ("POST", "/agents/<agent_pk>/delete"),
    ("POST", "/team/<user_id>/remove"),
    ("GET", "/settings/notifications/attempts/<attempt_id>"),
]
LISTS = ["/calls", "/deliveries", "/jobs", "/callbacks"]
HUGE_IDS = [str(2**31), str(2**63), "99999999999999999999", "0", "-1", "٣"]  # the last is an Arabic 3
PAGES = ["99999999999999999999", str(2**31), str(2**63), "-5", "0", "-99999999999999999999", "x", ""]


@pytest.fixture
def workspace(client, auth):
    gen_workspace(auth)
    assert deliver(client, sample_payload()).status_code == 202
    return auth


def test_every_id_route_is_listed(app):
    """A new route with an id must join ID_ROUTES (and so the out-of-range test)."""
    found = {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.arguments and not rule.endpoint.startswith(("static", "rq_dashboard."))
        for method in rule.methods - {"HEAD", "OPTIONS"}
    }
    assert found == set(ID_ROUTES)


@pytest.mark.parametrize("ident", HUGE_IDS)
@pytest.mark.parametrize(("method", "rule"), ID_ROUTES)
def test_out_of_range_ids_are_404(workspace, client, method, rule, ident):
    path = re.sub(r"<[^>]+>", ident, rule)
    if method == "GET":
        resp = client.get(path)
    else:
        resp = client.post(path, data={"csrf_token": csrf_from(client.get("/agents").get_data(as_text=True))})
    assert resp.status_code == 404


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("path", LISTS)
def test_any_page_number_shows_a_page(workspace, client, path, page):
    resp = client.get(path, query_string={"page": page})
    assert resp.status_code == 200


def test_an_old_page_number_shows_the_first_page(workspace, client):
    """Lists page by cursor now (app/pagination.py): `?page=` from old links is ignored, never an error."""
    for i in range(30):  # two pages of calls (25 per page)
        deliver(client, sample_payload(conversation_id=f"conv_page_{i:02d}"))
    html = client.get("/calls?page=99999999999999999999").get_data(as_text=True)
    assert len(re.findall(r'href="/calls/[0-9]+"', html)) == 25
    assert 'rel="next"' in html and 'rel="prev"' not in html
