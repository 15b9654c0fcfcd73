"""The outbound client against a real local server: the guard sits in the connection itself."""

from __future__ import annotations

import socket

import pytest
from fakes.receiver import Receiver

from app.outbound import guard, make_client, post


def _client(allow_private: bool, **kw):
    opts = {"connect_timeout": 2.0, "timeout": 2.0, "retries": 0}
    opts.update(kw)
    return make_client(allow_private=allow_private, **opts)


@pytest.fixture
def rx():
    with Receiver() as server:
        yield server


@pytest.fixture
def name_for_loopback(monkeypatch):
    """A made-up DNS name that resolves to 127.0.0.1; counts the lookups."""
    lookups = []

    def fake_resolver(host, port):
        lookups.append(host)
        if host == "hooks.customer.test":
            return ["127.0.0.1"]
        raise OSError("Name or service not known")

    monkeypatch.setattr(guard, "resolver", fake_resolver)
    return lookups


def test_a_name_resolving_to_loopback_is_refused_when_private_addresses_are_not_allowed(
    rx, name_for_loopback
):
    with _client(allow_private=False) as client:
        result = post(client, f"http://hooks.customer.test:{rx.port}/hook", b"{}", {})
    assert result.refused and result.status is None
    assert "127.0.0.1" in result.error
    assert rx.requests == []


def test_the_same_name_is_delivered_when_private_addresses_are_allowed(rx, name_for_loopback):
    with _client(allow_private=True) as client:
        result = post(client, f"http://hooks.customer.test:{rx.port}/hook", b'{"a":1}', {"X-Test": "1"})
    assert result.ok and result.status == 200 and result.excerpt == "ok"
    [request] = rx.requests
    assert request["body"] == b'{"a":1}'
    # The name was resolved once, by the guard, and the socket went to the address it checked.
    assert name_for_loopback == ["hooks.customer.test"]
    assert request["headers"]["host"] == f"hooks.customer.test:{rx.port}"


def test_dns_rebinding_after_the_settings_check_is_caught_at_connect(rx, monkeypatch):
    answers = iter([["93.184.215.14"], ["127.0.0.1"]])  # public when saved, loopback when used
    monkeypatch.setattr(guard, "resolver", lambda host, port: next(answers))
    url = f"http://rebind.example:{rx.port}/hook"
    assert guard.check_url(url, allow_private=False) == url
    with _client(allow_private=False) as client:
        result = post(client, url, b"{}", {})
    assert result.refused and "127.0.0.1" in result.error
    assert rx.requests == []


def test_localhost_and_ip_spellings_are_refused_without_a_connection(rx):
    with _client(allow_private=False) as client:
        for host in ("localhost", "127.0.0.1", "2130706433", "0x7f000001", "[::ffff:127.0.0.1]"):
            result = post(client, f"http://{host}:{rx.port}/hook", b"{}", {})
            assert result.refused, host
    assert rx.requests == []


def test_redirects_are_not_followed(rx):
    rx.replies = [302]
    with _client(allow_private=True) as client:
        result = post(client, rx.url, b"{}", {})
    assert result.status == 302 and not result.ok
    assert len(rx.requests) == 1  # /elsewhere was never asked for


def test_a_slow_receiver_times_out(rx):
    rx.delay_s = 1.0
    with _client(allow_private=True, timeout=0.2) as client:
        result = post(client, rx.url, b"{}", {})
    assert result.timed_out and result.status is None


def test_a_closed_port_is_a_connection_error_retried_a_bounded_number_of_times(monkeypatch):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens once closed
    lookups = []
    monkeypatch.setattr(guard, "resolver", lambda host, port: lookups.append(host) or ["127.0.0.1"])
    with _client(allow_private=True, retries=2) as client:
        result = post(client, f"http://closed.test:{port}/", b"{}", {})
    assert result.status is None and not result.refused and not result.timed_out
    assert "ConnectError" in result.error
    assert len(lookups) == 3  # one try and two retries, each one resolved and checked again


def test_only_the_start_of_a_large_answer_is_read(rx):
    rx.answer_body = b"x" * 100_000
    with _client(allow_private=True) as client:
        result = post(client, rx.url, b"{}", {})
    assert result.ok and len(result.excerpt) == 2048


def test_environment_proxies_are_ignored(rx, monkeypatch):
    monkeypatch.setenv("HTTP_PROXY", "http://203.0.113.9:3128")
    monkeypatch.setenv("ALL_PROXY", "http://203.0.113.9:3128")
    with _client(allow_private=True) as client:
        assert post(client, rx.url, b"{}", {}).ok
