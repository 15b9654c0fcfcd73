"""Keyword search over a workspace's calls: words, conversation ids and phone numbers.

`match(q, tenant)` turns what someone typed into a SQL condition on `calls` and a relevance score
(higher is better), for the calls list to filter and order by. Whatever is typed, the SQL is valid.

* Words: PostgreSQL full-text search on `calls.search_vector` (generated from summary and topics,
  weight A, caller name B, transcript C; stemmed with the configuration of the call's language,
  accent-folded; GIN index), read with `websearch_to_tsquery` ("quoted phrase", -word, OR) and
  ranked with `ts_rank_cd`. SQLite: the FTS5 table `calls_fts` (Porter stemming, diacritics
  removed), the same syntax translated to FTS5, ranked with `bm25`.
* Conversation ids: by prefix (btree `text_pattern_ops` index on PostgreSQL).
* Phone numbers: any common form of a number, whole or its start (app/services/phones.py).
Both schemas come from migration a9e4e75bb8ca; its language map and columns match the ones here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import phonenumbers
from flask import current_app
from sqlalchemy import (
    Boolean,
    ColumnElement,
    Float,
    Text,
    and_,
    bindparam,
    case,
    cast,
    column,
    func,
    literal,
    literal_column,
    not_,
    null,
    or_,
    select,
    table,
)
from sqlalchemy.dialects.postgresql import ARRAY, REAL, TSQUERY, TSVECTOR

from ..extensions import db
from ..models import Call
from ..models.list_indexes import newest
from . import phones

MAX_CHARS = 200  # of a query; the rest is ignored
MAX_TERMS = 16  # words or phrases (SQLite)
MIN_ID_PREFIX = 3
# ISO 639-1 code of a call's language -> its text search configuration (migration a9e4e75bb8ca).
CONFIGS = {
    "en": "calldesk_english",
    "es": "calldesk_spanish",
    "de": "calldesk_german",
    "fr": "calldesk_french",
}
SIMPLE = "calldesk_simple"
# Relevance: an exact conversation id first, then an id prefix or a phone number, then the words'
# score, kept in [0, 1) (ts_rank_cd normalisation 32; r / (1 + r) of -bm25 on SQLite).
ID_EXACT, ID_OR_NUMBER = 3.0, 2.0
PG_WEIGHTS = "{0.1,0.2,0.4,1.0}"  # D, C (transcript), B (caller name), A (summary, topics)
FTS_WEIGHTS = (1.0, 5.0, 2.0, 5.0)  # transcript, summary, caller name, topics: as A/B/C above
_WORD = re.compile(r"\w+")
_TERM = re.compile(r'(-?)"([^"]*)"?|(\S+)')


@dataclass(frozen=True)
class Match:
    condition: ColumnElement[bool]
    rank: ColumnElement[float]
    # The ranked calls (None: every match): they all come before the others, whose rank is -1.
    ranked: ColumnElement[bool] | None = None


def clean(q: str) -> str:
    """The searchable part of a query: NFC, no NUL or lone surrogates, trimmed, at most MAX_CHARS."""
    text = q.encode("utf-8", "replace").decode("utf-8").replace("\x00", " ")
    return unicodedata.normalize("NFC", text).strip()[:MAX_CHARS].strip()


def match(q: str, tenant) -> Match | None:
    """How `q` finds the tenant's calls; None when it is empty (or only spaces and NUL).

    The condition does not scope by tenant: the caller's query does (app/tenancy.py).
    """
    text = clean(q)
    if not text:
        return None
    words = _postgres_words(text) if db.engine.dialect.name == "postgresql" else _sqlite_words(text)
    by_id = _id_prefix(text)
    by_number = _number(text, phones.region_of(tenant))
    conditions = [c for c in (words and words[0], by_id, by_number) if c is not None]
    bonus = [(Call.conversation_id == text, ID_EXACT)]
    bonus += [(c, ID_OR_NUMBER) for c in (by_id, by_number) if c is not None]
    rank = case(*bonus, else_=0.0) + (words[1] if words else literal(0.0))
    edge = _oldest_candidate(words[0], tenant) if words else None
    if edge is None:
        return Match(condition=or_(*conditions), rank=rank)
    # A common word: only the KEYWORD_RANK_CANDIDATES most recent word matches (and id or number
    # matches) are ranked; older matches follow them, newest first (rank -1).
    when, call_id = edge
    ranked = or_(newest() > when, and_(newest() == when, Call.id >= call_id), *conditions[1:])
    return Match(condition=or_(*conditions), rank=case((ranked, rank), else_=-1.0), ranked=ranked)


def _oldest_candidate(words: ColumnElement[bool], tenant):
    """(when, id) of the oldest call ranked for `words`, or None when there are no more matches than
    KEYWORD_RANK_CANDIDATES (all ranked). Read along the time index: a few thousand rows at most."""
    cap = max(1, current_app.config["KEYWORD_RANK_CANDIDATES"])
    edge = (
        select(newest(), Call.id)
        .where(Call.tenant_id == tenant.id, words)
        .order_by(newest().desc(), Call.id.desc())
        .offset(cap - 1)
        .limit(2)
    )
    rows = db.session.execute(edge).all()
    return tuple(rows[0]) if len(rows) == 2 else None


def like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _id_prefix(text: str) -> ColumnElement[bool]:
    """Conversation ids starting with the text; only the id itself for a text shorter than
    MIN_ID_PREFIX (one or two characters would start too many)."""
    if len(text) < MIN_ID_PREFIX:
        return Call.conversation_id == text
    return Call.conversation_id.like(like_escape(text) + "%", escape="\\")


def number_prefixes(text: str, region: str | None) -> list[str]:
    """The starts of stored numbers a text typed as a (whole or partial) phone number means.

    "+44 7700 900123", "07700900123", "7700 900123" -> "+447700900123" in a GB workspace, and
    "07700 900" -> "+447700900" (its start); the digits as typed too, for numbers stored as received.
    """
    forms = phones.search_forms(text, region)
    if not forms:
        return []
    digits = re.sub(r"\D", "", text)
    if text.startswith("+"):
        forms.append("+" + digits)
    elif text.startswith("00"):
        forms.append("+" + digits[2:])
    elif digits.startswith("0") and region:
        code = phonenumbers.country_code_for_region(region.upper())
        if code:
            forms.append(f"+{code}{digits[1:]}")
    return list(dict.fromkeys(forms))


def _number(text: str, region: str | None) -> ColumnElement[bool] | None:
    prefixes = number_prefixes(text, region)
    if not prefixes:
        return None
    return or_(*(Call.caller_number.like(p + "%") for p in prefixes))  # only "+" and digits: no escaping


# --------------------------------------------------------------------------- PostgreSQL


def _postgres_words(text: str) -> tuple[ColumnElement[bool], ColumnElement[float]] | None:
    """Condition and score for the words, each call read with its own language's configuration.

    The queries are parsed once (one round trip) and sent back as constants: the GIN index serves
    `search_vector @@ (q_english | q_spanish | ...)`, and `search_vector @@ q_<call's language>`
    keeps only what the call's own configuration matches (so "-word" means what it says).
    """
    names = [*CONFIGS.values(), SIMPLE]
    parse = [cast(func.websearch_to_tsquery(literal_column(f"'{n}'::regconfig"), text), Text) for n in names]
    parsed = db.session.execute(select(*parse)).one()
    by_config = {n: _tsquery(q) if q else null() for n, q in zip(names, parsed, strict=True)}
    distinct = sorted({q for q in parsed if q})
    if not distinct:
        return None  # only stop words or punctuation
    vector = literal_column("calls.search_vector", TSVECTOR)
    any_config = _tsquery(" | ".join(f"( {q} )" for q in distinct))
    language = func.lower(func.left(func.coalesce(Call.language, ""), 2))
    own = case({code: by_config[n] for code, n in CONFIGS.items()}, value=language, else_=by_config[SIMPLE])
    # The same test as `vector @@ own`, written as a CASE of matches: the planner estimates a CASE at
    # one row in two, where `@@ (CASE ...)` got 0.5 % and, for a common word, a scan of the whole
    # workspace instead of the GIN bitmap (17,000 matches of 100,000 estimated as 54: 2x slower).
    matches = {code: vector.bool_op("@@")(by_config[n]) for code, n in CONFIGS.items()}
    own_match = case(matches, value=language, else_=vector.bool_op("@@")(by_config[SIMPLE]))
    condition = vector.bool_op("@@")(any_config) & own_match
    weights = cast(literal(PG_WEIGHTS), ARRAY(REAL))
    score = func.coalesce(func.ts_rank_cd(weights, vector, own, 32, type_=Float), 0.0)
    return condition, score


def _tsquery(parsed: str) -> ColumnElement:
    return cast(bindparam(None, parsed), TSQUERY)


# --------------------------------------------------------------------------- SQLite


def fts5_query(text: str) -> tuple[str | None, str | None]:
    """websearch syntax ("a phrase", -word, OR) as an FTS5 query: (what to find, what to exclude).

    Every word is quoted, so nothing typed is FTS5 syntax. A query of exclusions only gives
    (None, exclusions); one with no words at all gives (None, None).
    """
    groups: list[tuple[list[str], list[str]]] = [([], [])]
    terms = 0
    for sign, phrase, bare in _TERM.findall(text):
        if bare and bare.upper() == "OR":
            if groups[-1][0] or groups[-1][1]:
                groups.append(([], []))
            continue
        negative = sign == "-" or bare.startswith("-")
        words = _WORD.findall(bare or phrase)
        if not words or terms >= MAX_TERMS:
            continue
        terms += 1
        groups[-1][1 if negative else 0].append('"' + " ".join(words) + '"')
    found = []
    for positive, negative in groups:
        if positive:
            part = " AND ".join(positive)
            found.append(f"({part}) NOT ({' OR '.join(negative)})" if negative else f"({part})")
    excluded = [term for _, negative in groups for term in negative]
    if found:
        return " OR ".join(found), None
    return None, (" OR ".join(excluded) or None)


def _sqlite_words(text: str) -> tuple[ColumnElement[bool], ColumnElement[float]] | None:
    found, excluded = fts5_query(text)
    fts = table("calls_fts", column("rowid"))
    if found is None:
        if excluded is None:
            return None
        matching = select(fts.c.rowid).where(literal_column("calls_fts").op("MATCH")(excluded))
        return not_(Call.id.in_(matching)), literal(0.0)
    query = bindparam("keyword_fts", found)
    hit = literal_column("calls_fts").op("MATCH", return_type=Boolean)(query)
    bm25 = -func.bm25(literal_column("calls_fts"), *FTS_WEIGHTS, type_=Float)
    score = select(bm25 / (1.0 + bm25)).where(hit, fts.c.rowid == Call.id).scalar_subquery()
    return Call.id.in_(select(fts.c.rowid).where(hit)), func.coalesce(score, 0.0)
