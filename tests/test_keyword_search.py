"""Keyword search on the calls list (app/services/keyword_search.py), on PostgreSQL and SQLite alike:
stemming, accents, phone numbers, conversation id prefixes, relevance order, tenant isolation, odd
queries (never a 500), the index kept in step with the calls, and the index actually used."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from helpers import gen_workspace, second_workspace
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select, text

from app.extensions import db
from app.models import Agent, Call, Tenant
from app.services import keyword_search

T0 = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)


@pytest.fixture
def tenant(auth) -> Tenant:
    gen_workspace(auth)
    tenant = db.session.execute(select(Tenant).where(Tenant.name == "Acme Plumbing")).scalar_one()
    tenant.timezone = "Europe/London"  # phone region GB
    db.session.commit()
    return tenant


def _add(tenant: Tenant, conversation_id: str, transcript: str = "", minutes: int = 0, **fields) -> int:
    agent = db.session.execute(select(Agent).where(Agent.tenant_id == tenant.id)).scalars().first()
    call = Call(
        tenant_id=tenant.id,
        agent_pk=agent.id,
        external_agent_id=agent.agent_id,
        conversation_id=conversation_id,
        transcript_text=transcript,
        started_at=T0 + timedelta(minutes=minutes),
        **fields,
    )
    db.session.add(call)
    db.session.commit()
    return call.id


def _found(client, q: str) -> list[int]:
    resp = client.get("/calls", query_string={"q": q})
    assert resp.status_code == 200, q
    return [int(x) for x in re.findall(r'href="/calls/(\d+)"', resp.get_data(as_text=True))]


def test_words_are_stemmed_in_the_call_s_language(client, tenant):
    leak = _add(tenant, "c-en", "Agent: hello. Customer: there is a leak under my sink.", language="en")
    pipes = _add(tenant, "c-en2", "Customer: the pipes were leaking all night.", language="en")
    fuga = _add(tenant, "c-es", "Cliente: tengo una fuga de agua en la cocina.", language="es")
    _add(tenant, "c-other", "Customer: my boiler makes a noise.", language="en")
    assert sorted(_found(client, "leaking")) == sorted([leak, pipes])
    assert sorted(_found(client, "leaks")) == sorted([leak, pipes])
    assert _found(client, "pipe") == [pipes]
    assert _found(client, "fugas") == [fuga]
    assert _found(client, "FUGA") == [fuga]


@pytest.mark.parametrize(
    ("language", "said", "query"),
    [
        ("de", "Kunde: die Rohre im Keller sind undicht.", "Rohr"),
        ("de", "Kunde: ein Wasserschaden im Bad.", "WASSERSCHÄDEN"),
        ("fr", "Client : les fuites de la chaudière.", "fuite"),
        ("fr", "Client : la chaudière est en panne.", "CHAUDIERES"),
    ],
)
def test_german_and_french_calls_are_stemmed_too(client, tenant, language, said, query):
    call = _add(tenant, "c1", said, language=language)
    _add(tenant, "c2", "Customer: nothing of the sort.", language="en")
    assert _found(client, query) == [call]


def test_accents_and_case_do_not_matter(client, tenant):
    bano = _add(tenant, "c-es", "Cliente: el baño está inundado y la calefacción no funciona.", language="es")
    _add(tenant, "c-en", "Customer: the bathroom is flooded.", language="en")
    plain = _add(tenant, "c-unknown", "Caller: Ça ne marche pas, le BAÑO.")  # language not known (yet)
    assert sorted(_found(client, "BAÑO")) == sorted([bano, plain])
    assert sorted(_found(client, "bano")) == sorted([bano, plain])
    assert _found(client, "calefaccion") == [bano]
    assert _found(client, "ca marche") == [plain]


def test_summary_topics_and_caller_name_are_searched(client, tenant):
    by_summary = _add(tenant, "c1", "…", summary="Radiator replacement quote requested.")
    by_topic = _add(tenant, "c2", "…", topics=["warranty claim"])
    by_name = _add(tenant, "c3", "…", caller_name="Priya Sharma")
    assert _found(client, "radiator") == [by_summary]
    assert _found(client, "warranty") == [by_topic]
    assert _found(client, "sharma") == [by_name]


@pytest.mark.parametrize(
    "query",
    ["+44 7700 900123", "07700900123", "7700 900123", "+447700900123", "07700 900 123", "(0)7700-900123"],
)
def test_a_number_in_any_common_form_finds_the_caller(client, tenant, query):
    mine = _add(tenant, "c-mine", caller_number="+447700900123")
    _add(tenant, "c-other", caller_number="+447700900999")
    assert _found(client, query) == [mine]


@pytest.mark.parametrize("query", ["07700 900", "+44 7700 900", "00447700900", "+447700900"])
def test_the_start_of_a_number_finds_the_callers_with_it(client, tenant, query):
    a = _add(tenant, "c-a", caller_number="+447700900123", minutes=2)
    b = _add(tenant, "c-b", caller_number="+447700900999", minutes=1)
    _add(tenant, "c-c", caller_number="+447911123456")
    assert _found(client, query) == [a, b]


def test_conversation_ids_by_prefix_and_the_exact_id_first(client, tenant):
    exact = _add(tenant, "conv_01jxa", minutes=1)
    longer = _add(tenant, "conv_01jxabc", minutes=2)
    _add(tenant, "conv_02zz", minutes=3)
    assert _found(client, "conv_01jx") == [longer, exact]  # equally good: newest first
    assert _found(client, "conv_01jxa") == [exact, longer]
    assert _found(client, "conv_01jxab") == [longer]
    assert _found(client, "onv_01") == []  # a prefix, not any substring
    assert _found(client, "conv_%") == []  # LIKE wildcards are literal
    short = _add(tenant, "x9")
    assert _found(client, "x9") == [short]  # too short for a prefix: the id itself
    assert _found(client, "x") == []


def test_the_most_relevant_call_comes_first_then_the_newest(client, tenant):
    once = _add(tenant, "c-once", "Customer: also, the boiler.", minutes=30)
    often = _add(
        tenant,
        "c-often",
        "Customer: my boiler is off. Agent: which boiler? Customer: the old boiler in the loft.",
        summary="Boiler not working; engineer visit needed.",
        minutes=10,
    )
    twin_a = _add(tenant, "c-twin-a", "Customer: the radiator, and the boiler.", minutes=20)
    twin_b = _add(tenant, "c-twin-b", "Customer: the radiator, and the boiler.", minutes=20)
    newest = _add(tenant, "c-none", "Customer: a question about my invoice.", minutes=40)
    assert _found(client, "")[:1] == [newest]  # no query: newest first
    assert _found(client, "boiler") == [often, once, twin_b, twin_a]  # same score: newest, then id


def test_another_workspace_s_calls_never_match(app, client, tenant):
    leak = {"caller_number": "+447700900123", "language": "en"}
    mine = _add(tenant, "conv_shared_1", "Customer: the boiler is leaking.", **leak)
    other = second_workspace(app)
    beta = db.session.execute(select(Tenant).where(Tenant.name == "Beta")).scalar_one()
    theirs = _add(beta, "conv_shared_2", "Customer: the boiler is leaking.", **leak)
    for q in ("boiler", "leak", "conv_shared", "+447700900123", "-invoice"):
        assert _found(client, q) == [mine], q
        assert _found(other, q) == [theirs], q


def test_websearch_syntax(client, tenant):
    both = _add(tenant, "c1", "Customer: the kitchen sink and the boiler.", language="en")
    sink = _add(tenant, "c2", "Customer: my sink is blocked in the kitchen.", language="en", minutes=1)
    boiler = _add(tenant, "c3", "Customer: boiler pressure is low.", language="en", minutes=2)
    assert _found(client, '"kitchen sink"') == [both]
    assert _found(client, "sink -boiler") == [sink]
    assert sorted(_found(client, "pressure OR blocked")) == sorted([sink, boiler])
    assert _found(client, "-boiler") == [sink]


ODD = [
    '"',
    '"unterminated phrase',
    "-",
    "- -",
    "OR",
    "or OR -",
    "!!!",
    "&|!():*<->",
    "'",
    "''",
    "\\",
    "a\\'b",
    "%",
    "_",
    "100%",
    "\x00",
    "boil\x00er",
    "🙂",
    "🔥 boiler 🔥",
    "x" * 10_240,
    "boiler " * 2000,
    "NEAR(a b)",
    "a AND b NOT c",
    "col:boiler",
    "^boiler",
    "boiler*",
    "+",
    "00",
    "+44",
    " \t\n ",
]


@pytest.mark.parametrize("query", ODD, ids=range(len(ODD)))
def test_odd_queries_are_answered(client, boiler, query):
    _found(client, query)


def test_odd_queries_find_what_their_words_say(client, boiler):
    assert _found(client, "🔥 boiler 🔥") == [boiler]
    assert _found(client, "boil\x00er") == []  # NUL is a space: "boil" and "er"
    assert _found(client, "!!!") == []
    assert _found(client, "x" * 10_240) == []


SETTINGS = settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
QUERY = st.text(st.characters(exclude_categories=()), max_size=40) | st.lists(
    st.sampled_from(
        ['"', "-", "OR", "or", "!", "&", "|", "(", ")", ":*", "'", "\\", "boiler", "leak", "+44", "*"]
    ),
    max_size=8,
).map(" ".join)


@pytest.fixture
def boiler(tenant) -> int:
    return _add(tenant, "c1", "Customer: the boiler is leaking.", language="en")


@SETTINGS
@given(q=QUERY)
def test_any_query_gives_valid_sql(tenant, boiler, q):
    """match() straight on the database: any text (lone surrogates included) is a valid query."""
    found = keyword_search.match(q, tenant)
    if found is not None:
        db.session.execute(select(Call.id).where(found.condition).order_by(found.rank.desc())).all()
    db.session.rollback()


@SETTINGS
@given(q=st.text(st.characters(exclude_categories=("Cs",)), max_size=60))
def test_any_typed_text_is_answered(client, boiler, q):
    assert client.get("/calls", query_string={"q": q}).status_code == 200


def test_fts5_query_translation():
    assert keyword_search.fts5_query("leaking pipe") == ('("leaking" AND "pipe")', None)
    assert keyword_search.fts5_query('"kitchen sink" -boiler') == ('("kitchen sink") NOT ("boiler")', None)
    assert keyword_search.fts5_query("a OR b c") == ('("a") OR ("b" AND "c")', None)
    assert keyword_search.fts5_query("-boiler -gas") == (None, '"boiler" OR "gas"')
    assert keyword_search.fts5_query("conv_01 NEAR(x)") == ('("conv_01" AND "NEAR x")', None)
    assert keyword_search.fts5_query("!!! - OR ()") == (None, None)
    assert keyword_search.fts5_query('boiler "- OR') == ('("boiler" AND "OR")', None)


def test_the_index_follows_every_change(client, tenant):
    call_id = _add(tenant, "c1", "Customer: the boiler is leaking.")
    call = db.session.get(Call, call_id)
    call.summary, call.language, call.caller_name = "Gas smell reported.", "en", "Ann Lee"
    db.session.commit()
    assert _found(client, "gas smell") == [call_id]
    assert _found(client, "ann") == [call_id]
    call.summary = "Radiator fixed."
    db.session.commit()
    assert _found(client, "gas") == []
    assert _found(client, "radiator") == [call_id]
    db.session.delete(call)
    db.session.commit()
    assert _found(client, "radiator") == []
    if db.engine.dialect.name == "sqlite":  # a batch migration that recreates `calls` drops these
        names = db.session.execute(text("SELECT name FROM sqlite_master WHERE type = 'trigger'")).scalars()
        assert {"calls_fts_insert", "calls_fts_update", "calls_fts_delete"} <= set(names)


def test_a_word_query_uses_the_full_text_index(tenant):
    """EXPLAIN of a word query shows the full-text index: the GIN index on PostgreSQL, the FTS5
    table on SQLite. 3,000 calls in one workspace are not many, so the test session turns
    `enable_seqscan` off on PostgreSQL (at 20,000+ rows the planner picks the index by itself)."""
    agent = db.session.execute(select(Agent).where(Agent.tenant_id == tenant.id)).scalars().first()
    words = ["boiler", "radiator", "invoice", "leak", "thermostat", "appointment"]
    rare = "zeppelin"  # in 1 call of 100
    rows = [
        {
            "tenant_id": tenant.id,
            "agent_pk": agent.id,
            "external_agent_id": agent.agent_id,
            "conversation_id": f"bulk-{i}",
            "transcript_text": f"My {words[i % 6]} and the {rare if i % 100 == 0 else words[i % 5]}. {i}.",
            "language": "en",
            "status": "processed",
            "transcript": [],
            "topics": [],
            "call_metadata": {},
            "elevenlabs_analysis": {},
            "created_at": T0,
        }
        for i in range(3000)
    ]
    db.session.execute(insert(Call), rows)
    db.session.commit()
    found = keyword_search.match(rare, tenant)
    stmt = select(Call.id).where(Call.tenant_id == tenant.id, found.condition).order_by(found.rank.desc())
    sql = str(stmt.compile(db.engine, compile_kwargs={"literal_binds": True}))
    raw = db.session.connection().connection.dbapi_connection
    cursor = raw.cursor()
    if db.engine.dialect.name == "postgresql":
        cursor.execute("ANALYZE calls")
        cursor.execute("SET enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        cursor.execute("RESET enable_seqscan")
        assert "ix_calls_search_vector" in plan, plan
    else:
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        assert "calls_fts VIRTUAL TABLE INDEX" in plan, plan
    assert len(db.session.execute(stmt).all()) == 30
