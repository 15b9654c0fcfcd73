"""A workspace's time zone: chosen in Settings (or guessed by the browser at signup), every time on every
page shown in it and named, and requested callback times resolved in it (three zones, DST edges)."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
from callback_helpers import callback_of, flagged_payload
from helpers import AuthActions, deliver, gen_workspace, run_jobs
from sqlalchemy import select

from app.extensions import db
from app.models import Tenant
from app.services import accounts
from app.services.callbacks import resolve_due

WEDNESDAY = datetime(2026, 11, 25, 10, 15, tzinfo=UTC)  # 10:15 London, 05:15 New York, 15:45 Kolkata


@pytest.mark.parametrize(
    ("zone", "said", "base", "due_utc"),
    [
        ("Europe/London", "tomorrow morning", WEDNESDAY, datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        ("America/New_York", "tomorrow morning", WEDNESDAY, datetime(2026, 11, 26, 14, 0, tzinfo=UTC)),
        ("Asia/Kolkata", "tomorrow morning", WEDNESDAY, datetime(2026, 11, 26, 3, 30, tzinfo=UTC)),
        ("America/New_York", "at 3pm", WEDNESDAY, datetime(2026, 11, 25, 20, 0, tzinfo=UTC)),
        ("Asia/Kolkata", "at 3pm", WEDNESDAY, datetime(2026, 11, 26, 9, 30, tzinfo=UTC)),  # past 3pm there
        ("Europe/London", "el viernes a las cinco", WEDNESDAY, datetime(2026, 11, 27, 17, 0, tzinfo=UTC)),
        ("Europe/London", "demain matin", WEDNESDAY, datetime(2026, 11, 26, 9, 0, tzinfo=UTC)),
        ("Europe/London", "morgen um 10 Uhr", WEDNESDAY, datetime(2026, 11, 26, 10, 0, tzinfo=UTC)),
        ("America/New_York", "2026-12-01T10:00:00", WEDNESDAY, datetime(2026, 12, 1, 15, 0, tzinfo=UTC)),
        # DST: London springs forward at 01:00 UTC on Sunday 29 March 2026, New York on 8 March.
        (
            "Europe/London",
            "tomorrow morning",
            datetime(2026, 3, 28, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 29, 8, 0, tzinfo=UTC),
        ),
        (
            "America/New_York",
            "tomorrow at 10am",
            datetime(2026, 3, 7, 15, 0, tzinfo=UTC),
            datetime(2026, 3, 8, 14, 0, tzinfo=UTC),
        ),
        (
            "Europe/London",
            "tomorrow morning",
            datetime(2026, 10, 24, 12, 0, tzinfo=UTC),
            datetime(2026, 10, 25, 9, 0, tzinfo=UTC),
        ),  # autumn: back to GMT overnight
    ],
)
def test_requested_times_resolve_in_the_workspace_zone(zone, said, base, due_utc):
    due = resolve_due(said, base, SimpleNamespace(timezone=zone))
    assert due is not None and due.astimezone(UTC) == due_utc


@pytest.mark.parametrize(
    "said", [None, "", "when the moon is blue", "2026-13-45", "9999-12-31T23:59:59+14:00"]
)
def test_what_cannot_be_read_is_none(said):
    due = resolve_due(said, WEDNESDAY, SimpleNamespace(timezone="Europe/London"))
    assert due is None or due.year == 9999  # an ISO date far ahead is still a date


def test_the_pipeline_resolves_relative_to_the_call_start_in_the_workspace_zone(app, client, auth):
    gen_workspace(auth)
    assert (
        auth.post_form("/settings/timezone", {"timezone": "America/New_York"}, page="/settings").status_code
        == 302
    )
    call_id = deliver(client, flagged_payload("conv-ny", start=WEDNESDAY)).json["call_id"]
    run_jobs(app)
    # "on Friday afternoon" from Wednesday 05:15 in New York: Friday 14:00 EST = 19:00 UTC.
    assert callback_of(call_id).due_at == datetime(2026, 11, 27, 19, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "shown"),
    [
        ("Europe/London", "2026-07-01 13:00 BST"),
        ("America/New_York", "2026-07-01 08:00 EDT"),
        ("Asia/Kolkata", "2026-07-01 17:30 IST"),
        ("UTC", "2026-07-01 12:00 UTC"),
    ],
)
def test_times_on_pages_are_in_the_workspace_zone_and_named(app, client, auth, zone, shown):
    gen_workspace(auth)
    tenant = db.session.execute(select(Tenant)).scalar_one()
    tenant.timezone = zone
    db.session.commit()
    payload = flagged_payload("conv-tz", start=datetime(2026, 7, 1, 12, 0, tzinfo=UTC))
    call_id = deliver(client, payload).json["call_id"]
    listing = client.get("/calls").get_data(as_text=True)
    assert f'datetime="2026-07-01T12:00:00+00:00" title="{zone}">{shown}</time>' in listing
    assert f"Times in {zone}" in listing
    assert shown in client.get(f"/calls/{call_id}").get_data(as_text=True)


def test_winter_and_summer_abbreviations_differ_in_one_zone(app, client, auth):
    from app.web.timefmt import absolute

    with app.test_request_context():
        zone = ZoneInfo("Europe/London")
        assert absolute(datetime(2026, 1, 15, 12, 0, tzinfo=UTC), zone=zone) == "2026-01-15 12:00 GMT"
        assert absolute(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), zone=zone) == "2026-07-15 13:00 BST"
        # A zone without letters for its abbreviation names its offset instead.
        assert absolute(datetime(2026, 7, 15, 12, 0, tzinfo=UTC), zone=ZoneInfo("Asia/Dubai")).endswith(
            "UTC+04:00"
        )


def test_admins_choose_the_zone_and_region_and_bad_values_are_refused(app, client, auth):
    gen_workspace(auth)
    resp = auth.post_form("/settings/timezone", {"timezone": "Mars/Olympus_Mons"}, page="/settings")
    assert resp.status_code == 400 and "Choose a time zone from the list" in resp.get_data(as_text=True)
    resp = auth.post_form(
        "/settings/timezone", {"timezone": "Asia/Kolkata", "phone_region": "ZZ"}, page="/settings"
    )
    assert resp.status_code == 400 and "two-letter country code" in resp.get_data(as_text=True)
    resp = auth.post_form(
        "/settings/timezone", {"timezone": "Asia/Kolkata", "phone_region": "gb"}, page="/settings"
    )
    assert resp.status_code == 302
    tenant = db.session.execute(select(Tenant)).scalar_one()
    assert (tenant.timezone, tenant.phone_region) == ("Asia/Kolkata", "GB")
    assert "Times in Asia/Kolkata" in client.get("/settings").get_data(as_text=True)


def test_members_cannot_change_the_zone(app, client, auth):
    gen_workspace(auth)
    tenant = db.session.execute(select(Tenant)).scalar_one()
    accounts.add_member(tenant.id, "sam@acme.test", "member", "correct-horse-2")
    member = app.test_client()
    member_auth = AuthActions(member)
    member_auth.login("sam@acme.test", "correct-horse-2")
    resp = member_auth.post_form("/settings/timezone", {"timezone": "Asia/Kolkata"}, page="/settings")
    assert resp.status_code == 403
    db.session.expire_all()
    assert db.session.execute(select(Tenant.timezone)).scalar_one() == "UTC"


@pytest.mark.parametrize(
    ("sent", "stored"),
    [
        ("America/New_York", "America/New_York"),
        ("Mars/Base", "UTC"),
        ("", "UTC"),
        ("../../etc/passwd", "UTC"),
    ],
)
def test_signup_takes_the_browser_zone_or_utc(client, auth, sent, stored):
    page = client.get("/signup").get_data(as_text=True)
    assert 'name="timezone"' in page and "data-browser-timezone" in page
    data = {
        "tenant_name": "Zone Co",
        "email": "z@zone.test",
        "password": "correct-horse-1",
        "timezone": sent,
        "csrf_token": auth.token("/signup"),
    }
    assert client.post("/signup", data=data).status_code == 302
    assert db.session.execute(select(Tenant.timezone)).scalar_one() == stored
