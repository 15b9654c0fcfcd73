"""Keyset pagination: "Older →" / "Newer ←" by the sort keys of the page's edge rows.

A list is a statement plus its order, a tuple of `Key`s (SQL expressions, each with a direction)
ending with the row id so the order is total. A cursor carries the key values of the last (or
first) row shown, signed so it cannot be forged: a page costs the same at row 20 and row 2,000,000,
unlike an OFFSET. Keys must never be NULL (wrap nullable columns in `coalesce`): NULL compares to
nothing. Any bad cursor (edited, from another sort order, from another install) is the first page.

`?page=` of the old offset pages is ignored. Totals stop counting at `COUNT_CAP`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from .extensions import db

COUNT_CAP = 10_000
_SALT = "keyset-cursor"


@dataclass(frozen=True)
class Key:
    """One sort key: an SQL expression (a column, `coalesce(...)`, a rank) and its direction."""

    expr: ColumnElement
    descending: bool = False

    def order(self):
        return self.expr.desc() if self.descending else self.expr.asc()


@dataclass
class Page:
    """One page of a list; `older`/`newer` are cursors for `?after=` / `?before=`, or None."""

    items: list
    total: int
    older: str | None = None
    newer: str | None = None
    from_cursor: bool = False  # reached through a cursor, not the first page
    extra: dict = field(default_factory=dict)

    @property
    def capped(self) -> bool:
        return self.total > COUNT_CAP

    @property
    def total_label(self) -> str:
        """ "1,234" exactly, or "10,000+" past the cap."""
        return f"{COUNT_CAP:,}+" if self.capped else f"{self.total:,}"

    @property
    def past_end(self) -> bool:
        """A cursor led beyond the last row (rows deleted, or an old link): "no more", not "none yet"."""
        return not self.items and self.from_cursor

    @property
    def has_more_pages(self) -> bool:
        return bool(self.older or self.newer)


def ordered(stmt: Select, keys: list[Key]) -> Select:
    return stmt.order_by(*(k.order() for k in keys))


def count_query(stmt: Select, id_expr: ColumnElement, cap: int = COUNT_CAP) -> Select:
    """COUNT(*) of `stmt` that stops at cap + 1 rows (a LIMIT subquery over the id alone)."""
    inner = stmt.with_only_columns(id_expr, maintain_column_froms=True).order_by(None).limit(cap + 1)
    return select(func.count()).select_from(inner.subquery())


def count_capped(stmt: Select, id_expr: ColumnElement, cap: int = COUNT_CAP) -> int:
    return db.session.execute(count_query(stmt, id_expr, cap)).scalar_one()


def keyset_page(stmt: Select, keys: list[Key], per_page: int) -> Page:
    """The page of `stmt` in `keys` order that the request's `after`/`before` cursor points to."""
    width = len(stmt.column_descriptions)  # entities or columns per row, before the keys
    fingerprint = _fingerprint(keys)
    total = count_capped(stmt, keys[-1].expr)

    before = _decode(request.args.get("before"), fingerprint, len(keys))
    if before is not None:
        rows = _fetch(page_query(stmt, keys, per_page, before, forward=False))
        if len(rows) > per_page:  # a full page with rows still newer than it
            rows = rows[:per_page][::-1]
            return _page(rows, width, keys, total, older=True, newer=True)
        # Reached the start: the newest rows are the first page (never a short page one).
    after = None if before is not None else _decode(request.args.get("after"), fingerprint, len(keys))
    rows = _fetch(page_query(stmt, keys, per_page, after))
    more = len(rows) > per_page
    page = _page(rows[:per_page], width, keys, total, older=more, newer=after is not None)
    page.from_cursor = after is not None
    return page


def page_query(stmt: Select, keys: list[Key], per_page: int, values=None, forward: bool = True) -> Select:
    """The statement for one page: up to per_page + 1 rows past `values` (None: from the start),
    each row followed by its key values (read back into the next cursor)."""
    stmt = stmt.add_columns(*(k.expr.label(f"_key{i}") for i, k in enumerate(keys)))
    if values is not None:
        stmt = stmt.where(_beyond(keys, values, forward))
    order = keys if forward else [Key(k.expr, not k.descending) for k in keys]
    return ordered(stmt, order).limit(per_page + 1)


def _fetch(stmt: Select) -> list:
    return db.session.execute(stmt).unique().all()


def _beyond(keys: list[Key], values: list, forward: bool):
    """Rows strictly after `values` in key order (before them when not `forward`).

    (k1 < v1) OR (k1 = v1 AND k2 < v2) OR ..., plus the redundant bound k1 <= v1 so the
    index scan starts at the cursor instead of filtering from the top.
    """

    def past(key: Key, value, strict: bool):
        later = key.descending == forward  # walking towards smaller values
        if strict:
            return key.expr < value if later else key.expr > value
        return key.expr <= value if later else key.expr >= value

    alternatives = []
    for i, key in enumerate(keys):
        equal = [keys[j].expr == values[j] for j in range(i)]
        alternatives.append(and_(*equal, past(key, values[i], strict=True)))
    return and_(past(keys[0], values[0], strict=False), or_(*alternatives))


def _page(rows, width: int, keys: list[Key], total: int, older: bool, newer: bool) -> Page:
    items = [row[0] if width == 1 else tuple(row[:width]) for row in rows]
    fingerprint = _fingerprint(keys)
    return Page(
        items=items,
        total=total,
        older=_encode(rows[-1][width:], fingerprint) if older and rows else None,
        newer=_encode(rows[0][width:], fingerprint) if newer and rows else None,
    )


def _fingerprint(keys: list[Key]) -> str:
    """Names the order a cursor belongs to: a cursor of another sort is not read as this one's."""
    text = "|".join(f"{k.expr}:{k.descending}" for k in keys)
    return hashlib.sha256(text.encode()).hexdigest()[:12]


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_SALT)


def _encode(values, fingerprint: str) -> str:
    packed = [{"t": v.isoformat()} if isinstance(v, datetime) else v for v in values]
    return _serializer().dumps({"o": fingerprint, "v": packed})


def _decode(token: str | None, fingerprint: str, arity: int) -> list[Any] | None:
    """The cursor's values, or None for a missing, forged, foreign or malformed cursor."""
    if not token or len(token) > 2000:
        return None
    try:
        data = _serializer().loads(token)
        if data.get("o") != fingerprint or len(data["v"]) != arity:
            return None
        return [datetime.fromisoformat(v["t"]) if isinstance(v, dict) else v for v in data["v"]]
    except (BadData, AttributeError, KeyError, TypeError, ValueError):
        return None
