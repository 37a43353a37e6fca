"""inputs: file hashes remembered by stat, and the up-to-date check."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from briefgen.build.inputs import FileHashes


def test_a_file_is_hashed_again_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "synthetic.md"
    path.write_text("first synthetic text\n")
    hashes = FileHashes()
    first = hashes.of(path)
    assert first == hashlib.sha256(b"first synthetic text\n").digest()
    assert hashes.of(path) is first  # remembered: same stat, not read again

    stat = path.stat()
    path.write_text("other synthetic text\n")  # same size
    os.utime(path, ns=(stat.st_atime_ns, stat.st_mtime_ns))  # even with the old mtime
    assert hashes.of(path) == hashlib.sha256(b"other synthetic text\n").digest()  # ctime moved
