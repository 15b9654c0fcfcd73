"""The outbound guard: which hosts and URLs CallDesk may send to (no network: the resolver is stubbed)."""

from __future__ import annotations

import ipaddress

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.outbound import OutboundRefused, check_url, guard, is_public, parse_ip, resolve_checked

PUBLIC = ["8.8.8.8", "1.1.1.1", "93.184.215.14", "2606:4700::1111", "2a00:1450:4001:80e::200e"]
NOT_PUBLIC = [
    "127.0.0.1",  # loopback
    "127.255.255.254",
    "10.0.0.1",  # private
    "172.16.5.4",
    "192.168.1.1",
    "169.254.169.254",  # link-local (cloud metadata)
    "100.64.0.1",  # carrier-grade NAT
    "0.0.0.0",  # unspecified  # noqa: S104
    "224.0.0.1",  # multicast
    "239.255.255.250",
    "240.0.0.1",  # reserved
    "255.255.255.255",
    "192.0.2.1",  # documentation
    "198.18.0.1",  # benchmarking
    "::1",
    "::",
    "fc00::1",  # unique local
    "fd12:3456::1",
    "fe80::1",  # link-local
    "fec0::1",  # site-local (deprecated)
    "ff02::1",  # multicast
    "2001:db8::1",  # documentation
    "::ffff:127.0.0.1",  # IPv4-mapped loopback
    "::ffff:10.1.2.3",
    "::127.0.0.1",  # IPv4-compatible (deprecated)
    "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
    "2002:7f00:1::",  # 6to4 of 127.0.0.1
    "2002:c0a8:101::1",  # 6to4 of 192.168.1.1
]


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_allowed(address):
    assert is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_private_loopback_link_local_multicast_and_reserved_are_refused(address):
    assert not is_public(ipaddress.ip_address(address))
    with pytest.raises(OutboundRefused, match="only public addresses"):
        resolve_checked(address, 443, allow_private=False)


def test_ipv4_mapped_public_address_is_its_ipv4_address():
    assert is_public(ipaddress.ip_address("::ffff:8.8.8.8"))


@pytest.mark.parametrize(
    "spelling",
    [
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "0177.1",
        "127.1",
        "0x7f.0.0.1",
        "127.0.0.1.",
        "[::1]",
        "017700000001",
    ],
)
def test_every_spelling_of_loopback_is_refused(spelling):
    assert parse_ip(spelling) in (ipaddress.ip_address("127.0.0.1"), ipaddress.ip_address("::1"))
    with pytest.raises(OutboundRefused):
        resolve_checked(spelling, 80, allow_private=False)


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST", "localhost.", "api.localhost", "x.localhost."])
def test_localhost_names_are_refused_without_asking_dns(host, monkeypatch):
    monkeypatch.setattr(guard, "resolver", lambda *_: pytest.fail("resolver called"))
    with pytest.raises(OutboundRefused, match="local address"):
        resolve_checked(host, 80, allow_private=False)


def test_a_name_is_refused_if_any_of_its_addresses_is_private(monkeypatch):
    monkeypatch.setattr(guard, "resolver", lambda host, port: ["93.184.215.14", "10.0.0.7"])
    with pytest.raises(OutboundRefused, match="10.0.0.7"):
        resolve_checked("mixed.example", 443, allow_private=False)


def test_a_public_name_resolves_to_its_checked_addresses(monkeypatch):
    monkeypatch.setattr(guard, "resolver", lambda host, port: ["93.184.215.14", "2606:4700::1111"])
    assert resolve_checked("hooks.example.com", 443, allow_private=False) == [
        "93.184.215.14",
        "2606:4700::1111",
    ]


def test_allow_private_lets_local_addresses_through(monkeypatch):
    monkeypatch.setattr(guard, "resolver", lambda host, port: ["127.0.0.1"])
    assert resolve_checked("localhost", 80, allow_private=True) == ["127.0.0.1"]
    assert resolve_checked("0x7f000001", 80, allow_private=True) == ["127.0.0.1"]


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://hooks.example.com/x", "http:// or https://"),
        ("file:///etc/passwd", "http:// or https://"),
        ("javascript:alert(1)", "http:// or https://"),
        ("gopher://hooks.example.com/", "http:// or https://"),
        ("https://user:pw@hooks.example.com/", "user name or password"),
        ("https://hooks.example.com/a b", "spaces or control"),
        ("https://hooks.example.com/\r\nX: y", "spaces or control"),
        ("https://", "no host"),
        ("https://hooks.example.com:99999/", "not valid"),
        ("https://hooks.example.com/" + "a" * 2000, "too long"),
        ("http://localhost:8080/hook", "local address"),
        ("http://127.0.0.1/hook", "only public"),
        ("http://[::ffff:169.254.169.254]/latest", "only public"),
        ("http://2130706433/", "only public"),
        ("https://internal.example.com/", "only public"),
        ("https://nowhere.invalid/", "could not be resolved"),
    ],
)
def test_check_url_refuses_with_a_clear_message(url, message, monkeypatch):
    def fake_resolver(host, port):
        if host == "internal.example.com":
            return ["192.168.10.20"]
        if host == "hooks.example.com":
            return ["93.184.215.14"]
        raise OSError("Name or service not known")

    monkeypatch.setattr(guard, "resolver", fake_resolver)
    with pytest.raises(OutboundRefused, match=message):
        check_url(url, allow_private=False)


def test_check_url_accepts_a_public_https_url(monkeypatch):
    monkeypatch.setattr(guard, "resolver", lambda host, port: ["93.184.215.14"])
    assert check_url("  https://hooks.example.com/calldesk?x=1 ", allow_private=False) == (
        "https://hooks.example.com/calldesk?x=1"
    )


# ----------------------------------------------------------------------------- properties

NON_GLOBAL_V4 = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8",
        "10.0.0.0/8",
        "100.64.0.0/10",
        "127.0.0.0/8",
        "169.254.0.0/16",
        "172.16.0.0/12",
        "192.0.0.0/24",
        "192.0.2.0/24",
        "192.168.0.0/16",
        "198.18.0.0/15",
        "198.51.100.0/24",
        "203.0.113.0/24",
        "224.0.0.0/4",
        "240.0.0.0/4",
    )
]


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_no_address_in_a_special_ipv4_range_is_public(n):
    addr = ipaddress.IPv4Address(n)
    if any(addr in net for net in NON_GLOBAL_V4):
        assert not is_public(addr)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_decimal_hex_and_mapped_spellings_mean_the_same_address(n):
    addr = ipaddress.IPv4Address(n)
    assert parse_ip(str(n)) == addr
    assert parse_ip(hex(n)) == addr
    mapped = ipaddress.IPv6Address(f"::ffff:{addr}")
    assert parse_ip(f"[{mapped}]") == mapped
    assert is_public(mapped) == is_public(addr)


@given(st.integers(min_value=0, max_value=2**32 - 1))
def test_6to4_and_nat64_carry_the_verdict_of_their_ipv4(n):
    addr = ipaddress.IPv4Address(n)
    sixtofour = ipaddress.IPv6Address((0x2002 << 112) | (n << 80) | 1)
    nat64 = ipaddress.IPv6Address(int(ipaddress.IPv6Address("64:ff9b::")) | n)
    if not is_public(addr):
        assert not is_public(sixtofour)
        assert not is_public(nat64)
