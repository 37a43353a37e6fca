"""The names of the merged bundle's fragments (one per search result), chosen to compress.

A reader's browser loads the meta file, which lists every page as [fragment name, word
count], before the first search: at tens of thousands of records it is the largest file the
search page loads after Pagefind's own scripts. Pagefind names each fragment by 7 hex digits
of a hash of its content, which deflate cannot shorten (3.5 bytes of noise a page). The merge
names them instead by runs: a slice's pages, in order, are cut into runs of RUN pages; every
page of a run is named by the run's prefix (7 hex digits of a hash of the digests of the
run's fragments) and one character for its place in the run. Consecutive entries of the meta
then repeat all but that character and the word count, which deflate stores as a short
back-reference: the meta file is about half the size (benchmarks/README, issue 15).

A name still changes whenever its fragment's content does (the prefix hashes every fragment
of the run), so a name can be cached for good, as with Pagefind's; an edit renames the pages
of the runs it touches, in its own slice only. Two runs of the site whose prefixes collide
(28 bits: rarely, at tens of thousands of pages) are told apart by the later one taking a
longer prefix (16 hex digits).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from typing import Any

from briefgen.diagnostics import SearchIndexError

RUN = 36  # pages per run: one character of PLACES each
PLACES = "0123456789abcdefghijklmnopqrstuvwxyz"  # lower case: file systems may ignore case
SHORT = 7  # hex digits of a run's prefix
LONG = 16  # hex digits of the prefix of a run whose short prefix another run has


def path(name: str) -> str:
    return f"fragment/{name}.pf_fragment"


def runs(pages: Sequence[Sequence[Any]], files: dict[str, str]) -> Iterator[tuple[str, list[str]]]:
    """A slice's pages ([Pagefind's fragment hash, word count], in order) as runs: (hash of
    the run, the digests of its fragment files, in order). `files`: the slice's file path ->
    sha256, as in merge.Slice."""
    digests = []
    for fragment_hash, _ in pages:
        digest = files.get(path(fragment_hash))
        if digest is None:
            raise SearchIndexError(f"a slice of the search index has no {path(fragment_hash)}")
        digests.append(digest)
    for start in range(0, len(digests), RUN):
        run = digests[start : start + RUN]
        yield hashlib.sha256("\n".join(run).encode()).hexdigest(), run


def names(run_hash: str, count: int, long: bool = False) -> list[str]:
    """The names of a run's `count` pages, with its short prefix or its long one."""
    prefix = run_hash[: LONG if long else SHORT]
    return [prefix + PLACES[place] for place in range(count)]


def candidates(pages: Sequence[Sequence[Any]], files: dict[str, str]) -> dict[str, set[str]]:
    """sha256 of each of a slice's fragments -> the paths the merged bundle may give it (the
    short name, or the long one if another run had that): where a stored slice's fragments
    are in the output."""
    found: dict[str, set[str]] = {}
    for run_hash, digests in runs(pages, files):
        for long in (False, True):
            for digest, name in zip(digests, names(run_hash, len(digests), long), strict=True):
                found.setdefault(digest, set()).add(path(name))
    return found


class Namer:
    """Names the runs of the merged bundle, slice after slice."""

    def __init__(self) -> None:
        self.prefixes: dict[str, str] = {}  # short prefix -> hash of the run that has it
        self.used: set[str] = set()  # the prefixes taken

    def name(self, run_hash: str, count: int) -> list[str]:
        return self.named(run_hash, count)[0]

    def named(self, run_hash: str, count: int) -> tuple[list[str], bool]:
        """The run's names, and whether they have the long prefix."""
        long = self.claim(run_hash)
        return names(run_hash, count, long), long

    def claim(self, run_hash: str) -> bool:
        """Take the run's prefix; whether it is the long one. (Two runs have a name in
        common exactly when they have one prefix: names are a prefix and one character.)"""
        short = run_hash[:SHORT]
        long = self.prefixes.setdefault(short, run_hash) != run_hash
        prefix = run_hash[: LONG if long else SHORT]
        if prefix in self.used:  # two runs of identical fragments, or sha256 broke
            raise SearchIndexError("two runs of the search index's fragments have one name")
        self.used.add(prefix)
        return long
