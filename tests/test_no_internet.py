"""The suite's network guard works: a test cannot reach beyond this machine."""

import socket

import pytest


def test_connecting_to_a_public_address_fails_the_test():
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock,
        pytest.raises(AssertionError, match="network"),
    ):
        sock.connect(("203.0.113.10", 443))  # TEST-NET-3: never routed


def test_loopback_is_allowed():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as client:
            client.connect(server.getsockname())
            assert client.getpeername() == server.getsockname()
