"""The reader's accounting: the static server counts every request and the body bytes it sent."""

from __future__ import annotations

import gzip
import urllib.error
import urllib.request
from pathlib import Path

from benchmarks.reader import Hit, Tally, ratios, serve, wait_quiet, worst


def fetch(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read()


def synthetic_site(root: Path) -> dict[str, bytes]:
    files = {
        "search/index.html": b"<!doctype html><title>Synthetic search</title>" * 40,
        "static/synthetic.css": b"body { color: black; }\n" * 7,
        # Pagefind's index files are gzipped on disk and count as served, byte for byte.
        "pagefind/index/en_synthetic.pf_index": gzip.compress(b"synthetic index " * 500),
        "pagefind/fragment/en_synthetic.pf_fragment": gzip.compress(b"synthetic fragment"),
    }
    for name, data in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    return files


def test_server_counts_each_request_and_the_body_bytes_the_client_received(
    tmp_path: Path,
) -> None:
    files = synthetic_site(tmp_path)
    paths = ["/search/", "/static/synthetic.css", "/pagefind/index/en_synthetic.pf_index"]
    paths += ["/pagefind/fragment/en_synthetic.pf_fragment", "/pagefind/missing.pf_meta"]
    with serve(tmp_path) as (origin, ledger):
        received = [fetch(origin + path + "?v=1") for path in paths]
        wait_quiet(ledger, seconds=0.1, timeout=10)
        tally = Tally.of(ledger.take())
        assert ledger.take() == []  # taking empties the ledger
    assert [status for status, _ in received] == [200, 200, 200, 200, 404]
    assert received[2][1] == files["pagefind/index/en_synthetic.pf_index"]  # not decompressed
    assert tally.requests == len(paths)
    assert tally.bytes == sum(len(body) for _, body in received)
    assert tally.search_requests == 3
    assert tally.search_bytes == sum(len(body) for _, body in received[2:])
    assert tally.failed == ("404 /pagefind/missing.pf_meta",)
    assert sorted(tally.paths) == sorted(paths)  # the query string is not part of the path


def test_quiet_only_once_nothing_is_in_flight(tmp_path: Path) -> None:
    synthetic_site(tmp_path)
    with serve(tmp_path) as (origin, ledger):
        ledger.begin()  # a request under way
        assert not ledger.quiet_for(0.0)
        ledger.end(Hit("/search/", 200, 10))
        wait_quiet(ledger, seconds=0.05, timeout=10)
        assert ledger.quiet_for(0.05)
        fetch(origin + "/search/")
        assert not ledger.quiet_for(60.0)  # the request just answered is recent activity


def test_ratios_pair_the_queries_and_the_worst_is_the_largest() -> None:
    ours = [Tally(20, 2000, 10, 1500), Tally(30, 1000, 12, 900)]
    theirs = [Tally(10, 1000, 10, 1000), Tally(20, 1000, 12, 300)]
    assert ratios(ours[0], theirs[0]) == {
        "requests": 2.0,
        "bytes": 2.0,
        "search_requests": 1.0,
        "search_bytes": 1.5,
    }
    assert worst(ours, theirs) == {
        "requests": 2.0,
        "bytes": 2.0,
        "search_requests": 1.0,
        "search_bytes": 3.0,
    }
