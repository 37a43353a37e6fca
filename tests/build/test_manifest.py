"""Reading the manifest: every name checked, parsed once per change, and a build's starting
state dropped when another build changed the output since."""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from briefgen.build import output
from briefgen.build.inputs import BuildOptions, state
from briefgen.build.pipeline import build
from briefgen.urls import safe_relpath
from tests.support.sites import BRIEFING, briefing, write_site

DIGEST = hashlib.sha256(b"synthetic").hexdigest()
PAGE = "briefings/2024-01-02-synthetic/index.html"


def _accepted(name: str) -> bool:
    """What the manifest may list: a name safe_relpath() leaves as it is."""
    try:
        return name != output.MANIFEST and safe_relpath(name) == name
    except ValueError:
        return False


def _write(out: Path, files: dict[str, object]) -> None:
    data = {"generator": "briefgen", "format": output.MANIFEST_FORMAT, "files": files}
    (out / output.MANIFEST).write_text(json.dumps(data))


names = st.text(alphabet=["a", "b", ".", "/", "\\", "\x00", "\n", " "], max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(names, min_size=1, max_size=4, unique=True), st.booleans())
def test_a_manifest_is_read_only_when_every_name_is_safe(listed: list[str], first: bool) -> None:
    with tempfile.TemporaryDirectory() as folder:
        _check_names(Path(folder), listed, first)


def _check_names(out: Path, listed: list[str], first: bool) -> None:
    """Names first, last and between others: the check joins them."""
    files = {name: DIGEST for name in listed}
    files = {**files, "index.html": DIGEST} if first else {"index.html": DIGEST, **files}
    _write(out, files)
    manifest = output.read_manifest(out)
    if all(_accepted(name) for name in files):
        assert manifest is not None and manifest.files == files
    else:
        assert manifest is None


def test_a_digest_that_is_not_one_makes_the_manifest_unreadable(tmp_path: Path) -> None:
    for bad in ("", DIGEST[:-1], DIGEST + "0", DIGEST.upper(), f"{DIGEST}\n{DIGEST}", 7, None):
        _write(tmp_path, {"index.html": DIGEST, "a.html": bad, "b.html": DIGEST})
        assert output.read_manifest(tmp_path) is None, bad
    _write(tmp_path, {"index.html": DIGEST, "a.html": DIGEST})
    assert output.read_manifest(tmp_path) is not None


def test_a_manifest_changed_in_place_is_read_again(tmp_path: Path) -> None:
    """Parsed once, kept while its stat is the same: a forger who restores the size and the
    modification time still moves the ctime."""
    _write(tmp_path, {"index.html": DIGEST})
    path = tmp_path / output.MANIFEST
    first = output.read_manifest(tmp_path)
    assert first is not None and output.read_manifest(tmp_path) is first
    st = path.stat()
    text = path.read_text()
    path.write_text(text.replace("index.html", "../x.html"))  # same size
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert output.read_manifest(tmp_path) is None


def test_a_state_made_before_another_build_is_made_again(tmp_path: Path) -> None:
    """`briefgen build` reads the state before taking the lock; another build meanwhile
    makes it stale, and the build must not trust it (here: it would say "up to date")."""
    site, out = write_site(tmp_path / "site", "First synthetic body."), tmp_path / "out"
    options = BuildOptions(site, out_dir=out, search=False)
    build(options)
    first = state(options)
    assert first.unchanged and first.current()

    (site / BRIEFING).write_text(briefing("Second synthetic body."))
    build(options)  # another build, between the state and the lock
    assert not first.current()
    (site / BRIEFING).write_text(briefing("First synthetic body."))
    result = build(options, start=first)
    assert not result.unchanged
    assert "First synthetic body." in (out / PAGE).read_text()


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.text(min_size=1, max_size=6), st.text(max_size=4), max_size=5))
def test_the_manifest_is_the_json_text_it_always_was(keys: dict[str, str]) -> None:
    """Written fast (msgspec), read back as ever: the bytes json.dumps makes, non-ASCII
    names and control characters included."""
    files = {f"{name}/index.html": DIGEST for name in keys}
    manifest = output.Manifest(files, keys, "inputs", "search", 3, 4)
    data = {
        "generator": "briefgen",
        "format": output.MANIFEST_FORMAT,
        "inputs": "inputs",
        "search": "search",
        "pages": 3,
        "annotations": 4,
        "files": dict(sorted(files.items())),
        "keys": dict(sorted(keys.items())),
    }
    expected = json.dumps(data, separators=(",", ":")) + "\n"
    assert manifest.to_bytes() == expected.encode("utf-8")
