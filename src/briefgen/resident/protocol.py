"""Frames over the resident server's socket: one kind byte, a 4-byte length, the payload.

client -> server: REQUEST (JSON: op "build" | "status" | "stop", and for a build argv, cwd,
environ, umask and whether stdout/stderr are terminals).
server -> client: TAKEN (the build is this server's from now on), OUT / ERR (text for the
client's stdout / stderr), EXIT (JSON exit code), STATUS (JSON), DECLINED (JSON reason: build
in-process). A connection that ends before EXIT means the server went away.

Each side is the same user (see server.same_user), yet a frame is still checked: a length past
MAX_FRAME or an unknown kind ends the conversation.
"""

from __future__ import annotations

import json
import socket
import struct
from typing import Any

REQUEST, TAKEN, OUT, ERR, EXIT, STATUS, DECLINED = (bytes([c]) for c in b"QTOEXSD")
KINDS = frozenset((REQUEST, TAKEN, OUT, ERR, EXIT, STATUS, DECLINED))
_HEAD = struct.Struct(">cI")
MAX_FRAME = 64 << 20  # an environment and argv, or a chunk of output: far less


class ProtocolError(Exception):
    """A frame that is malformed, or a connection that ended mid-frame."""


def send(sock: socket.socket, kind: bytes, payload: bytes = b"") -> None:
    sock.sendall(_HEAD.pack(kind, len(payload)) + payload)


def send_json(sock: socket.socket, kind: bytes, value: Any) -> None:
    send(sock, kind, json.dumps(value).encode("ascii"))


def send_text(sock: socket.socket, kind: bytes, text: str) -> None:
    send(sock, kind, text.encode("utf-8", "surrogatepass"))


def text(payload: bytes) -> str:
    return payload.decode("utf-8", "surrogatepass")


def value(payload: bytes) -> Any:
    try:
        return json.loads(payload)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from None


def receive(sock: socket.socket) -> tuple[bytes, bytes] | None:
    """The next frame, or None when the peer closed the connection between frames."""
    head = _exactly(sock, _HEAD.size, at_start=True)
    if head is None:
        return None
    kind, length = _HEAD.unpack(head)
    if kind not in KINDS or length > MAX_FRAME:
        raise ProtocolError(f"bad frame: kind {kind!r}, {length} bytes")
    payload = _exactly(sock, length, at_start=False)
    assert payload is not None
    return kind, payload


def _exactly(sock: socket.socket, size: int, at_start: bool) -> bytes | None:
    chunks: list[bytes] = []
    left = size
    while left:
        chunk = sock.recv(min(left, 1 << 20))
        if not chunk:
            if at_start and left == size:
                return None
            raise ProtocolError("the connection ended mid-frame")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)
