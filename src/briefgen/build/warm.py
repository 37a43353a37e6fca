"""The long-lived builder: one process that builds the same site again and again (serve, and
the resident process behind `briefgen build`), keeping between builds what the next one can
take up instead of doing it again.

- every briefing's result, in memory (pipeline.Memory): an edit re-reads and re-renders what
  it touched, the rest comes from memory (not even from the on-disk cache); with it, the last
  build's cache keys by (path, content hash), the site-wide parts of the page keys by the
  exact strings they were made of (known.py), and each search slice's index and briefings
  (search/warm.py), from which an edited briefing is spliced into its slice;
- the input files' hashes (inputs.FileHashes): a file is read again only when its stat changed;
- the listings of the trees it publishes into (listing.Kept): the output, and for an atomic
  publish (`briefgen build`'s options) the spare too (spare.py), listed again only in the
  folders whose stamp changed. They answer what listing the whole tree answers, so whether the
  output still has what its manifest lists (output.intact), what the spare needs to become the
  new site, and what an author added, removed or replaced in either between two builds are all
  found as a build made afresh finds them, for a stat per folder.

build() still checks everything (inputs by hash, the output against its manifest), so
`changed` is only for the caller's log. The inputs have no folder stamps: each build walks
them whole (content.walk, through symbolic links to folders) and stats every file, so an edit
in a folder behind a link, which changes no folder of the site's own, is seen like any other.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from briefgen.build.inputs import FileHashes, state
from briefgen.build.listing import Kept
from briefgen.build.pipeline import BuildOptions, BuildResult, Memory, build, index_deferred


class WarmRebuild:
    """`build()` for a long-lived process (see the module): serve calls it with its options
    (publish in place), the resident builder with the command line's (an atomic swap with the
    spare); both get the same checks, by folder stamp."""

    def __init__(self, hashes: FileHashes | None = None) -> None:
        self.memory = Memory()
        self.hashes = hashes or FileHashes()  # files are re-read only when their stat changes
        self.output = Kept()  # the trees' folders are listed again only when changed

    def __call__(
        self,
        options: BuildOptions,
        changed: frozenset[Path] | None,
        interrupted: Callable[[], bool] | None = None,
    ) -> BuildResult:
        start = state(options, self.hashes, kept=self.output)
        return build(options, self.memory, interrupted, start, self.hashes)

    def index_search(self, options: BuildOptions, interrupted: Callable[[], bool]) -> BuildResult:
        """Index what the last (deferred) build prepared; a whole build when it cannot be
        taken up (see pipeline.index_deferred)."""
        done = index_deferred(options, self.memory, interrupted)
        return done if done is not None else self(options, frozenset(), interrupted)
