"""Which outbound destinations are allowed: http(s) URLs whose host resolves to public addresses only."""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

MAX_URL_LENGTH = 2000
NAT64 = (ipaddress.ip_network("64:ff9b::/96"), ipaddress.ip_network("64:ff9b:1::/48"))


class OutboundRefused(ValueError):
    """A destination the guard will not connect to; the message is fit to show to the user."""


def parse_ip(host: str) -> IPAddress | None:
    """The address a host string spells, in any form a resolver would accept (`127.1`, `0x7f000001`)."""
    host = host.strip().rstrip(".").strip("[]")
    if "%" in host:  # an IPv6 zone (fe80::1%eth0) only makes sense on a local link
        host = host.split("%", 1)[0]
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        pass
    try:
        # inet_aton takes the legacy spellings (decimal, octal, hex, 1-3 parts) getaddrinfo also takes.
        return ipaddress.IPv4Address(socket.inet_aton(host))
    except (OSError, ValueError):
        return None


def _embedded_ipv4(addr: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    """IPv4 addresses an IPv6 address may lead to (mapped, 6to4, Teredo, NAT64)."""
    found = []
    if addr.ipv4_mapped:
        found.append(addr.ipv4_mapped)
    if addr.sixtofour:
        found.append(addr.sixtofour)
    if addr.teredo:
        found.extend(addr.teredo)
    if any(addr in net for net in NAT64):
        found.append(ipaddress.IPv4Address(int(addr) & 0xFFFFFFFF))
    return found


def is_public(addr: IPAddress) -> bool:
    """True only for globally routable unicast addresses (and the IPv4 inside an IPv6 one, if any)."""
    if isinstance(addr, ipaddress.IPv6Address):
        embedded = _embedded_ipv4(addr)
        if addr.ipv4_mapped:  # ::ffff:a.b.c.d is a.b.c.d, whatever ::/8 says about it
            return is_public(addr.ipv4_mapped)
        if embedded and not all(is_public(v4) for v4 in embedded):
            return False
    return not (
        not addr.is_global
        or addr.is_private
        or addr.is_loopback
        or addr.is_link_local
        or addr.is_multicast
        or addr.is_reserved
        or addr.is_unspecified
        or (isinstance(addr, ipaddress.IPv6Address) and addr.is_site_local)
    )


def _is_local_name(host: str) -> bool:
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def system_resolve(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for host (tests replace this through `resolver`)."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM, proto=socket.IPPROTO_TCP)
    return list(dict.fromkeys(info[4][0] for info in infos))


resolver = system_resolve


def resolve_checked(host: str, port: int, *, allow_private: bool) -> list[str]:
    """The addresses to connect to for host, each checked; raises OutboundRefused or OSError.

    Every address must be public: a name that resolves to one public and one private address is
    refused, or an attacker could race the two. The caller connects to these exact addresses, so
    a second lookup (DNS rebinding) can never swap in another one.
    """
    if not host:
        raise OutboundRefused("The URL has no host.")
    literal = parse_ip(host)
    if literal is not None:
        addresses = [str(literal)]
    else:
        if _is_local_name(host) and not allow_private:
            raise OutboundRefused(f"{host} is a local address; only public addresses are allowed.")
        addresses = resolver(host, port)
        if not addresses:
            raise OSError(f"{host} did not resolve to any address")
    if not allow_private:
        for address in addresses:
            parsed = parse_ip(address)
            if parsed is None or not is_public(parsed):
                raise OutboundRefused(
                    f"{host} resolves to {address}, a private, loopback, link-local or reserved address; "
                    "only public addresses are allowed."
                )
    return addresses


def check_url(url: str, *, allow_private: bool) -> str:
    """The URL, stripped, if it is an http(s) URL to an allowed host; raises OutboundRefused if not."""
    url = (url or "").strip()
    if len(url) > MAX_URL_LENGTH:
        raise OutboundRefused(f"The URL is too long (at most {MAX_URL_LENGTH} characters).")
    if any(ord(ch) < 33 or ord(ch) == 127 for ch in url):
        raise OutboundRefused("The URL contains spaces or control characters.")
    try:
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise OutboundRefused(f"The URL is not valid ({exc}).") from None
    if parts.scheme not in ("http", "https"):
        raise OutboundRefused("The URL must start with http:// or https://.")
    if parts.username is not None or parts.password is not None:
        raise OutboundRefused("The URL must not contain a user name or password.")
    host = parts.hostname or ""
    try:
        resolve_checked(host, port, allow_private=allow_private)
    except OSError:
        raise OutboundRefused(f"The host {host} could not be resolved.") from None
    return url
