"""Stage 6: write the output without ever losing anything.

Every build makes a complete new tree beside the output (files whose bytes did not change are
hard-linked from the current one, so a warm build writes little), then swaps it in with one
atomic rename (publish.commit). A manifest records what briefgen wrote; the output directory is
not trusted: a manifest that lists paths outside it, or files that are not there, is ignored,
and the build removes only files whose bytes are those the manifest says briefgen wrote.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import msgspec

from briefgen.build.listing import _RACY_NS as _RACY_NS  # re-exported: tests wait it out
from briefgen.build.listing import Listing as Listing  # re-exported: its home was here
from briefgen.diagnostics import UsageError
from briefgen.urls import safe_relpath  # in urls.py: search checks its paths too

MANIFEST = ".briefgen-manifest.json"
MANIFEST_FORMAT = 2
_HEX = re.compile(r"[0-9a-f\n]*")
# An empty, "." or ".." part of a name (or an absolute one), in names joined with NUL
_BAD_NAME = re.compile(r"(?:\A|\x00|/)\.{0,2}(?:/|\x00|\Z)")


@dataclass(frozen=True)
class Manifest:
    """What briefgen wrote into an output directory, and from what."""

    files: dict[str, str]  # path -> sha256 of its bytes
    keys: dict[str, str] = field(default_factory=dict)  # path -> digest of its inputs
    inputs: str = ""  # digest of every input of the build
    search: str = ""  # digest of the search records
    pages: int = 0
    annotations: int = 0

    @classmethod
    def empty(cls) -> Manifest:
        return cls({})

    def to_bytes(self) -> bytes:
        data = {
            "generator": "briefgen",
            "format": MANIFEST_FORMAT,
            "inputs": self.inputs,
            "search": self.search,
            "pages": self.pages,
            "annotations": self.annotations,
            "files": dict(sorted(self.files.items())),
            "keys": dict(sorted(self.keys.items())),
        }
        # msgspec writes what json.dumps(data, separators=(",", ":")) does, 2-3x faster (a
        # big site's manifest lists 36,000 files; serve writes one per save), except that
        # it leaves non-ASCII characters (and DEL) unescaped: then json's text, the same bytes.
        raw = msgspec.json.encode(data)
        if not raw.isascii() or b"\x7f" in raw:
            raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
        return raw + b"\n"


def read_manifest(out_dir: Path) -> Manifest | None:
    """The manifest of the last build into out_dir; None if there is none we can read, or if
    it lists a path that could leave the directory or a digest that is not one.

    A build asks more than once (is the output up to date, which files did briefgen write),
    and serve before every build: the bytes are read each time (a few ms) but parsed again
    only when they differ from those last read or written."""
    try:
        raw = (out_dir / MANIFEST).read_bytes()
    except OSError:
        return None
    known = _known[0] if _known else None
    if known is not None and known[0] == raw:
        return known[1]
    manifest = _parse(raw)
    _known[:] = [(raw, manifest)]
    return manifest


def write_manifest(path: Path, manifest: Manifest) -> None:
    """Write the manifest to `path`, and remember it: the next build in this process (serve)
    reads these bytes without parsing them again."""
    raw = manifest.to_bytes()
    path.write_bytes(raw)
    _known[:] = [(raw, manifest)]


_known: list[tuple[bytes, Manifest | None]] = []  # the manifest last read or written


def manifest_signature(out_dir: Path) -> tuple[int, ...] | None:
    """What changes when a build publishes a new manifest (a new file: a new inode, while the
    old one still exists), with one stat; None when there is none."""
    try:
        st = os.stat(out_dir / MANIFEST, follow_symlinks=False)
    except OSError:
        return None
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _parse(raw: bytes) -> Manifest | None:
    try:
        # msgspec: ~3x json.loads (a big site's manifest is ~5 MB); it refuses what briefgen
        # never writes (NaN, lone surrogates) as json would not: then the manifest is not used
        data = msgspec.json.decode(raw)
        if not isinstance(data, dict) or data.get("format") != MANIFEST_FORMAT:
            return None
        files, keys = data.get("files", {}), data.get("keys", {})
        if not isinstance(files, dict) or not isinstance(keys, dict) or not _valid(files):
            return None
        return Manifest(
            files=files,  # checked by _valid: string keys (JSON) and string values
            keys={str(k): str(v) for k, v in keys.items()},
            inputs=str(data.get("inputs", "")),
            search=str(data.get("search", "")),
            pages=int(data.get("pages", 0)),
            annotations=int(data.get("annotations", 0)),
        )
    except (ValueError, TypeError):
        return None


def _valid(files: Mapping[str, Any]) -> bool:
    """Every name one that safe_relpath() accepts unchanged, every digest a sha256: checked on
    all of them at once (a big site's manifest lists 36,000 files: one by one took 0.1 s).
    Names are joined with NUL, which none may hold; digests with a newline."""
    if not files:
        return True
    names = "\x00".join(files)
    digests = "\n".join(files.values())  # TypeError (caught) when one is not a string
    return (
        MANIFEST not in files
        and "" not in files
        and "\\" not in names
        and names.count("\x00") == len(files) - 1  # no name holds a NUL
        and _parts_ok(names)
        and len(digests) == 65 * len(files) - 1
        and digests.count("\n") == len(files) - 1  # no digest holds a newline
        and digests[64::65] == "\n" * (len(files) - 1)  # so each has 64 characters
        and _HEX.fullmatch(digests) is not None
    )


def _parts_ok(names: str) -> bool:
    """No name absolute, and none with an empty, "." or ".." part (a few substring searches
    tell when there can be none; the regular expression looks closer)."""
    empty = names.startswith("/") or names.endswith("/") or "//" in names
    if empty or "\x00/" in names or "/\x00" in names:
        return False
    if names.startswith(".") or "/." in names or "\x00." in names:
        return _BAD_NAME.search(names) is None
    return True


def trusted_manifest(
    out_dir: Path,
    listing: Listing | None = None,
    check: Callable[[Path, Manifest], bool] | None = None,
) -> Manifest | None:
    """The last build's manifest, if everything it lists is still there to be reused.
    `listing`: Listing.of(out_dir), when the caller has it; `check`: what tells it, when a
    long-lived caller has its own (serve/outputcheck.py), else intact()."""
    manifest = read_manifest(out_dir)
    if manifest is None:
        return None
    whole = check(out_dir, manifest) if check is not None else intact(out_dir, manifest, listing)
    return manifest if whole else None  # damaged or forged: build all again, reuse nothing


def intact(out_dir: Path, manifest: Manifest, listing: Listing | None = None) -> bool:
    """Every file the manifest lists is in out_dir as a regular file, reached without a
    symbolic link: only then may a build reuse them instead of writing them again."""
    listing = listing or Listing.of(out_dir)
    files = manifest.files.keys()
    return files <= listing.entries.keys() and listing.irregular.isdisjoint(files)


def regular_files(root: Path) -> set[str]:
    """Relative paths of the regular files below root; symbolic links are not followed."""
    return Listing.of(root).regular()


def new_staging(out_dir: Path) -> Path:
    out_dir = real_output(out_dir)
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    return Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.new-", dir=out_dir.parent))


def real_output(out_dir: Path) -> Path:
    """The directory to replace: the target when out_dir is a symbolic link to one (the link
    stays as the author made it)."""
    return out_dir.resolve() if out_dir.is_symlink() else out_dir.absolute()


def stage_if_changed(
    staging: Path, name: str, data: bytes, old_digest: str | None
) -> tuple[str, str, bool]:
    """Write `data` into the staging tree unless the output already has these bytes."""
    new_digest = hashlib.sha256(data).hexdigest()
    if new_digest == old_digest:
        return name, new_digest, False
    target = staging / safe_relpath(name)
    try:  # most files go into a folder made for an earlier one (a briefing has three)
        target.write_bytes(data)
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
    return name, new_digest, True


def staged_digests(staging: Path, prefix: str) -> dict[str, str]:
    folder = staging / prefix
    return {
        path.relative_to(staging).as_posix(): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def check_output_dir(out_dir: Path, site_dir: Path) -> None:
    """Refuse an output directory whose replacement could destroy the author's work."""
    out, site = out_dir.resolve(), site_dir.resolve()
    content = site / "content"
    if out in (site, content) or out in site.parents or out in content.parents:
        raise UsageError(f"refusing to write the site to {out_dir}: it holds the site's sources")
    if content in out.parents or (site / "themes") in out.parents or out == site / "themes":
        raise UsageError(f"refusing to write the site to {out_dir}: it is inside content/themes")
    if out.exists() and not out.is_dir():
        raise UsageError(f"{out_dir} exists and is not a directory; choose another -o")
    if out.is_dir() and not os.access(out, os.R_OK | os.W_OK | os.X_OK):
        raise UsageError(f"{out_dir} is not writable; check its permissions or choose another -o")
    if out.is_dir() and any(out.iterdir()) and not (out / MANIFEST).is_file():
        raise UsageError(
            f"refusing to replace {out_dir}: it is not empty and briefgen did not build it "
            f"(no {MANIFEST}); choose another -o or empty it yourself"
        )


def discard(staging: Path) -> None:
    shutil.rmtree(staging, ignore_errors=True)
