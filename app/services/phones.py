"""Phone numbers: stored as E.164 when they parse, found in any common format.

Numbers written without a country code ("07700 900123") need a region; a workspace's is its
`phone_region` setting, else the country of its time zone (Europe/London -> GB). Without one,
only international numbers parse, and anything that does not is kept as received.
"""

from __future__ import annotations

import re
from functools import cache
from importlib import resources
from pathlib import Path

import phonenumbers

MAX_LEN = 40
# What a typed phone number may contain; a search query with anything else is not a number.
_NUMBERISH = re.compile(r"^\+?[\d\s().\-/]{6,30}$")


@cache
def zone_countries() -> dict[str, str]:
    """Time zone name -> ISO 3166 country, from the tz database's zone.tab (via tzdata, else the system)."""
    text = ""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        path = Path("/usr/share/zoneinfo/zone.tab")
        text = path.read_text() if path.exists() else ""
    out = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                out[parts[2]] = parts[0]
    return out


def region_for_zone(zone: str | None) -> str | None:
    """The country of a time zone ("Asia/Kolkata" -> "IN"); None for UTC and zones of no country."""
    if not zone:
        return None
    return zone_countries().get(zone)


def region_of(tenant) -> str | None:
    """The region a workspace's national numbers are read in."""
    return (tenant.phone_region or None) or region_for_zone(tenant.timezone)


def valid_region(code: str) -> bool:
    return code.upper() in phonenumbers.SUPPORTED_REGIONS


def to_e164(raw: str | None, region: str | None) -> str | None:
    """E.164 ("+447700900123") for a number that parses as a possible number, else None."""
    if not raw or not raw.strip():
        return None
    text = raw.strip()
    if text.startswith("00"):  # the international prefix most of the world dials
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_possible_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize(raw, region: str | None) -> str | None:
    """What a number is stored as: E.164 when it parses, else the text as received (trimmed)."""
    if not isinstance(raw, str | int) or isinstance(raw, bool):
        return None
    text = str(raw).strip()
    if not text:
        return None
    return (to_e164(text, region) or text)[:MAX_LEN]


def display(number: str | None) -> str:
    """A stored number for people: international format when it is E.164, else as stored."""
    if not number:
        return ""
    if number.startswith("+"):
        try:
            parsed = phonenumbers.parse(number, None)
        except phonenumbers.NumberParseException:
            return number
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    return number


def search_forms(query: str, region: str | None) -> list[str]:
    """The stored forms a search text may mean as a phone number ([] when it is not one).

    "+44 7700 900123", "07700900123" and "7700 900123" all give "+447700900123" in a GB workspace;
    the digits as typed are kept too, for numbers stored as received.
    """
    text = query.strip()
    if not _NUMBERISH.match(text) or sum(c.isdigit() for c in text) < 6:
        return []
    forms = [to_e164(text, region), re.sub(r"[^\d+]", "", text)]
    return [f for f in dict.fromkeys(forms) if f]
