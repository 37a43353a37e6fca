"""A build's options and inputs, and whether anything changed since the last build.

Light on purpose (no Markdown, YAML or Jinja imports): `briefgen build` asks `up_to_date()`
first, and a rebuild with nothing changed ends here, without loading the pipeline.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

import msgspec

from briefgen.build import output
from briefgen.build.cachedir import CACHE_DIR
from briefgen.build.digest import CODE_VERSION
from briefgen.build.listing import Kept
from briefgen.build.parallel import collector_paused
from briefgen.content import siteyaml
from briefgen.content.names import BRIEFINGS, briefing_name, hidden
from briefgen.content.walk import FILE, Tree, not_regular, walk
from briefgen.theme.files import theme_dirs


@dataclass(frozen=True)
class BuildOptions:
    site_dir: Path
    out_dir: Path | None = None  # defaults to site_dir/site
    base_url: str | None = None
    drafts: bool = False
    search: bool = True
    strict: bool = False
    jobs: int = 0  # 0: one per core
    cache: bool = True
    # Keep the previous search index as it is (maybe stale) and index at a later build: serve
    # shows an edited page first, then indexes. The manifest marks the index stale.
    defer_search: bool = False
    # serve: move the files this build wrote straight into the output (its own private
    # folder) instead of swapping in a complete new tree: work in proportion to a save's
    # files, not the site's (build/inplace.py). Not atomic as a whole: not for publishing.
    publish_in_place: bool = False

    @property
    def output(self) -> Path:
        return self.out_dir if self.out_dir is not None else self.site_dir / "site"


class FileHashes:
    """Files' content hashes. Each file is read once per build; a long-lived process (serve,
    the resident build process) keeps one of these across builds, and a `briefgen build` in a
    fresh process starts from the table the last one stored (`stored()`, `store()`): a file is
    re-read only if its size, modification time, change time, inode or device changed since
    (editors and git always change them; the change time cannot be set back, as git's index
    relies on too).

    A file's times have a coarse grain (a clock tick; whole seconds on some file systems), so
    a file written again within the tick it was hashed in, at the same size, would look
    unchanged: like git's "racy" index entries, a hash taken within RACY_NS of the file's
    last change is kept for this build only, never stored, and the file is read again by the
    next build."""

    RACY_NS = 2_000_000_000  # above any file system's time grain (FAT: 2 s) and clock lag
    STORE = "hashes.msgpack"  # in the site's cache folder (CACHE_DIR)
    FORMAT = "briefgen-hashes/1"

    def __init__(self) -> None:
        # by path string: a Path's hash is costly (pathlib folds its parts: 0.1 ms per path)
        self._known: dict[str, tuple[_Signature, bytes]] = {}
        self._racy: set[str] = set()
        self._read = 0  # files read (not found known) since stored() or the last store()

    def next_build(self) -> None:
        """Start a new build: forget the hashes taken too soon after their file changed."""
        for name in self._racy:
            self._known.pop(name, None)
        self._racy.clear()

    def of(self, path: Path | str) -> bytes:
        name = os.fspath(path)
        st = os.stat(name)
        if not stat.S_ISREG(st.st_mode):  # a pipe would block the read, a device never end
            raise not_regular(name)
        signature = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
        known = self._known.get(name)
        if known is not None and known[0] == signature:
            return known[1]
        hashed_at = time.time_ns()
        with open(name, "rb") as file:
            content = hashlib.file_digest(file, "sha256").digest()
        self._known[name] = (signature, content)
        self._read += 1
        if abs(hashed_at - max(st.st_mtime_ns, st.st_ctime_ns)) < self.RACY_NS:
            self._racy.add(name)  # a time in the future (a skewed clock) is racy too
        return content

    @classmethod
    def stored(cls, folder: Path) -> FileHashes:
        """The table the last `store()` into `folder` left; empty if there is none, or if it
        is not one (the cache folder is untrusted input: see build/cache.py)."""
        hashes = cls()
        try:
            raw = (folder / cls.STORE).read_bytes()
            stored_format, rows = msgspec.msgpack.decode(raw, type=_Stored)
        except (OSError, msgspec.DecodeError, ValueError):
            return hashes
        if stored_format == cls.FORMAT:
            hashes._known = {row[0]: (row[1:6], row[6]) for row in rows if len(row[6]) == 32}
        return hashes

    def store(self, folder: Path, names: Iterable[str]) -> None:
        """Keep the hashes of these files (this build's inputs) for the next process, unless
        no file had to be read. Best effort: a cache folder that cannot be written is no
        error, and a table two builds write at once is either's (each row is true alone)."""
        if not self._read:
            return
        rows = []
        for name in names:
            known = self._known.get(name)
            if known is not None and name not in self._racy:
                rows.append((name, *known[0], known[1]))
        if not rows:
            return  # a table left from before holds no row that could be wrong
        temporary: str | None = None
        try:
            folder.mkdir(exist_ok=True)
            handle, temporary = tempfile.mkstemp(dir=folder, prefix=".hashes-")
            with os.fdopen(handle, "wb") as file:
                file.write(msgspec.msgpack.encode((self.FORMAT, rows)))
            os.replace(temporary, folder / self.STORE)
        except OSError:
            if temporary is not None:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
            return
        self._read = 0


_Signature = tuple[int, int, int, int, int]  # size, modification and change times, inode, device
_Stored = tuple[str, list[tuple[str, int, int, int, int, int, bytes]]]


def input_digest(options: BuildOptions, hashes: FileHashes | None = None) -> str:
    """Every input of a build: options, version, content files and theme files."""
    return with_options(options, files_digest(options, hashes))


def with_options(options: BuildOptions, files: str) -> str:
    """The input digest of a build with these options over files of this files_digest():
    a build that deferred its search index and the one that catches up read the same files."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "")  # the feed's timestamp follows it
    settings = (
        CODE_VERSION,
        options.base_url,
        options.drafts,
        options.search,
        options.strict,
        options.defer_search,
        epoch,
    )
    return hashlib.sha256(repr(settings).encode() + files.encode()).hexdigest()


@dataclass(frozen=True)
class Found:
    """The input files as one walk of their folders found them, each stat'ed once (and read
    only if its stat changed: FileHashes), for the stages of the build that read them.

    `briefings`: the paths content.briefings.briefing_files() lists, from the same walk
    (content.walk, through links to folders at any depth, as the reader's); None where that
    walk cannot tell them as briefing_files() would (content/briefings/ not a folder, a folder
    below it that could not be read or a link cycle there, a name that is not UTF-8): the
    reader then lists them itself, and meets the same errors."""

    hashes: dict[str, bytes]  # path -> content hash, of every input file
    briefings: list[str] | None = None


def files_digest(options: BuildOptions, hashes: FileHashes | None = None) -> str:
    """The content and theme files, by name and content hash."""
    return _found(options, hashes or FileHashes())[0]


def _found(options: BuildOptions, hashes: FileHashes) -> tuple[str, Found]:
    """files_digest(), and the files as found (one walk, one stat per file).

    Every file the build can read is among them: the readers list theirs with the same walk
    (content.walk), through links to folders at any depth, and open only named files in
    content/ otherwise. A link cycle counts as an entry of its own, so that making one is a
    change, and the build that follows reports it where a reader meets it."""
    site_dir = options.site_dir
    content = site_dir / "content"
    folders = [content, *theme_dirs(site_dir, siteyaml.basics(site_dir).theme)]
    parts: list[bytes] = []
    known: dict[str, bytes] = {}
    briefings: list[str] | None = None
    for folder in folders:
        tree = walk(folder)
        for names, path, kind in tree.entries:
            if kind != FILE:
                continue
            rel = os.fsencode("/".join(names))  # a name need not be UTF-8 (checked later)
            known[path] = content_hash = hashes.of(path)
            parts.append(len(rel).to_bytes(8, "little") + rel + content_hash)
        for cycle in tree.cycles:
            rel = os.fsencode("/".join(cycle.names))
            parts.append(
                len(rel).to_bytes(8, "little") + rel + b"cycle:" + os.fsencode(cycle.folder)
            )
        if folder is content:
            briefings = _briefings(tree)
    h = hashlib.sha256(b"".join(parts))
    return h.hexdigest(), Found(known, briefings)


def _files(folder: Path) -> list[tuple[str, str]]:
    """(name below folder, path) of its files, in the order of their names' parts: what
    os.walk(folder, followlinks=True) finds and isfile() keeps (link cycles not entered),
    without pathlib's cost per path (0.5 s of a save in serve at 4,000 briefings)."""
    return [("/".join(names), path) for names, path, _ in walk(folder).files()]


def _briefings(tree: Tree) -> list[str] | None:
    """The briefing files among the content folder's entries (see Found), or None."""
    if any(not names or _below_briefings(names) for names, _ in tree.failed):
        return None  # briefing_files() fails there: let it say so
    if any(_below_briefings(cycle.names) for cycle in tree.cycles):
        return None  # briefing_files() says where the cycle is
    if any(names == (BRIEFINGS,) for names, _, _ in tree.entries):
        return None  # content/briefings is a file, a dangling link...: as briefing_files() finds it
    paths = [path for names, path, _ in tree.entries if len(names) > 1 and _briefing(names)]
    try:
        "".join(paths).encode("utf-8")
    except UnicodeEncodeError:
        return None  # briefing_files() says which name is not UTF-8
    return paths


def _below_briefings(names: tuple[str, ...]) -> bool:
    """A folder content/briefings/ or one below it that briefing_files() enters."""
    return bool(names) and names[0] == BRIEFINGS and not any(hidden(n) for n in names[1:])


def _briefing(names: tuple[str, ...]) -> bool:
    return (
        names[0] == BRIEFINGS
        and briefing_name(names[-1])
        and not any(hidden(name) for name in names[1:-1])
    )


@dataclass(frozen=True)
class State:
    """Where a build starts: the last build's manifest (None before the first) and the digest
    of this build's inputs."""

    out_dir: Path
    previous: output.Manifest | None
    inputs: str
    hashes: FileHashes  # of the input files, for the build to reuse
    signature: tuple[int, ...] | None = None  # of the manifest file `previous` was read from
    files: str = ""  # files_digest() of the inputs
    # the output's entries, for publishing to reuse while still current (output.Listing)
    listing: output.Listing | None = None
    found: Found | None = None  # the input files, as files_digest() found them

    def inputs_with(self, options: BuildOptions) -> str:
        """The input digest of the same files under other options (see with_options)."""
        return with_options(options, self.files)

    def current(self) -> bool:
        """The output's manifest is still the one this state was made from (no build into
        the same output since): checked with one stat, not by reading the output again."""
        return output.manifest_signature(self.out_dir) == self.signature

    @property
    def unchanged(self) -> bool:
        """Nothing to do: same inputs as the last build, and all it wrote still there."""
        return self.previous is not None and self.previous.inputs == self.inputs


def state(
    options: BuildOptions,
    hashes: FileHashes | None = None,
    intact: Callable[[Path, output.Manifest], bool] | None = None,
    kept: Kept | None = None,
) -> State:
    """`intact`: tells whether the output still has every file its manifest lists (by
    default output.intact(); serve keeps its own, serve/outputcheck.py). `kept`: a
    long-lived builder's listings (build/warm.py), brought up to date rather than made anew.

    Without the cyclic garbage collector, as the build that follows (parallel.py): in a
    long-lived builder, a collection set off by the ~40,000 entries and names made here would
    walk the whole kept site model (0.1-0.2 s)."""
    with collector_paused():
        return _state(options, hashes, intact, kept)


def _state(
    options: BuildOptions,
    hashes: FileHashes | None,
    intact: Callable[[Path, output.Manifest], bool] | None,
    kept: Kept | None,
) -> State:
    output.check_output_dir(options.output, options.site_dir)
    signature = output.manifest_signature(options.output)  # before reading: a change after
    # it makes the state not current(). serve checks its output its own way (`intact`), and
    # publishes in place: no listing
    listing = None
    if signature is not None and (intact is None or kept is not None):
        listing = _listing(options.output, kept)
    previous = output.trusted_manifest(options.output, listing, intact)
    # A fresh process starts from the hashes the last one stored (FileHashes); a long-lived
    # one passes its own, kept in memory.
    cache = options.site_dir / CACHE_DIR if hashes is None and options.cache else None
    hashes = hashes or (FileHashes.stored(cache) if cache is not None else FileHashes())
    hashes.next_build()
    files, found = _found(options, hashes)
    if cache is not None:
        hashes.store(cache, found.hashes)
    inputs = with_options(options, files)
    return State(options.output, previous, inputs, hashes, signature, files, listing, found)


def _listing(out_dir: Path, kept: Kept | None) -> output.Listing | None:
    try:
        return kept.of(out_dir) if kept is not None else output.Listing.of(out_dir, stamped=True)
    except OSError:
        return None  # not a folder we can list: trusted_manifest() finds so too
