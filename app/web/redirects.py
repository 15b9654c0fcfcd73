"""Where a form may send the browser back to: same-site relative paths only."""

from __future__ import annotations

from urllib.parse import urlsplit


def safe_path(target: str | None) -> str | None:
    """`target` when it is a path on this site ("/calls?x=1"), else None (no "//host", no scheme)."""
    # Browsers read "/\\evil.example" as "//evil.example", and drop tabs and line breaks ("/\t/evil.example").
    ok = target and target.startswith("/") and not target.startswith("//") and "\\" not in target
    ok = ok and not any(ord(c) < 32 or ord(c) == 127 for c in target)
    return target if ok and not urlsplit(target).netloc else None
