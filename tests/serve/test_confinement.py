"""Nothing outside the built site is served: symlinks that lead out of it, in the real HTTP side
of `serve` (the traversal paths themselves are tried against a real process in test_serve)."""

from __future__ import annotations

import http.client
from pathlib import Path

import pytest

from briefgen.serve.http import Server


def get(server: Server, path: str) -> tuple[int, bytes]:
    port = int(server.server_address[1])
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path)
        resp = conn.getresponse()
        return resp.status, resp.read()
    finally:
        conn.close()


@pytest.fixture
def secret(tmp_path: Path) -> Path:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("synthetic secret 0c4d")
    return outside


def test_symlinks_out_of_the_site_are_not_followed(server: Server, secret: Path) -> None:
    root = server.app.root
    (root / "file-link.txt").symlink_to(secret / "secret.txt")
    (root / "dir-link").symlink_to(secret, target_is_directory=True)
    (root / "sub").mkdir()
    (root / "sub" / "up-link.txt").symlink_to(Path("..") / ".." / "outside" / "secret.txt")
    for path in ("/file-link.txt", "/dir-link/secret.txt", "/dir-link/", "/sub/up-link.txt"):
        status, body = get(server, path)
        assert status == 404, (path, status)
        assert b"synthetic secret" not in body


def test_symlinks_inside_the_site_are_served(server: Server) -> None:
    root = server.app.root
    (root / "alias.html").symlink_to(root / "index.html")
    status, body = get(server, "/alias.html")
    assert status == 200 and b"Synthetic page" in body


def test_a_directory_redirect_never_points_at_another_host(server: Server) -> None:
    (server.app.root / "briefings").mkdir()
    (server.app.root / "briefings" / "index.html").write_text("<p>Synthetic list</p>")
    port = int(server.server_address[1])
    for path in ("/briefings", "//briefings", "///briefings?x=1"):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        try:
            conn.request("GET", path)
            resp = conn.getresponse()
            location = resp.getheader("Location", "")
        finally:
            conn.close()
        assert resp.status == 302, path
        assert location.startswith("/briefings/") and not location.startswith("//"), location
