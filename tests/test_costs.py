"""Tokens and cost per call and step (from the usage the OpenAI stand-in reports), the price table,
and spend per day and month on the Processing page."""

from __future__ import annotations

import html
import re
from datetime import UTC, date, datetime

import pytest
from fakes.openai_server import FakeOpenAI
from helpers import deliver, gen_workspace, run_jobs, seed_payload
from sqlalchemy import select

from app.config import _prices
from app.extensions import db
from app.models import Call, ProviderUsage, Tenant
from app.services import costs
from app.services.calls import delete_call

# gpt-4o-mini: $0.15 / $0.60 per million input / output tokens; text-embedding-3-small: $0.02.
ANALYSE_COST = 1200 * 0.15 + 80 * 0.60  # micro-dollars: 228
EMBED_COST = round(40 * 0.02)  # 0.8 -> 1


@pytest.fixture
def openai_fake():
    with FakeOpenAI() as fake:
        fake.usage = {"prompt_tokens": 1200, "completion_tokens": 80, "embedding_tokens": 40}
        yield fake


@pytest.fixture
def config_overrides(request):
    """OpenAI providers aimed at the stand-in; indirect parameters: "offline", or settings to add."""
    param = getattr(request, "param", {})
    if param == "offline":
        return {}
    fake = request.getfixturevalue("openai_fake")
    return {
        "LLM_PROVIDER": "openai",
        "EMBEDDINGS_PROVIDER": "openai",
        "OPENAI_API_KEY": "sk-test",
        "OPENAI_BASE_URL": fake.base_url,
        "OPENAI_MODEL": "gpt-4o-mini",
        "OPENAI_EMBEDDING_DIMENSIONS": 8,
        "OPENAI_MAX_RETRIES": 0,
        **param,
    }


def _page(client, path: str) -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def _row(page: str, table_id: str, period: str) -> dict:
    table = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    match = re.search(rf'data-period="{period}" data-cost-micros="(\d+)" data-tokens="(\d+)"', table)
    assert match, f"no row {period} in {table_id}"
    return {"cost": int(match.group(1)), "tokens": int(match.group(2))}


def _processed_call(app, client, auth) -> int:
    gen_workspace(auth)
    reply = deliver(client, seed_payload(conversation_id="conv-cost-001"))
    assert reply.status_code == 202
    run_jobs(app)
    call_id = reply.json["call_id"]
    assert db.session.get(Call, call_id).status == "processed"
    return call_id


def test_each_step_records_the_tokens_the_api_reported_and_their_cost(app, client, auth, openai_fake):
    call_id = _processed_call(app, client, auth)

    rows = db.session.execute(select(ProviderUsage).order_by(ProviderUsage.id)).scalars().all()
    got = [(r.call_id, r.step, r.operation, r.model, r.input_tokens, r.output_tokens) for r in rows]
    assert got == [
        (call_id, "analyse", "chat", "gpt-4o-mini", 1200, 80),
        (call_id, "embed", "embeddings", "text-embedding-3-small", 40, 0),
    ]
    assert [r.cost_micros for r in rows] == [ANALYSE_COST, EMBED_COST]
    assert all(r.tenant_id == db.session.get(Call, call_id).tenant_id for r in rows)


def test_the_call_page_shows_tokens_and_cost_per_step(app, client, auth, openai_fake):
    call_id = _processed_call(app, client, auth)

    page = _page(client, f"/calls/{call_id}")

    assert 'data-llm-tokens="1280"' in page  # the analysis: 1200 in + 80 out
    table = html.unescape(page.split('id="cost-table"', 1)[1].split("</table>", 1)[0])
    analyse = table.split('data-step="analyse"', 1)[1].split("</tr>", 1)[0]
    assert "gpt-4o-mini" in analyse and "1,200" in analyse and ">80<" in analyse and "$0.000228" in analyse
    assert 'data-step="embed"' in table and "text-embedding-3-small" in table
    assert "1,320 tokens" in page


def test_the_processing_page_shows_spend_per_day_and_month(app, client, auth, openai_fake):
    _processed_call(app, client, auth)
    today = datetime.now(UTC)

    page = _page(client, "/jobs")

    total = {"cost": ANALYSE_COST + EMBED_COST, "tokens": 1320}
    assert _row(page, "spend-by-day", today.date().isoformat()) == total
    assert _row(page, "spend-by-month", today.strftime("%Y-%m")) == total
    assert page.split('id="spend-by-day"', 1)[1].split("</table>", 1)[0].count("<tr data-period") == 30


@pytest.mark.parametrize("config_overrides", ["offline"], indirect=True)
def test_offline_calls_cost_nothing(app, client, auth):
    call_id = _processed_call(app, client, auth)

    page = _page(client, f"/calls/{call_id}")
    assert 'data-llm-tokens="0"' in page
    assert "0 tokens · $0.00" in html.unescape(page)
    assert db.session.execute(select(ProviderUsage)).first() is None
    jobs = _page(client, "/jobs")
    assert _row(jobs, "spend-by-month", datetime.now(UTC).strftime("%Y-%m")) == {"cost": 0, "tokens": 0}


def test_a_deleted_call_keeps_its_spend(app, client, auth, openai_fake):
    call_id = _processed_call(app, client, auth)
    call = db.session.get(Call, call_id)
    tenant_id = call.tenant_id
    month = (costs.month_start(costs.now()), costs.next_month_start(costs.now()))
    before = costs.spend_between(tenant_id, *month)

    delete_call(call)

    assert costs.spend_between(tenant_id, *month) == before == ANALYSE_COST + EMBED_COST
    assert {r.call_id for r in db.session.execute(select(ProviderUsage)).scalars()} == {None}


def _usage(tenant_id: int, at: datetime, cost: int, tokens: int = 10) -> ProviderUsage:
    row = ProviderUsage(
        tenant_id=tenant_id,
        step="analyse",
        operation="chat",
        provider="openai",
        model="gpt-4o-mini",
        input_tokens=tokens,
        output_tokens=0,
        cost_micros=cost,
        created_at=at,
    )
    db.session.add(row)
    return row


def test_spend_is_summed_per_utc_day_and_month_for_one_workspace(app):
    acme, other = Tenant(name="Acme", slug="acme"), Tenant(name="Other", slug="other")
    db.session.add_all([acme, other])
    db.session.flush()
    _usage(acme.id, datetime(2026, 10, 31, 23, 59, 59, tzinfo=UTC), 100)
    _usage(acme.id, datetime(2026, 11, 1, 0, 0, 0, tzinfo=UTC), 200)
    _usage(acme.id, datetime(2026, 11, 15, 12, 0, tzinfo=UTC), 300, tokens=5)
    _usage(acme.id, datetime(2026, 11, 15, 18, 0, tzinfo=UTC), 1, tokens=5)
    _usage(other.id, datetime(2026, 11, 15, 12, 0, tzinfo=UTC), 9999)
    db.session.commit()

    days = costs.spend_by_day(acme.id, 30, today=date(2026, 11, 15))
    assert [d.period for d in days][:1] == ["2026-10-17"] and days[-1].period == "2026-11-15"
    by_day = {d.period: (d.cost_micros, d.tokens, d.requests) for d in days if d.requests}
    assert by_day == {"2026-10-31": (100, 10, 1), "2026-11-01": (200, 10, 1), "2026-11-15": (301, 10, 2)}

    months = costs.spend_by_month(acme.id, 3, today=date(2026, 11, 15))
    assert [(m.period, m.cost_micros) for m in months] == [("2026-09", 0), ("2026-10", 100), ("2026-11", 501)]
    january = costs.spend_by_month(acme.id, 3, today=date(2027, 1, 2))
    assert [m.period for m in january] == ["2026-11", "2026-12", "2027-01"]

    november = datetime(2026, 11, 20, tzinfo=UTC)
    assert costs.spend_between(acme.id, costs.month_start(november), costs.next_month_start(november)) == 501


def test_prices_match_dated_snapshots_and_can_be_overridden(app):
    assert costs.price_for("gpt-4o-mini-2024-07-18") == (0.15, 0.60)  # not gpt-4o's price
    assert costs.price_for("gpt-4o-2024-08-06") == (2.50, 10.00)
    assert costs.cost_micros("text-embedding-3-small", 1_000_000, 0) == 20_000  # $0.02
    assert costs.cost_micros("my-local-llama", 1000, 1000) is None

    prices = _prices('{"my-local-llama": [0, 0], "gpt-4o-mini": [0.1, 0.2], "embedder-x": 0.5}')
    assert prices["my-local-llama"] == (0.0, 0.0) and prices["gpt-4o-mini"] == (0.1, 0.2)
    assert prices["embedder-x"] == (0.5, 0.0) and prices["gpt-4o"] == (2.50, 10.00)
    with pytest.raises(ValueError, match="OPENAI_PRICES"):
        _prices('["not", "an", "object"]')


@pytest.mark.parametrize("config_overrides", [{"OPENAI_MODEL": "my-private-model"}], indirect=True)
def test_a_model_without_a_price_shows_no_price(app, client, auth, openai_fake):
    call_id = _processed_call(app, client, auth)

    analyse = db.session.execute(select(ProviderUsage).where(ProviderUsage.step == "analyse")).scalar_one()
    assert analyse.model == "my-private-model" and analyse.cost_micros is None
    assert "no price" in _page(client, f"/calls/{call_id}")


@pytest.mark.parametrize(
    ("micros", "shown"),
    [
        (None, "—"),
        (0, "0.00"),
        (8, "0.000008"),
        (228, "0.000228"),
        (15_040, "0.02"),
        (1_234_500_000, "1,234.50"),
    ],
)
def test_money_is_shown_to_the_cent_and_tiny_amounts_to_the_micro_dollar(micros, shown):
    from app.services.budget import dollars

    assert dollars(micros) == shown
