"""The head scan finds `type`, `data.agent_id` and `data.conversation_id` in the first bytes of a delivery,
wherever it is cut, and never fails on what it cannot read."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from app.webhooks.head import Hint, scan

TEXT = st.text(st.characters(exclude_categories=()), max_size=20)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | TEXT,
    lambda kids: st.lists(kids, max_size=4) | st.dictionaries(TEXT, kids, max_size=4),
    max_leaves=15,
)


def test_elevenlabs_order_is_found_in_a_head_cut_inside_the_audio():
    body = (
        b'{"type": "post_call_audio", "event_timestamp": 1764400000, "data": {"agent_id": "agent_1", '
        b'"conversation_id": "conv_\\u00e9", "full_audio": "SUQzBAAAAAAAI1RTU0UAAAAP'
    )
    assert scan(body) == Hint("post_call_audio", "agent_1", "conv_é")


def test_nested_ids_and_other_objects_do_not_count():
    body = json.dumps(
        {
            "meta": {"agent_id": "nested", "data": {"agent_id": "deeper"}},
            "data": {"metadata": {"agent_id": "inner"}, "agent_id": 5, "conversation_id": "c"},
            "type": ["not", "a", "string"],
        }
    ).encode()
    assert scan(body) == Hint(None, None, "c")


def test_a_nul_or_a_surrogate_is_returned_as_it_is_for_the_checks_to_refuse():
    assert scan(b'{"data": {"agent_id": "a\\u0000", "conversation_id": "\\ud800"}}') == Hint(
        None, "a\x00", "\ud800"
    )


def test_what_is_not_json_gives_an_empty_hint():
    for head in (b"", b"[1]", b"\xff\xfe", b"{" * 100_000, b"[" * 100_000, b'{"data": {"agent_id": tru'):
        assert scan(head) == Hint()


@settings(max_examples=200, deadline=None, database=None)
@given(kind=TEXT | JSON, agent=TEXT | JSON, conversation=TEXT | JSON, before=JSON, after=JSON)
def test_the_whole_document_gives_what_json_reads(kind, agent, conversation, before, after):
    doc = {
        "before": before,
        "type": kind,
        "data": {"x": before, "agent_id": agent, "conversation_id": conversation},
    }
    doc["after"] = after
    hint = scan(json.dumps(doc).encode())
    assert hint.type == (kind if isinstance(kind, str) else None)
    assert hint.agent_id == (agent if isinstance(agent, str) else None)
    assert hint.conversation_id == (conversation if isinstance(conversation, str) else None)


@settings(max_examples=200, deadline=None, database=None)
@given(doc=JSON, cut=st.integers(min_value=0, max_value=400), ascii_only=st.booleans())
def test_any_document_cut_anywhere_is_scanned_without_error(doc, cut, ascii_only):
    raw = json.dumps(doc, ensure_ascii=ascii_only).encode("utf-8", "surrogatepass")
    assert isinstance(scan(raw[:cut]), Hint)


def test_only_the_first_members_of_an_object_are_looked_at():
    early = {f"k{n}": n for n in range(30)}
    late = {f"k{n}": n for n in range(40)}
    assert scan(json.dumps({"data": {**early, "agent_id": "a"}}).encode()).agent_id == "a"
    assert scan(json.dumps({"data": {**late, "agent_id": "a"}}).encode()).agent_id is None
