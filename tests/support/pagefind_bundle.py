"""A Pagefind bundle read into plain data, to compare two bundles of the same records.

Page numbers are replaced by the pages' URLs and meta field numbers by their names, so two
bundles compare equal when they hold the same pages, words, positions, filters and sorts,
whatever file names their hashes gave them. Written from Pagefind 1.5's output, independently
of briefgen's merge code.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import cbor2


def _read(path: Path) -> Any:
    raw = gzip.decompress(path.read_bytes())
    assert raw.startswith(b"pagefind_dcd"), path
    return cbor2.loads(raw[len(b"pagefind_dcd") :])


def read_bundle(folder: Path) -> dict[str, Any]:
    entry = json.loads((folder / "pagefind-entry.json").read_text(encoding="utf-8"))
    ((language, info),) = entry["languages"].items()
    version, pages, chunks, filters, sorts, fields = _read(
        folder / f"pagefind.{info['hash']}.pf_meta"
    )
    fragments = [
        json.loads(gzip.decompress((folder / f"fragment/{h}.pf_fragment").read_bytes())[12:])
        for h, _ in pages
    ]
    urls = [f["url"] for f in fragments]

    def located(entries: list[list[Any]]) -> list[Any]:
        number, out = 0, []
        for delta, positions, meta_positions in entries:
            number += delta
            named = [fields[-v - 1] if v < 0 else v for v in meta_positions]
            out.append((urls[number], positions, named))
        return out

    words, ranges = [], []
    for first, last, chunk_hash in chunks:
        (chunk,) = _read(folder / f"index/{chunk_hash}.pf_index")
        ranges.append((first, last, chunk[0][0], chunk[-1][0]))
        for word, entries, variants in chunk:
            words.append((word, located(entries), [(v, located(e)) for v, e in variants]))
    filter_values = {}
    for _, filter_hash in filters:
        name, values = _read(folder / f"filter/{filter_hash}.pf_filter")
        # A value's pages as a set (sorted), with repeats: Pagefind's script reads them so
        # (a bit set to filter, their number for the counts); briefgen writes them in an
        # order that compresses better than ascending (bundle.filter_cbor).
        filter_values[name] = {value: sorted(urls[p] for p in numbers) for value, numbers in values}
    return {
        "language": language,
        "version": version,
        "page_count": info["page_count"],
        "pages": [(url, count) for url, (_, count) in zip(urls, pages, strict=True)],
        "fragments": fragments,
        "words": words,
        "chunks": ranges,
        "filters": filter_values,
        "sorts": {key: [urls[p] for p in numbers] for key, numbers in sorts},
        "fields": fields,
    }
