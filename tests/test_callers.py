"""Who called: the caller's number and name from the delivery (dynamic variables, phone metadata) or the
analysis, stored in E.164 with the workspace's region, shown on the pages, and found in any format."""

from __future__ import annotations

import re

import pytest
from callback_helpers import TAP, flagged_payload
from helpers import deliver, gen_workspace, run_jobs, sample_payload
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Tenant
from app.services import phones


@pytest.fixture
def workspace(auth):
    gen_workspace(auth)
    return _set_zone("Europe/London")


def _set_zone(zone: str, region: str | None = None) -> Tenant:
    tenant = db.session.execute(select(Tenant)).scalar_one()
    tenant.timezone, tenant.phone_region = zone, region
    db.session.commit()
    return tenant


def _stored(client, payload) -> Call:
    resp = deliver(client, payload)
    assert resp.status_code == 202
    return db.session.get(Call, resp.json["call_id"])


@pytest.mark.parametrize(
    ("direction", "number", "variables", "expected"),
    [
        ("inbound", "+44 7700 900123", {}, ("+447700900123", None)),
        (
            "inbound",
            None,
            {"system__caller_id": "07700900123", "system__called_number": "+442079460000"},
            ("+447700900123", None),
        ),
        (
            "outbound",
            None,
            {"system__caller_id": "+442079460000", "system__called_number": "+447700900777"},
            ("+447700900777", None),
        ),
        ("inbound", None, {"user_name": "Jo Bloggs"}, (None, "Jo Bloggs")),
        (
            "inbound",
            "+447700900123",
            {"customer_name": "Ann Lee", "user_name": "ann_l"},
            ("+447700900123", "Ann Lee"),
        ),
        ("inbound", "anonymous", {}, ("anonymous", None)),  # kept as received when it does not parse
        ("inbound", None, {"customer_phone": 7700900123}, ("+447700900123", None)),
    ],
)
def test_number_and_name_come_from_the_delivery(client, workspace, direction, number, variables, expected):
    payload = flagged_payload("conv-who", number=number, direction=direction, variables=variables)
    call = _stored(client, payload)
    assert (call.caller_number, call.caller_name) == expected


@pytest.mark.parametrize(
    "client_data", [[1, 2], "text", {"dynamic_variables": ["x"]}, None, {"dynamic_variables": None}]
)
def test_a_strange_client_data_shape_never_refuses_the_call(client, workspace, client_data):
    payload = sample_payload(conversation_initiation_client_data=client_data)
    call = _stored(client, payload)
    assert call.caller_number == "+15550002"  # from phone_call.external_number, parsed as given


def test_the_region_decides_national_numbers(client, auth):
    gen_workspace(auth)
    _set_zone("America/New_York")
    assert _stored(client, flagged_payload("c1", number="(415) 555-0134")).caller_number == "+14155550134"
    _set_zone("UTC")  # no region: a national number is kept as received
    assert _stored(client, flagged_payload("c2", number="(415) 555-0134")).caller_number == "(415) 555-0134"
    _set_zone("UTC", "GB")  # the setting wins over the zone
    assert _stored(client, flagged_payload("c3", number="07700 900123")).caller_number == "+447700900123"
    assert _stored(client, flagged_payload("c4", number="0044 7700 900123")).caller_number == "+447700900123"


def test_regions_come_from_time_zones():
    assert phones.region_for_zone("Europe/London") == "GB"
    assert phones.region_for_zone("America/New_York") == "US"
    assert phones.region_for_zone("Asia/Kolkata") == "IN"
    assert phones.region_for_zone("UTC") is None


@pytest.mark.parametrize(
    "query",
    ["+44 7700 900123", "07700900123", "7700 900123", "+447700900123", "07700 900 123", "(0)7700-900123"],
)
def test_a_number_in_any_common_format_finds_the_caller_s_calls(client, workspace, query):
    mine = _stored(client, flagged_payload("conv-mine", TAP, number="07700 900123"))
    other = _stored(client, flagged_payload("conv-other", TAP, number="+447700900999"))
    html = client.get("/calls", query_string={"q": query}).get_data(as_text=True)
    assert f'href="/calls/{mine.id}"' in html
    assert f'href="/calls/{other.id}"' not in html


def test_the_caller_name_is_searchable_and_shown_on_the_lists(app, client, workspace):
    call = _stored(client, flagged_payload("conv-name", TAP, variables={"customer_name": "Priya Sharma"}))
    run_jobs(app)
    listing = client.get("/calls").get_data(as_text=True)
    row = re.search(rf'<tr[^>]*>(?:(?!</tr>).)*href="/calls/{call.id}".*?</tr>', listing, re.S).group(0)
    assert "Priya Sharma" in row and 'href="tel:+447700900123"' in row
    assert f'href="/calls/{call.id}"' in client.get("/calls?q=priya").get_data(as_text=True)
    page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "Priya Sharma" in page and "+44 7700 900123" in page
    assert "Priya Sharma" in client.get("/callbacks").get_data(as_text=True)


def test_words_are_not_taken_for_numbers():
    assert phones.search_forms("boiler", "GB") == []
    assert phones.search_forms("12345", "GB") == []  # too short to be a phone number
    assert phones.search_forms("conv_123456", "GB") == []
