"""`.env.example` lists every setting app/config.py reads, and no setting it does not read."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_env_example_matches_config():
    source = (ROOT / "app" / "config.py").read_text()
    calls = r'(?:os\.environ\.get|_bool|_int|_float|_provider)\(\s*"([A-Z][A-Z0-9_]+)"'
    read = set(re.findall(calls, source))
    read |= set(re.findall(r'_provider\(\s*"[A-Z_]+",\s*"\w+",\s*"\w+",\s*"([A-Z][A-Z0-9_]+)"', source))
    listed = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", (ROOT / ".env.example").read_text(), re.M))
    assert len(read) > 20
    assert read - listed == set(), "missing from .env.example"
    assert listed - read == set(), "listed in .env.example but never read"
