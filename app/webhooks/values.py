"""Values from a delivery made safe before any query: JSON with finite numbers only, ids a database can
store and compare, short display copies for the deliveries log."""

from __future__ import annotations

import json
import math

from . import payload

ID_MAX = 128  # the columns' size; ElevenLabs' ids are far shorter


class Rejected(Exception):
    """The delivery is refused: `status` is the HTTP answer, `reason` what the deliveries log says."""

    def __init__(self, status: int, reason: str):
        super().__init__(reason)
        self.status = status
        self.reason = reason


def parse_json(raw: bytes) -> dict:
    """The delivery's JSON object; Rejected(400) for anything else, non-finite numbers included."""

    def no_constants(name):
        raise ValueError(f"invalid JSON value {name}")

    def finite(text):
        value = float(text)
        if not math.isfinite(value):  # 1e999 reads as infinity, which no JSON column takes back
            raise ValueError(f"number out of range: {text[:40]}")
        return value

    try:
        doc = json.loads(raw, parse_constant=no_constants, parse_float=finite)
    except RecursionError:
        raise Rejected(400, "malformed JSON: nested too deeply") from None
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are both ValueErrors
        raise Rejected(400, f"malformed JSON: {exc}") from None
    if not isinstance(doc, dict):
        raise Rejected(400, f"expected a JSON object, got {type(doc).__name__}")
    return doc


def id_problem(value) -> str | None:
    """Why `value` cannot be an agent or conversation id, or None when it can."""
    if not isinstance(value, str) or not value:
        return "a non-empty string is required"
    if len(value) > ID_MAX:
        return f"at most {ID_MAX} characters"
    if payload.clean(value) != value:
        return "NUL and unpaired surrogate characters are not allowed"
    return None


def checked_id(name: str, value) -> str:
    """`value` as an id, or Rejected(422) naming the field."""
    problem = id_problem(value)
    if problem:
        raise Rejected(422, f"data.{name}: {problem}")
    return value


def short(value, size: int = ID_MAX) -> str | None:
    """A storable copy for the log columns (cleaned and cut), or None for anything but a string."""
    return payload.clean(value)[:size] if isinstance(value, str) and value else None
