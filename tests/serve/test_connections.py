"""Clients that go away mid-request, mid-response or mid-stream get no traceback on stderr.

The real HTTP side of `serve` (bind, Handler) runs in this process on a synthetic site with one
file big enough that the server is still writing it when the client resets the connection."""

from __future__ import annotations

import socket
import struct
import threading
import time

import pytest

from briefgen.serve.http import Server

WAIT = 60.0
BIG = 32 * 1024 * 1024  # larger than any socket buffers between the two ends


def connect(server: Server) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", int(server.server_address[1])), timeout=WAIT)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    return sock


def reset(sock: socket.socket) -> None:
    """Close with a TCP reset (SO_LINGER 0), as a crashed or killed client does."""
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.close()


def handlers_done(others: set[threading.Thread]) -> None:
    """Wait until every request thread started by this test has finished (and so reported any
    error); `others` are threads that existed before (other servers of the test session)."""
    deadline = time.monotonic() + WAIT
    while any("process_request" in t.name for t in set(threading.enumerate()) - others):
        assert time.monotonic() < deadline, "request threads still running"
        time.sleep(0.02)


def test_dropped_connections_leave_no_traceback(
    server: Server, capfd: pytest.CaptureFixture[str]
) -> None:
    port = server.server_address[1]
    others = set(threading.enumerate())
    (server.app.root / "big.bin").write_bytes(b"\0" * BIG)
    for _ in range(3):
        # Mid-response: the status line arrived, the 32 MB body is still being written.
        sock = connect(server)
        sock.sendall(f"GET /big.bin HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        assert sock.recv(12).startswith(b"HTTP/1.")
        reset(sock)
        # Mid-stream: the live-reload stream sent its first event; the page is gone.
        sock = connect(server)
        sock.sendall(f"GET /__briefgen/events HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        received = b""
        while b"event: state" not in received:
            chunk = sock.recv(4096)
            assert chunk, received
            received += chunk
        reset(sock)
        # Mid-request: half a request line, then a reset; and a connection that sends nothing.
        sock = connect(server)
        sock.sendall(b"GET /index.ht")
        reset(sock)
        connect(server).close()
    server.app.state.publish("synthetic-build-2", [])  # the dropped stream is written to
    handlers_done(others)

    # Still serving.
    sock = connect(server)
    sock.sendall(f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\r\n".encode())
    reply = b""
    while chunk := sock.recv(65536):
        reply += chunk
    sock.close()
    assert reply.startswith(b"HTTP/1.0 200") and b"Synthetic page" in reply

    handlers_done(others)
    err = capfd.readouterr().err
    assert "Traceback" not in err, err
    assert "Error" not in err, err
