"""CSV export of the calls list: the list's filters, every call, streamed, safe in a spreadsheet."""

from __future__ import annotations

import csv
import io

import pytest
from helpers import gen_workspace
from list_data import gen_calls
from sqlalchemy import select

from app.extensions import db
from app.models import Call, Tenant
from app.services.csv_export import HEADER, neutralise


@pytest.fixture
def workspace(client, auth):
    gen_workspace(auth)
    return auth


def rows_of(resp) -> list[dict]:
    text = resp.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:], newline="")))


def test_export_is_a_streamed_csv_of_every_call(client, workspace):
    """More calls than a page (and than one fetch batch): all of them, newest first, streamed."""
    gen_calls(60)
    resp = client.get("/calls/export.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert resp.is_streamed  # a generator, not a body built in memory
    assert resp.headers["Content-Disposition"].startswith('attachment; filename="calls-')
    rows = rows_of(resp)
    expected = db.session.execute(select(Call).order_by(Call.started_at.desc(), Call.id.desc())).scalars()
    assert [int(r["id"]) for r in rows] == [c.id for c in expected]
    assert list(rows[0]) == list(HEADER)


def test_cells_keep_quotes_commas_newlines_and_accents(client, workspace):
    gen_calls(1)
    call = db.session.execute(select(Call)).scalar_one()
    call.caller_name = 'José "Pepe" Núñez, Jr.'
    call.summary = "Line one,\nline two with “quotes” and 日本語"
    call.topics = ["boiler", "leak, kitchen"]
    call.callback_needed, call.callback_reason = True, None
    db.session.commit()
    row = rows_of(client.get("/calls/export.csv"))[0]
    assert row["caller_name"] == 'José "Pepe" Núñez, Jr.'
    assert row["summary"] == "Line one,\nline two with “quotes” and 日本語"
    assert row["topics"] == "boiler; leak, kitchen"
    assert (row["callback"], row["callback_reason"], row["sentiment"]) == ("yes", "", "")
    assert "None" not in row.values()


@pytest.mark.parametrize("evil", ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"])
def test_formula_cells_are_neutralised(client, workspace, evil):
    gen_calls(1)
    call = db.session.execute(select(Call)).scalar_one()
    call.caller_name = call.summary = call.callback_reason = evil
    call.topics = [evil]
    db.session.commit()
    row = rows_of(client.get("/calls/export.csv"))[0]
    for column in ("caller_name", "summary", "callback_reason", "topics"):
        assert row[column] == "'" + evil
    assert neutralise("plain") == "plain" and neutralise(None) == ""


def test_started_is_iso_in_the_workspace_zone(client, workspace):
    gen_calls(1)  # started 2026-11-20 12:00 UTC
    db.session.execute(select(Tenant)).scalar_one().timezone = "America/New_York"
    db.session.commit()
    row = rows_of(client.get("/calls/export.csv"))[0]
    assert row["started"] == "2026-11-20T07:00:00-05:00"


def test_export_applies_the_list_filters(client, workspace):
    ids = gen_calls(10)
    for call_id in ids[:3]:
        db.session.get(Call, call_id).callback_needed = True
    db.session.commit()
    rows = rows_of(client.get("/calls/export.csv?callback=yes&sort=oldest"))
    # Oldest first: the third call started two minutes back; the first two share a minute (id breaks it).
    assert [int(r["id"]) for r in rows] == [ids[2], ids[0], ids[1]]
    assert rows_of(client.get("/calls/export.csv?from=2030-01-01")) == []
    assert client.get("/calls/export.csv?from=nonsense&to=2026-13-45&page=-1&after=x").status_code == 200


def test_the_list_links_to_the_export_with_its_filters(client, workspace):
    gen_calls(3, callback_needed=False)
    html = client.get("/calls?callback=no&sort=duration").get_data(as_text=True)
    assert 'href="/calls/export.csv?callback=no&amp;sort=duration"' in html
