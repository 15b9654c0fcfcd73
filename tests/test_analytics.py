"""/analytics: the numbers on a small known data set (days in the workspace's time zone), the
period and agent filters, odd input, the empty state, escaping in the SVG, and tenancy."""

from __future__ import annotations

import html
import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import AuthActions, gen_workspace, second_workspace
from sqlalchemy import select

from app.extensions import db
from app.models import Agent, Call, Callback, ProviderUsage, Tenant, User

NOV = "from=2026-11-01&to=2026-11-07"  # local dates in Europe/Berlin (UTC+1 in November)
SCRIPT = "<script>alert(1)</script>"


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def _tenant(email: str) -> Tenant:
    return db.session.execute(select(User).where(User.email == email)).scalar_one().tenant


def _agent(tenant: Tenant, agent_id: str, name: str) -> Agent:
    agent = db.session.execute(select(Agent).where(Agent.agent_id == agent_id)).scalar_one_or_none()
    if agent is None:
        agent = Agent(tenant_id=tenant.id, agent_id=agent_id, name=name)
        db.session.add(agent)
        db.session.flush()
    return agent


def gen_call(
    tenant,
    agent,
    conv,
    started,
    *,
    created=None,
    status="processed",
    step=None,
    sentiment=None,
    topics=(),
    duration=None,
    callback=None,
):
    """A call as the pipeline leaves it; `callback` = (state, outcome, created, done_or_due)."""
    call = Call(
        tenant_id=tenant.id,
        conversation_id=conv,
        agent_pk=agent.id,
        external_agent_id=agent.agent_id,
        agent_name=agent.name,
        started_at=at(started) if started else None,
        created_at=at(created or started),
        status=status,
        failed_step=step,
        sentiment=sentiment,
        topics=list(topics),
        duration_s=duration,
    )
    db.session.add(call)
    db.session.flush()
    if callback:
        state, outcome, opened, moment = callback
        db.session.add(
            Callback(
                tenant_id=tenant.id,
                call_id=call.id,
                state=state,
                outcome=outcome,
                created_at=at(opened),
                due_at=at(moment) if state == "open" else at(opened),
                done_at=at(moment) if state == "done" else None,
            )
        )
    return call


# One priced chat request: tokens do not matter here, the cost and the moment do.
REQUEST = {"step": "analyse", "operation": "chat", "provider": "openai", "model": "gpt-4o-mini"}


def gen_usage(tenant, when: str, cost: int):
    db.session.add(ProviderUsage(tenant_id=tenant.id, cost_micros=cost, created_at=at(when), **REQUEST))


@pytest.fixture
def known(app, client, auth):
    """Acme (Europe/Berlin): six calls from 1 to 7 November local time, three just outside; Beta: one
    call and spend on the same days that must never count."""
    gen_workspace(auth, secret=None)
    acme = _tenant("owner@acme.test")
    acme.timezone = "Europe/Berlin"
    reception = _agent(acme, "agent_7101k2example", "Reception")
    sales = _agent(acme, "agent_sales", "Sales")
    gen_call(
        acme,
        reception,
        "c1",
        "2026-11-02 10:00",
        sentiment="positive",
        topics=["boiler", "billing"],
        duration=60,
        callback=("done", "reached", "2026-11-02 10:05", "2026-11-02 11:05"),
    )
    # 23:30 UTC is 00:30 the next day in Berlin.
    gen_call(
        acme,
        reception,
        "c2",
        "2026-11-02 23:30",
        sentiment="negative",
        topics=["boiler"],
        duration=120,
        callback=("done", "no_answer", "2026-11-03 00:00", "2026-11-03 02:00"),
    )
    gen_call(
        acme,
        sales,
        "c3",
        "2026-11-04 12:00",
        sentiment="neutral",
        topics=[SCRIPT],
        duration=300,
        callback=("open", None, "2026-11-04 12:05", "2026-11-05 09:00"),
    )  # overdue
    gen_call(
        acme,
        reception,
        "c4",
        "2026-11-05 08:00",
        status="failed",
        step="embed",
        sentiment="positive",
        topics=["boiler"],
        duration=30,
        callback=("open", None, "2026-11-05 08:05", "2099-01-01 09:00"),
    )
    gen_call(acme, sales, "c5", None, created="2026-11-06 09:00", status="failed", step="analyse")
    gen_call(
        acme,
        sales,
        "c6",
        "2026-10-31 23:30",
        topics=["billing"],
        duration=90,  # 1 Nov, 00:30 local
        callback=("done", "left_voicemail", "2026-11-01 00:00", "2026-11-01 00:10"),
    )
    gen_call(
        acme, sales, "out-before", "2026-10-31 22:30", sentiment="positive", duration=999
    )  # 31 Oct local
    gen_call(acme, sales, "out-after", "2026-11-07 23:10", sentiment="positive", duration=999)  # 8 Nov local
    gen_usage(acme, "2026-11-03 22:30", 1000)  # 3 Nov, 23:30 local
    gen_usage(acme, "2026-11-03 23:30", 2000)  # 4 Nov, 00:30 local
    gen_usage(acme, "2026-11-20 12:00", 700)  # after the period, in its month
    gen_usage(acme, "2026-11-30 23:30", 50000)  # 1 Dec local
    db.session.commit()

    second_workspace(app)
    beta = _tenant("b@beta.test")
    beta.timezone = "Europe/Berlin"
    beta_agent = _agent(beta, "agent_beta", "Beta agent")
    gen_call(
        beta,
        beta_agent,
        "b1",
        "2026-11-02 10:00",
        sentiment="negative",
        topics=["boiler"],
        duration=5000,
        status="failed",
        step="index",
        callback=("open", None, "2026-11-02 10:00", "2026-11-02 11:00"),
    )
    gen_usage(beta, "2026-11-03 12:00", 9000)
    db.session.commit()
    return {"reception": reception.id, "sales": sales.id, "beta_agent": beta_agent.id}


def page(client, query: str = "") -> str:
    response = client.get(f"/analytics?{query}")
    assert response.status_code == 200
    return response.get_data(as_text=True)


def table(text: str, table_id: str) -> list[tuple[str, str]]:
    """A numbers table as (label, value) rows, unescaped."""
    body = text.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr[^>]*>\s*<td>(.*?)</td>\s*<td[^>]*>(.*?)</td>", body, re.S)
    return [(html.unescape(a.strip()), html.unescape(b.strip())) for a, b in rows]


def stat(text: str, name: str) -> str:
    match = re.search(rf'data-stat="{name}"><span class="stat-value">(.*?)</span>', text)
    assert match, name
    return html.unescape(match.group(1))


def test_calls_per_day_in_the_workspace_time_zone(known, client):
    text = page(client, NOV)
    assert table(text, "table-calls-per-day") == [
        ("2026-11-01", "1"),
        ("2026-11-02", "1"),
        ("2026-11-03", "1"),
        ("2026-11-04", "1"),
        ("2026-11-05", "1"),
        ("2026-11-06", "1"),
        ("2026-11-07", "0"),
    ]
    assert stat(text, "calls") == "6"
    svg = text.split('id="chart-calls-per-day"', 1)[1].split("</svg>", 1)[0]
    assert svg.count("<rect ") == 7  # one column per day, zero days included


def test_days_across_a_dst_change(app, client, auth):
    """Berlin leaves summer time on 25 October 2026 at 03:00 (01:00 UTC): midnight is 22:00 UTC
    before and 23:00 UTC after."""
    gen_workspace(auth, secret=None)
    acme = _tenant("owner@acme.test")
    acme.timezone = "Europe/Berlin"
    agent = _agent(acme, "agent_7101k2example", "Reception")
    for conv, started in [
        ("a", "2026-10-23 22:30"),  # 24 Oct, 00:30 CEST
        ("b", "2026-10-24 21:30"),  # 24 Oct, 23:30 CEST
        ("c", "2026-10-24 22:30"),  # 25 Oct, 00:30 CEST
        ("d", "2026-10-25 22:30"),  # 25 Oct, 23:30 CET
        ("e", "2026-10-25 23:30"),  # 26 Oct, 00:30 CET
        ("f", "2026-10-26 23:10"),  # 27 Oct, 00:10 CET: after the period
    ]:
        gen_call(acme, agent, conv, started)
    db.session.commit()
    text = page(client, "from=2026-10-24&to=2026-10-26")
    assert table(text, "table-calls-per-day") == [
        ("2026-10-24", "2"),
        ("2026-10-25", "2"),
        ("2026-10-26", "1"),
    ]


def test_callbacks_rate_outcomes_time_to_done_and_overdue(known, client):
    text = page(client, NOV)
    assert stat(text, "callback-rate") == "83%"  # 5 callbacks for 6 calls
    assert table(text, "table-outcomes") == [
        ("Reached", "1"),
        ("No answer", "1"),
        ("Left voicemail", "1"),
        ("Not needed", "0"),
        ("Still open", "2"),
    ]
    assert stat(text, "median-to-done") == "1 h"  # 10 min, 1 h, 2 h
    assert stat(text, "overdue") == "1"  # c3; c4 is due in 2099


def test_sentiment_topics_durations_and_failures(known, client):
    text = page(client, NOV)
    assert table(text, "table-sentiment") == [
        ("positive", "2"),
        ("neutral", "1"),
        ("negative", "1"),
        ("not analysed", "2"),
    ]
    assert table(text, "table-topics") == [("boiler", "3"), ("billing", "2"), (SCRIPT, "1")]
    assert stat(text, "avg-duration") == "2 min"  # 30, 60, 90, 120, 300 s: 120 s
    assert stat(text, "p90-duration") == "3 min"  # 120 + 0.6 x 180 = 228 s
    assert table(text, "table-failures") == [("analyse", "1"), ("embed", "1")]


def test_spend_per_local_day_and_month(known, client):
    text = page(client, NOV)
    spend = dict(table(text, "table-spend-by-day"))
    assert (spend["2026-11-03"], spend["2026-11-04"], spend["2026-11-05"]) == ("$0.001", "$0.002", "$0.00")
    month = re.findall(r'data-period="(\d{4}-\d\d)" data-cost-micros="(\d+)"', text)
    assert month == [("2026-11", "3700")]  # Beta's spend and 1 December (local) are not in it


def test_percentiles_match_on_both_databases(known, app):
    """p90 and the median straight from the service, unrounded."""
    from zoneinfo import ZoneInfo

    from app.services.analytics import Scope, callbacks, calls
    from app.services.analytics.period import Period

    acme = _tenant("owner@acme.test")
    period = Period(datetime(2026, 11, 1).date(), datetime(2026, 11, 7).date(), ZoneInfo("Europe/Berlin"))
    scope = Scope(acme.id, period)
    assert calls.durations(scope) == {"count": 5, "average": 120.0, "p90": pytest.approx(228.0)}
    assert callbacks.summary(scope, 6, at("2026-11-10 00:00"))["median_to_done_s"] == pytest.approx(3600.0)
    assert callbacks.summary(scope, 6, at("2026-11-10 00:00"))["overdue"] == 1


def test_agent_filter(known, client):
    text = page(client, f"{NOV}&agent={known['reception']}")
    assert stat(text, "calls") == "3"
    assert [n for _, n in table(text, "table-calls-per-day")] == ["0", "1", "1", "0", "1", "0", "0"]
    assert table(text, "table-topics") == [("boiler", "3"), ("billing", "1")]
    assert stat(text, "overdue") == "0"
    assert f'<option value="{known["reception"]}" selected>Reception</option>' in text


def test_period_filter_and_presets(known, client):
    text = page(client, "from=2026-11-02&to=2026-11-03")
    assert table(text, "table-calls-per-day") == [("2026-11-02", "1"), ("2026-11-03", "1")]
    assert stat(text, "calls") == "2"
    # The presets count back from today: none of the November 2026 calls is in the last 7 days of now.
    now = datetime.now(UTC)
    acme = _tenant("owner@acme.test")
    gen_call(
        acme,
        db.session.get(Agent, known["reception"]),
        "recent",
        (now - timedelta(hours=1)).strftime("%Y-%m-%d %H:%M"),
    )
    db.session.commit()
    for days in (7, 30, 90):
        text = page(client, f"days={days}")
        assert len(table(text, "table-calls-per-day")) == days
        assert 'aria-current="true">' + f"{days} days" in text


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("from=2026-13-01&to=2026-11-07", "Dates are YYYY-MM-DD"),
        ("from=yesterday", "Dates are YYYY-MM-DD"),
        ("from=0001-01-01&to=2026-11-07", "Dates from 2000-01-01"),
        ("from=2026-11-01&to=9999-12-31", "Dates from 2000-01-01"),
        ("days=365", "Choose 7, 30 or 90 days"),
        ("days=%00", "Choose 7, 30 or 90 days"),
        ("agent=abc", "Unknown agent"),
        ("agent=%D9%A3", "Unknown agent"),  # an Arabic 3
    ],
)
def test_bad_parameters_show_the_default_with_a_message(known, client, query, message):
    text = page(client, query)
    assert message in html.unescape(text)
    assert len(table(text, "table-calls-per-day")) == 30


@pytest.mark.parametrize(
    "query",
    [
        "from=2026-02-30",
        "to=2026-11-07",
        "from=&to=",
        "from=2026-11-01T00:00&to=2026-11-02",
        "from=%2B2026-11-01",
        "days=7&from=2026-11-01&to=2026-11-01",
        "agent=-1",
        "agent=%205",
        "agent=" + "9" * 400,
        "from=" + "2" * 5000,
    ],
)
def test_odd_input_never_fails(known, client, query):
    assert client.get(f"/analytics?{query}").status_code in (200, 404)


def test_swapped_and_overlong_periods_are_corrected(known, client):
    text = page(client, "from=2026-11-07&to=2026-11-01")
    assert "dates were swapped" in text
    assert stat(text, "calls") == "6"
    text = page(client, "from=2020-01-01&to=2026-11-07")
    assert "At most 366 days" in text
    assert len(table(text, "table-calls-per-day")) == 366


@pytest.mark.parametrize("ident", [str(2**31), "99999999999999999999", "0"])
def test_agent_ids_no_row_can_have_are_404(known, client, ident):
    assert client.get(f"/analytics?agent={ident}").status_code == 404


def test_empty_period(known, client):
    text = page(client, "from=2025-01-01&to=2025-01-31")
    assert 'id="analytics-empty"' in text
    assert "No calls in this period" in text
    assert 'id="chart-calls-per-day"' not in text
    assert 'id="no-spend"' in text and 'id="chart-spend"' not in text


def test_new_workspace_shows_the_empty_state(client, auth):
    gen_workspace(auth, secret=None)
    text = page(client)
    assert "No calls in this period" in text
    assert 'href="/analytics"' in text and ">Analytics</a>" in text


def test_topics_and_agent_names_are_escaped_in_svg_and_tables(known, client):
    agent = db.session.get(Agent, known["sales"])
    agent.name = "<b>Sales</b>"
    db.session.commit()
    text = page(client, f"{NOV}&agent={known['sales']}")
    assert "<script>alert(1)</script>" not in text
    assert "<b>Sales</b>" not in text
    svg = text.split('id="chart-topics"', 1)[1].split("</svg>", 1)[0]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in svg  # the tooltip, in full
    assert "&lt;script&gt;alert(1…</text>" in svg  # the label, shortened
    assert ("<script>alert(1)</script>", "1") in table(text, "table-topics")
    assert "&lt;b&gt;Sales&lt;/b&gt;" in text


def test_charts_are_accessible_svg(known, client):
    text = page(client, NOV)
    for chart in (
        "chart-calls-per-day",
        "chart-outcomes",
        "chart-sentiment",
        "chart-topics",
        "chart-failures",
        "chart-spend",
    ):
        tag = re.search(rf'<svg class="chart[^"]*" id="{chart}"[^>]*>\s*<title>[^<]+</title>', text)
        assert tag, chart
        assert (
            'role="img"' in tag.group(0) and 'aria-label="' in tag.group(0) and 'width="100%"' in tag.group(0)
        )
        assert "viewBox=" in tag.group(0)


def test_another_workspace_sees_only_its_own(known, app, client):
    other = AuthActions(client)
    other.logout()
    other.login("b@beta.test")
    text = page(client, NOV)
    assert stat(text, "calls") == "1"
    assert table(text, "table-topics") == [("boiler", "1")]
    assert table(text, "table-failures") == [("index", "1")]
    assert client.get(f"/analytics?agent={known['reception']}").status_code == 404


def test_p90_duration_of_one_agent_and_of_each_rank(known, app):
    """The p90 is read at its rank from the longest down: ties, calls without a duration, another
    agent's calls and calls outside the period are skipped, as percentile_cont would."""
    from zoneinfo import ZoneInfo

    from app.services.analytics import Scope, calls
    from app.services.analytics.period import Period

    acme = _tenant("owner@acme.test")
    period = Period(datetime(2026, 11, 1).date(), datetime(2026, 11, 7).date(), ZoneInfo("Europe/Berlin"))
    reception = Scope(acme.id, period, known["reception"])  # 60, 120, 30 s
    assert calls.durations(reception) == {"count": 3, "average": 70.0, "p90": pytest.approx(108.0)}
    everyone = Scope(acme.id, period)  # 30, 60, 90, 120, 300 s (c5 has none; 999 s are outside)
    expected = {0.0: 30.0, 0.25: 60.0, 0.5: 90.0, 0.9: 228.0, 1.0: 300.0, 0.6: 102.0}
    for fraction, value in expected.items():
        assert calls.duration_percentile(everyone, 5, fraction) == pytest.approx(value)


def test_a_callback_follows_its_call_to_another_day_and_agent(known, app, client):
    """Each callback carries its call's time and agent (what /analytics counts it by): a call that
    moves takes its callback along in the same commit, on both databases."""
    from zoneinfo import ZoneInfo

    from app.services.analytics import Scope, callbacks
    from app.services.analytics.period import Period

    acme = _tenant("owner@acme.test")
    c1 = db.session.execute(select(Call).where(Call.conversation_id == "c1")).scalar_one()
    callback = db.session.execute(select(Callback).where(Callback.call_id == c1.id)).scalar_one()
    assert (callback.call_at, callback.agent_pk) == (at("2026-11-02 10:00"), known["reception"])

    c1.started_at, c1.agent_pk = at("2026-12-02 10:00"), known["sales"]
    db.session.commit()
    assert (callback.call_at, callback.agent_pk) == (at("2026-12-02 10:00"), known["sales"])
    db.session.expire_all()
    stored = db.session.get(Callback, callback.id)
    assert (stored.call_at, stored.agent_pk) == (at("2026-12-02 10:00"), known["sales"])

    nov = Period(datetime(2026, 11, 1).date(), datetime(2026, 11, 7).date(), ZoneInfo("Europe/Berlin"))
    dec = Period(datetime(2026, 12, 1).date(), datetime(2026, 12, 7).date(), ZoneInfo("Europe/Berlin"))
    now = at("2026-12-10 00:00")
    assert callbacks.summary(Scope(acme.id, nov), 5, now)["total"] == 4
    assert callbacks.summary(Scope(acme.id, dec, known["sales"]), 1, now)["outcomes"][0] == ("reached", 1)
    assert callbacks.summary(Scope(acme.id, dec, known["reception"]), 0, now)["total"] == 0
    text = page(client, NOV)
    assert table(text, "table-outcomes")[0] == ("Reached", "0")
