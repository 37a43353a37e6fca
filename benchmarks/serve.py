"""`briefgen serve` on a corpus: from saving a briefing to the page, and to the search index."""

from __future__ import annotations

import functools
import socket
import statistics
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Callable
from typing import Any

from benchmarks import corpus
from benchmarks.measure import BenchError, log
from benchmarks.prepare import Corpus, briefgen_cmd


def bench_serve(n: int, saves: int = 3) -> dict[str, Any]:
    """`briefgen serve` on the N corpus: from saving a briefing to the page showing the edit
    (what an author waits for; live reload fires when that build is done), and to the search
    index catching up. Polls the page every 10 ms; the site's cache is warm from bench_size."""
    c = Corpus.of(n)
    site = c.site
    number = n // 3 + 1
    edited_md = c.edited(number)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    page_url = f"http://127.0.0.1:{port}/briefings/{corpus.slug(number)}/"
    with tempfile.TemporaryFile() as log_file:
        cmd = briefgen_cmd("serve", str(site), "--port", str(port))
        proc = subprocess.Popen(cmd, stdout=log_file, stderr=subprocess.STDOUT)

        def output() -> str:
            log_file.seek(0)
            return log_file.read().decode("utf-8", "replace")

        def wait_for(check: Callable[[], bool], what: str, timeout: float = 600) -> float:
            started = time.perf_counter()
            while not check():
                if proc.poll() is not None or time.perf_counter() - started > timeout:
                    raise BenchError(f"serve: no {what}:\n{output()[-3000:]}")
                time.sleep(0.01)
            return time.perf_counter() - started

        def indexed_since(count: int) -> bool:
            return output().count("search index up to date") > count

        def page_has(text: str) -> bool:
            try:
                with urllib.request.urlopen(page_url, timeout=5) as response:
                    return text in response.read().decode("utf-8")
            except OSError:
                return False

        try:
            log(f"serve: N={n} starting ...")
            wait_for(lambda: "watching" in output(), "start")
            to_page, to_index = [], []
            for i in range(saves):
                time.sleep(1.0)  # watchfiles settles; each save is its own change
                marker = f"servemark{i}x{time.time_ns()}"
                indexed = output().count("search index up to date")
                with edited_md.open("a", encoding="utf-8") as f:
                    f.write(f"\n{marker} lorem ipsum.\n")
                to_page.append(wait_for(functools.partial(page_has, marker), "refreshed page"))
                later = wait_for(functools.partial(indexed_since, indexed), "search index")
                to_index.append(to_page[-1] + later)
                log(f"  save {i + 1}: page {to_page[-1]:.2f} s, search index {to_index[-1]:.2f} s")
        finally:
            proc.terminate()
            proc.wait(timeout=60)
            edited_md.write_text(corpus.briefing(number), encoding="utf-8")
    return {
        "n": n,
        "save_to_page_seconds": statistics.median(to_page),
        "save_to_search_seconds": statistics.median(to_index),
        "runs_save_to_page_seconds": to_page,
        "runs_save_to_search_seconds": to_index,
    }
