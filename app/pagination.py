"""Page numbers from the query string, kept inside what the database can count."""

from __future__ import annotations

import re

from flask import request
from flask_sqlalchemy.pagination import Pagination
from sqlalchemy import Select

from .extensions import db

# Far beyond any real list, and small enough that (page - 1) * per_page fits every OFFSET type.
MAX_PAGE = 1_000_000
_INTEGER = re.compile(r"-?[0-9]{1,30}")


def page_number() -> int:
    """`?page=` as 1..MAX_PAGE: anything else (text, 0, negative, 10**20) is clamped, never an error."""
    raw = request.args.get("page", "1").strip()
    if not _INTEGER.fullmatch(raw):
        return 1
    return min(max(int(raw), 1), MAX_PAGE)


def paginate(stmt: Select, per_page: int) -> Pagination:
    """One page of `stmt`; a page past the end shows the last one."""
    page = page_number()
    result = db.paginate(stmt, page=page, per_page=per_page, error_out=False)
    if page > 1 and not result.items and result.pages:
        result = db.paginate(stmt, page=result.pages, per_page=per_page, error_out=False)
    return result
