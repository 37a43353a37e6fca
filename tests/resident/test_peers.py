"""Only our own user's processes are served (SO_PEERCRED, on a real socket), and a client of
other code, or of another Python, never reaches this code's server."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

from briefgen.build.digest import CODE_VERSION
from briefgen.resident import protocol
from briefgen.resident.place import identity
from tests.support.compare_site import copy_compare_site
from tests.support.resident import Resident


def _ask(socket_path: Path, user: int | None) -> str:
    """A status request on the socket from a forked child (as `user`): "S" for a status,
    "None" when the server hung up."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: no pytest machinery from here on, only os._exit
        answer = "error"
        try:
            if user is not None:
                os.setgid(user)
                os.setuid(user)
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(str(socket_path))
            try:  # a server that hung up at once may refuse the request itself
                protocol.send_json(sock, protocol.REQUEST, {"op": "status"})
                frame = protocol.receive(sock)
            except OSError:
                frame = None
            answer = "None" if frame is None else frame[0].decode()
        except BaseException as exc:
            answer = repr(exc)
        finally:
            os.write(write, answer.encode())
            os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    with os.fdopen(read, "rb") as answer:
        return answer.read().decode()


def test_a_peer_of_another_user_is_not_served(resident: Resident, tmp_path: Path) -> None:
    site = copy_compare_site(tmp_path / "site")
    assert resident.briefgen("build", "--no-search", cwd=site).code == 0
    [sock] = resident.folder.glob("*.sock")
    assert _ask(sock, None) == "S"  # our own user: a status
    # Let another user reach the socket (as a careless chmod would): the server still refuses.
    resident.run_dir.chmod(0o711)
    resident.folder.chmod(0o711)
    sock.chmod(0o666)
    assert _ask(sock, 65534) == "None"
    assert _ask(sock, None) == "S"  # and goes on serving


def test_identity_changes_with_the_site_the_code_and_the_python() -> None:
    one = identity("/srv/site", CODE_VERSION, sys.executable)
    assert one == identity("/srv/site", CODE_VERSION, sys.executable)
    assert one != identity("/srv/site2", CODE_VERSION, sys.executable)
    assert one != identity("/srv/site", CODE_VERSION + "0", sys.executable)
    assert one != identity("/srv/site", CODE_VERSION, sys.executable + "3")
    assert "/srv" not in one
