"""Outbound HTTP: one guarded client for every request CallDesk makes to a URL a user gave it."""

from .guard import OutboundRefused, check_url, is_public, parse_ip, resolve_checked
from .http import PostResult, app_client, make_client, post

__all__ = [
    "OutboundRefused",
    "PostResult",
    "app_client",
    "check_url",
    "is_public",
    "make_client",
    "parse_ip",
    "post",
    "resolve_checked",
]
