"""DNS-rebinding protection: `serve` answers only Host headers naming where it listens.

Raw HTTP requests with forged Host headers against a real `briefgen serve` process, and the
policy itself for a server bound to every interface."""

from __future__ import annotations

import socket

import pytest

from briefgen.serve.hosts import AllowedHosts
from tests.support.served import BASE_PATH, BRIEFING_PATH, Served


def raw_get(port: int, target: str, host: str | None) -> tuple[int, bytes]:
    """Status and body of one HTTP/1.1 request sent byte for byte, Host header as given."""
    header = "" if host is None else f"Host: {host}\r\n"
    request = f"GET {target} HTTP/1.1\r\n{header}Connection: close\r\n\r\n".encode("latin-1")
    with socket.create_connection(("127.0.0.1", port), timeout=30) as sock:
        sock.sendall(request)
        chunks = []
        while chunk := sock.recv(65536):
            chunks.append(chunk)
    head, _, body = b"".join(chunks).partition(b"\r\n\r\n")
    return int(head.split(b" ", 2)[1]), body


FORGED = [
    "attacker.example:{port}",
    "attacker.example",
    "127.0.0.1.attacker.example:{port}",
    "localhost.attacker.example:{port}",
    "127.0.0.1:{other}",
    "localhost:{other}",
    "localhost",
    "127.0.0.1",
    "",
    "user@127.0.0.1:{port}",
    "127.0.0.1:{port}/path",
    "10.0.0.1:{port}",
]


@pytest.mark.parametrize("path", ["", BRIEFING_PATH, "__briefgen/events", "__briefgen/live.js"])
def test_forged_host_headers_are_refused(served: Served, path: str) -> None:
    for forged in FORGED:
        host = forged.format(port=served.port, other=served.port + 1)
        status, body = raw_get(served.port, BASE_PATH + path, host)
        assert status == 403, (host, status)
        assert b"forbidden" in body and b"Shanghai" not in body and b"good" not in body


def test_an_absolute_request_target_is_held_to_the_same_hosts(served: Served) -> None:
    own = f"127.0.0.1:{served.port}"
    status, _ = raw_get(served.port, f"http://attacker.example{BASE_PATH}", own)
    assert status == 403
    status, body = raw_get(served.port, f"http://{own}{BASE_PATH}{BRIEFING_PATH}", own)
    assert status == 200 and b"Shanghai Cooperation Organization" in body


@pytest.mark.parametrize("host", ["127.0.0.1:{port}", "localhost:{port}", "LocalHost:{port}", None])
def test_the_addresses_it_listens_on_are_answered(served: Served, host: str | None) -> None:
    status, body = raw_get(
        served.port, BASE_PATH + BRIEFING_PATH, host and host.format(port=served.port)
    )
    assert status == 200
    assert b"Shanghai Cooperation Organization" in body


def test_ipv6_loopback_is_answered_when_listening_there() -> None:
    hosts = AllowedHosts.listening_on("::1", "::1", 8000)
    assert hosts.allows("[::1]:8000")
    assert not hosts.allows("[::1]:8001")
    assert not hosts.allows("attacker.example:8000")


def test_bound_to_every_interface_any_address_but_no_other_name_is_answered() -> None:
    hosts = AllowedHosts.listening_on("0.0.0.0", "0.0.0.0", 8000)
    assert hosts.allows("192.0.2.7:8000")  # an address: reached without DNS
    assert hosts.allows(f"{socket.gethostname()}:8000")
    assert hosts.allows("localhost:8000")
    assert not hosts.allows("192.0.2.7:8001")
    assert not hosts.allows("attacker.example:8000")
    assert not hosts.allows("0.0.0.0.attacker.example:8000")


def test_a_named_host_is_answered_by_that_name_and_its_address() -> None:
    hosts = AllowedHosts.listening_on("synthetic-host.test", "192.0.2.9", 8080)
    assert hosts.allows("synthetic-host.test:8080")
    assert hosts.allows("192.0.2.9:8080")
    assert not hosts.allows("192.0.2.10:8080")  # bound to one address: only that one
