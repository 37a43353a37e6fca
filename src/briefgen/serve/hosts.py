"""DNS-rebinding protection: which Host headers `serve` answers.

A page on a hostile domain can make the browser resolve that domain to 127.0.0.1 and then read
the dev server's responses as its own (same origin). Such requests carry the hostile name in
`Host`, so `serve` answers only names that cannot be rebound: the loopback names and addresses,
the host it was told to bind, and, when bound to every interface, any IP address literal (no DNS
is involved in reaching an address) and the machine's own name. The port must be the one served.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

LOOPBACK = frozenset({"localhost", "127.0.0.1", "::1"})
WILDCARD = frozenset({"", "0.0.0.0", "::"})


@dataclass(frozen=True)
class AllowedHosts:
    names: frozenset[str]  # lower case, IPv6 without brackets
    port: int
    any_address: bool  # bound to every interface: any IP literal reaches us without DNS

    @classmethod
    def listening_on(cls, host: str, address: str, port: int) -> AllowedHosts:
        """For a server told to bind `host`, bound to `address` and `port`."""
        names = set(LOOPBACK) | {_bare(host), _bare(address)}
        wildcard = _bare(address) in WILDCARD
        if wildcard:
            names.add(socket.gethostname().lower())
        return cls(frozenset(names - WILDCARD), port, wildcard)

    def allows(self, header: str | None) -> bool:
        """Whether a request with this Host header (None: absent) is answered. A request
        without one comes from no browser (they always send it) and cannot be rebound."""
        if header is None:
            return True
        if not header or any(c in header for c in "/?#@\\ \t") or not header.isascii():
            return False
        try:
            parts = urlsplit("//" + header)
            name, port = (parts.hostname or ""), parts.port
        except ValueError:
            return False
        if (port if port is not None else 80) != self.port:
            return False
        return name in self.names or (self.any_address and _is_address(name))

    def example(self) -> str:
        """The URL to use instead, for the refusal message."""
        return f"http://127.0.0.1:{self.port}/"


def _bare(host: str) -> str:
    return host.strip("[]").lower()


def _is_address(name: str) -> bool:
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return False
    return True
