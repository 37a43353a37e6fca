"""The reference a sliced search index is checked against: one Pagefind run of all records."""

from __future__ import annotations

from pathlib import Path

from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.search import index, service


def one_pagefind_run(site: Path, out: Path) -> Path:
    """Pagefind's index of every slice's records in one run, in the merged bundle's order
    (slice after slice), written to `out`."""
    prepared = prepare(BuildOptions(site))
    language = prepared.site.content.config.language
    records = [
        record
        for group in index.slices(prepared.site.briefings)
        for record in index.slice_records(language, group)
    ]
    with service.PagefindService() as pagefind:
        files = pagefind.index(language, records)
    for name, data in files.items():
        (out / name).parent.mkdir(parents=True, exist_ok=True)
        (out / name).write_bytes(data)
    return out
