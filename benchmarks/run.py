"""Benchmark briefgen against Hugo (and Hugo + Pagefind) on the same synthetic texts.

    python -m benchmarks.run [--sizes 1000,4000] [--repeat 3] [--memory 10000] [--json OUT]

For each size N the corpus is generated once (cached in benchmarks/out/corpus-N/), then each
round runs, alternating the tools: briefgen cold without search, Hugo cold, briefgen cold with
search, Hugo + Pagefind, then briefgen rebuilds (nothing changed, one briefing edited, one
template edited). Medians over the rounds are printed as a Markdown table and, with --json,
written with every single run. Every run checks its output, so a broken build is an error,
never a fast figure. See benchmarks/README.md.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from benchmarks import corpus

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
SRC = REPO / "src"  # where briefgen is imported from; --src/--snapshot change it
SAMPLE_SECONDS = 0.02
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


class BenchError(Exception):
    """A tool failed or produced incomplete output: no figure is reported for it."""


# --- running and sampling -------------------------------------------------------------------


def _proc_table() -> dict[int, tuple[int, int]]:
    """pid -> (parent pid, resident bytes) for every process we can read in /proc."""
    table: dict[int, tuple[int, int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            with open(f"/proc/{entry.name}/stat", "rb") as f:
                data = f.read()
        except OSError:
            continue  # the process ended meanwhile
        fields = data[data.rindex(b")") + 2 :].split()  # fields from 3 (state) on
        table[int(entry.name)] = (int(fields[1]), int(fields[21]) * PAGE_SIZE)
    return table


def _pss(pid: int) -> int:
    """Proportional set size: resident bytes, each shared page divided among its sharers."""
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as f:
            for line in f:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def tree_memory(root: int) -> tuple[int, int]:
    """(sum of RSS, sum of PSS) over `root` and all its descendants.

    RSS counts a page shared by forked workers once per process; PSS splits it among them, so
    its sum is the memory the tree really holds. Both are reported."""
    table = _proc_table()
    children: dict[int, list[int]] = {}
    for pid, (ppid, _) in table.items():
        children.setdefault(ppid, []).append(pid)
    rss = pss = 0
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid in table:
            rss += table[pid][1]
            pss += _pss(pid)
        stack.extend(children.get(pid, ()))
    return rss, pss


class PeakSampler(threading.Thread):
    """Samples the process tree's memory every 20 ms until stopped; keeps the peaks."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_rss = self.peak_pss = 0
        self._stop_event = threading.Event()

    def run(self) -> None:
        while True:
            rss, pss = tree_memory(self.pid)
            self.peak_rss, self.peak_pss = max(self.peak_rss, rss), max(self.peak_pss, pss)
            if self._stop_event.wait(SAMPLE_SECONDS):
                return

    def stop(self) -> tuple[int, int]:
        self._stop_event.set()
        self.join()
        return self.peak_rss, self.peak_pss


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_rss: int  # bytes, whole process tree, sum of RSS
    peak_pss: int = 0  # bytes, whole process tree, sum of PSS


def measure(cmd: Sequence[str], cwd: Path | None = None) -> Run:
    """Run cmd, timing it with perf_counter and sampling its tree's memory; fail loudly."""
    with tempfile.TemporaryFile() as log:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=log, stderr=subprocess.STDOUT)
        sampler = PeakSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        seconds = time.perf_counter() - started
        peak_rss, peak_pss = sampler.stop()
        if rc != 0:
            log.seek(0)
            tail = log.read()[-3000:].decode("utf-8", "replace")
            raise BenchError(f"{' '.join(cmd)} exited {rc}:\n{tail}")
    return Run(seconds, peak_rss, peak_pss)


def output_of(cmd: Sequence[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip()


# --- set-up ---------------------------------------------------------------------------------


def ensure_hugo() -> str:
    """Path of `hugo`; installs Debian's package when missing and we are root on Debian."""
    found = shutil.which("hugo")
    if found:
        return found
    if os.geteuid() == 0 and Path("/etc/debian_version").exists() and shutil.which("apt-get"):
        print("hugo not found: installing Debian's package (apt-get install -y hugo)", flush=True)
        env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
        install = ["apt-get", "install", "-y", "-q", "hugo"]
        if subprocess.run(install, env=env, check=False).returncode != 0:
            subprocess.run(["apt-get", "update", "-q"], env=env, check=False)
            subprocess.run(install, env=env, check=False)
        found = shutil.which("hugo")
        if found:
            return found
    raise SystemExit(
        "benchmark: Hugo is required and was not found on PATH.\n"
        "  Debian/Ubuntu: sudo apt-get install -y hugo   (the figures were taken with 0.111)\n"
        "  elsewhere: https://gohugo.io/installation/ - then run the benchmark again."
    )


def ensure_pagefind() -> None:
    try:
        import pagefind_bin  # noqa: F401
    except ImportError:
        raise SystemExit(
            "benchmark: the Pagefind binary is missing from this Python environment.\n"
            "  run it with the project's venv: .venv/bin/python -m benchmarks.run\n"
            "  (or install it: pip install -e '.[search]')"
        ) from None


def use_source(src: Path) -> None:
    """Run briefgen from src (a `src` directory) in every subprocess, via PYTHONPATH."""
    global SRC
    SRC = src.resolve()
    if not (SRC / "briefgen" / "__init__.py").is_file():
        raise SystemExit(f"benchmark: no briefgen package in {src}")
    os.environ["PYTHONPATH"] = os.pathsep.join(
        p for p in (str(SRC), os.environ.get("PYTHONPATH", "")) if p
    )
    probe = [sys.executable, "-c", "import briefgen; print(briefgen.__file__)"]
    imported = Path(output_of(probe)).resolve()
    if imported != SRC / "briefgen" / "__init__.py":
        raise SystemExit(f"benchmark: briefgen is imported from {imported}, not from {SRC}")


def snapshot() -> Path:
    """Copy the working tree's src/ and themes/ aside, so edits made meanwhile can't leak in."""
    target = OUT / "snapshot"
    rmtree(target)
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "src", target / "src", symlinks=True, ignore=ignore)
    # The built-in themes are the package data briefgen.themes (see pyproject.toml).
    shutil.copytree(REPO / "themes", target / "src" / "briefgen" / "themes", ignore=ignore)
    return target / "src"


def theme_template() -> Path:
    """The default theme's briefing template, in the briefgen being measured."""
    return (REPO / "themes" / "default" / "templates" / "briefing.html").resolve()


def source_digest() -> str:
    """A hash of the measured briefgen's sources (identifies uncommitted states too)."""
    digest = hashlib.sha256()
    for path in sorted((SRC / "briefgen").rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(SRC).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def briefgen_cmd(*args: str) -> list[str]:
    return [sys.executable, "-m", "briefgen", *args]


def supports_jobs() -> bool:
    return "--jobs" in output_of(briefgen_cmd("build", "--help"))


def corpus_stamp(n: int) -> str:
    source = Path(corpus.__file__).read_bytes()
    return hashlib.sha256(source + f"\n{n}".encode()).hexdigest()


def ensure_corpus(n: int) -> Path:
    """benchmarks/out/corpus-N, generated unless already there from the same generator."""
    root = OUT / f"corpus-{n}"
    stamp = root / ".stamp"
    if stamp.is_file() and stamp.read_text().strip() == corpus_stamp(n):
        return root
    print(f"generating the corpus of {n} briefings in {root} ...", flush=True)
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    corpus.write(n, root)
    stamp.write_text(corpus_stamp(n) + "\n")
    return root


def rmtree(path: Path) -> None:
    if path.exists():
        shutil.rmtree(path)


# --- output checks --------------------------------------------------------------------------


def briefing_pages(out: Path) -> int:
    d = out / "briefings"
    return sum(1 for p in d.iterdir() if (p / "index.html").is_file()) if d.is_dir() else 0


def html_files(out: Path) -> int:
    return sum(1 for p in out.rglob("*.html") if p.is_file())


def expect_pages(out: Path, n: int, tool: str) -> int:
    """Check out/ holds n briefing pages; return its number of .html files."""
    found = briefing_pages(out)
    if found != n:
        raise BenchError(f"{tool}: {found} briefing pages in {out}, expected {n}")
    return html_files(out)


def expect_index(out: Path, n: int, tool: str) -> int:
    """Check out/pagefind holds an index of at least n records; return its size in bytes."""
    entry = out / "pagefind" / "pagefind-entry.json"
    if not entry.is_file():
        raise BenchError(f"{tool}: no search index in {out / 'pagefind'}")
    languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
    count = sum(int(lang.get("page_count", 0)) for lang in languages.values())
    if count < n:
        raise BenchError(f"{tool}: search index has {count} records, expected at least {n}")
    return sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())


def expect_text(page: Path, text: str, tool: str) -> None:
    if text not in page.read_text(encoding="utf-8"):
        raise BenchError(f"{tool}: {page} does not show the edit {text!r}")


# --- one size -------------------------------------------------------------------------------


@dataclass
class Figures:
    """Every run of one corpus (seconds and bytes), by figure name."""

    n: int
    seconds: dict[str, list[float]] = field(default_factory=dict)
    peak_rss: dict[str, list[int]] = field(default_factory=dict)
    peak_pss: dict[str, list[int]] = field(default_factory=dict)
    html_files: dict[str, int] = field(default_factory=dict)
    index_bytes: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, run: Run) -> None:
        self.seconds.setdefault(name, []).append(run.seconds)
        self.peak_rss.setdefault(name, []).append(run.peak_rss)
        self.peak_pss.setdefault(name, []).append(run.peak_pss)

    def median(self, name: str) -> float:
        return statistics.median(self.seconds[name])

    def median_rss(self, name: str) -> float:
        return statistics.median(self.peak_rss[name])

    def summary(self) -> dict[str, Any]:
        med = {k: statistics.median(v) for k, v in self.seconds.items()}
        rss = {k: statistics.median(v) for k, v in self.peak_rss.items()}
        pss = {k: statistics.median(v) for k, v in self.peak_pss.items()}
        ratios = {}
        if "hugo_cold" in med:
            ratios["cold_no_search_vs_hugo"] = med["briefgen_cold_no_search"] / med["hugo_cold"]
            ratios["no_change_rebuild_vs_hugo_cold"] = (
                med["briefgen_rebuild_no_change"] / med["hugo_cold"]
            )
        if "hugo_pagefind" in med:
            ratios["cold_search_vs_hugo_pagefind"] = (
                med["briefgen_cold_search"] / med["hugo_pagefind"]
            )
        if "briefgen_cold_search" in med:
            med["briefgen_indexing"] = med["briefgen_cold_search"] - med["briefgen_cold_no_search"]
        return {
            "n": self.n,
            "median_seconds": med,
            "median_peak_rss_bytes": rss,
            "median_peak_pss_bytes": pss,
            "ratios": ratios,
            "html_files": self.html_files,
            "search_index_bytes": self.index_bytes,
            "runs_seconds": self.seconds,
            "runs_peak_rss_bytes": self.peak_rss,
            "runs_peak_pss_bytes": self.peak_pss,
        }


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def bench_size(n: int, repeat: int, jobs: list[str], hugo: str) -> Figures:
    root = ensure_corpus(n)
    site, hugo_src = root / "briefgen", root / "hugo"
    out_ns, out_s, out_hugo = root / "site-no-search", root / "site-search", root / "hugo-public"
    edited = corpus.slug(n // 2 + 1)
    edited_md = site / "content" / "briefings" / f"{edited}.md"
    edited_page = out_s / "briefings" / edited / "index.html"
    override = site / "themes" / "default" / "templates" / "briefing.html"
    hugo_cmd = [hugo, "--source", str(hugo_src), "--destination", str(out_hugo), "--quiet"]
    pagefind_cmd = [sys.executable, "-m", "pagefind_bin", "--site", str(out_hugo), "--quiet"]
    figures = Figures(n)

    def restore() -> None:
        """Undo the edits of a previous round (or of an interrupted run)."""
        edited_md.write_text(corpus.briefing(n // 2 + 1), encoding="utf-8")
        rmtree(site / "themes")
        for leftover in [*root.glob(".*.new-*"), *root.glob(".*.old-*")]:
            rmtree(leftover)

    def cold(out: Path) -> None:
        rmtree(out)
        rmtree(site / ".briefgen-cache")

    def build(out: Path, *extra: str) -> Run:
        return measure(briefgen_cmd("build", str(site), "-o", str(out), "--quiet", *jobs, *extra))

    def record(name: str, run: Run) -> None:
        figures.add(name, run)
        memory = f"{run.peak_pss / MB:6.0f} MB PSS {run.peak_rss / MB:6.0f} MB RSS"
        log(f"  N={n} {name:<32} {run.seconds:8.2f} s {memory}")

    def check_search_site(text: str | None = None) -> None:
        figures.html_files["briefgen"] = expect_pages(out_s, n, "briefgen")
        figures.index_bytes["briefgen"] = expect_index(out_s, n, "briefgen")
        if text is not None:
            expect_text(edited_page, text, "briefgen")

    for r in range(1, repeat + 1):
        log(f"N={n}: round {r}/{repeat}")
        restore()

        cold(out_ns)
        run = build(out_ns, "--no-search")
        expect_pages(out_ns, n, "briefgen")
        record("briefgen_cold_no_search", run)
        rmtree(out_ns)

        rmtree(out_hugo)
        run = measure(hugo_cmd)
        figures.html_files["hugo"] = expect_pages(out_hugo, n, "hugo")
        record("hugo_cold", run)

        cold(out_s)
        run = build(out_s)
        check_search_site()
        record("briefgen_cold_search", run)

        rmtree(out_hugo)
        hugo_run = measure(hugo_cmd)
        expect_pages(out_hugo, n, "hugo")
        pagefind_run = measure(pagefind_cmd)
        figures.index_bytes["hugo"] = expect_index(out_hugo, n, "pagefind")
        record("pagefind_on_hugo", pagefind_run)
        seconds = hugo_run.seconds + pagefind_run.seconds
        peaks = (hugo_run, pagefind_run)
        record(
            "hugo_pagefind",
            Run(seconds, max(r.peak_rss for r in peaks), max(r.peak_pss for r in peaks)),
        )

        run = build(out_s)
        check_search_site()
        record("briefgen_rebuild_no_change", run)

        sentence = f"Benchmark edit {r}: lorem ipsum appended dolor sentence."
        with edited_md.open("a", encoding="utf-8") as f:
            f.write(f"\n{sentence}\n")
        run = build(out_s)
        check_search_site(sentence)
        record("briefgen_rebuild_edit_briefing", run)

        comment = f"<!-- benchmark template edit {r} -->"
        template = theme_template().read_text(encoding="utf-8")
        marked = template.replace("{% block main %}", "{% block main %}" + comment, 1)
        override.parent.mkdir(parents=True, exist_ok=True)
        override.write_text(marked if marked != template else template + comment, encoding="utf-8")
        run = build(out_s)
        check_search_site(comment)
        record("briefgen_rebuild_edit_template", run)
    restore()
    return figures


# --- the demo site and the memory run -------------------------------------------------------


def bench_demo(repeat: int, jobs: list[str]) -> dict[str, Any]:
    """Cold builds of the demo site, from a copy (content/, seeds/): the work tree is untouched."""
    root = OUT / "demo"
    rmtree(root)
    shutil.copytree(REPO / "content", root / "content")
    if (REPO / "seeds").is_dir():
        shutil.copytree(REPO / "seeds", root / "seeds")
    n = sum(1 for _ in (root / "content" / "briefings").glob("*.md"))
    out = root / "site"
    no_search: list[float] = []
    search: list[float] = []
    index = 0
    for _ in range(repeat):
        for runs, extra in ((no_search, ["--no-search"]), (search, [])):
            rmtree(out)
            rmtree(root / ".briefgen-cache")
            cmd = briefgen_cmd("build", str(root), "-o", str(out), "--quiet", *jobs, *extra)
            runs.append(measure(cmd).seconds)
            expect_pages(out, n, "briefgen (demo)")
            if not extra:
                index = expect_index(out, n, "briefgen (demo)")
    result = {
        "briefings": n,
        "cold_no_search_seconds": statistics.median(no_search),
        "cold_search_seconds": statistics.median(search),
        "indexing_seconds": statistics.median(search) - statistics.median(no_search),
        "search_index_bytes": index,
    }
    log(f"demo: {result}")
    return result


def bench_memory(n: int, jobs: list[str]) -> dict[str, Any]:
    """Cold builds of the N corpus, without and with search: their peak memory."""
    root = ensure_corpus(n)
    site, out = root / "briefgen", root / "site-search"
    result: dict[str, Any] = {"n": n}
    for name, extra in (("no_search", ["--no-search"]), ("search", [])):
        rmtree(out)
        rmtree(site / ".briefgen-cache")
        log(f"memory: N={n} briefgen cold build, {name.replace('_', ' ')} ...")
        run = measure(briefgen_cmd("build", str(site), "-o", str(out), "--quiet", *jobs, *extra))
        expect_pages(out, n, "briefgen")
        if not extra:
            result["index_bytes"] = expect_index(out, n, "briefgen")
        result[name] = {
            "seconds": run.seconds,
            "peak_pss_bytes": run.peak_pss,
            "peak_rss_bytes": run.peak_rss,
        }
        peaks = f"{run.peak_pss / MB:.0f} MB PSS, {run.peak_rss / MB:.0f} MB RSS"
        log(f"  {run.seconds:.2f} s, peak {peaks}")
    rmtree(out)
    return result


def bench_serve(n: int, saves: int = 3) -> dict[str, Any]:
    """`briefgen serve` on the N corpus: from saving a briefing to the page showing the edit
    (what an author waits for; live reload fires when that build is done), and to the search
    index catching up. Polls the page every 10 ms; the site's cache is warm from bench_size."""
    import socket
    import urllib.request

    root = ensure_corpus(n)
    site = root / "briefgen"
    number = n // 3 + 1
    edited_md = site / "content" / "briefings" / f"{corpus.slug(number)}.md"
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


# --- report ---------------------------------------------------------------------------------


def _s(x: float) -> str:
    return f"{x:.2f} s" if x >= 0.1 else f"{x * 1000:.0f} ms"


def _mb(x: float) -> str:
    return f"{x / MB:,.0f} MB" if x >= 10 * MB else f"{x / MB:.1f} MB"


def _ratio(x: float) -> str:
    return f"{x:.2f}×"


def table(sizes: list[dict[str, Any]], memory: dict[str, Any] | None) -> str:
    ns = [s["n"] for s in sizes]
    rows: list[
        tuple[str, Callable[[dict[str, Any]], str], str, Callable[[dict[str, Any]], bool] | None]
    ]
    m = "median_seconds"
    rows = [
        ("briefgen cold, no search", lambda s: _s(s[m]["briefgen_cold_no_search"]), "", None),
        ("Hugo cold", lambda s: _s(s[m]["hugo_cold"]), "", None),
        (
            "**ratio** cold no search / Hugo",
            lambda s: _ratio(s["ratios"]["cold_no_search_vs_hugo"]),
            "≤ 1.0",
            lambda s: s["ratios"]["cold_no_search_vs_hugo"] <= 1.0,
        ),
        ("briefgen cold, with search", lambda s: _s(s[m]["briefgen_cold_search"]), "", None),
        ("Hugo + Pagefind", lambda s: _s(s[m]["hugo_pagefind"]), "", None),
        (
            "**ratio** cold with search / Hugo + Pagefind",
            lambda s: _ratio(s["ratios"]["cold_search_vs_hugo_pagefind"]),
            "≤ 1.0",
            lambda s: s["ratios"]["cold_search_vs_hugo_pagefind"] <= 1.0,
        ),
        ("rebuild, nothing changed", lambda s: _s(s[m]["briefgen_rebuild_no_change"]), "", None),
        (
            "**ratio** no-change rebuild / Hugo cold",
            lambda s: _ratio(s["ratios"]["no_change_rebuild_vs_hugo_cold"]),
            "≤ 0.1",
            lambda s: s["ratios"]["no_change_rebuild_vs_hugo_cold"] <= 0.1,
        ),
        (
            "rebuild, one briefing edited",
            lambda s: _s(s[m]["briefgen_rebuild_edit_briefing"]),
            "< 1 s",
            lambda s: s[m]["briefgen_rebuild_edit_briefing"] < 1.0,
        ),
        (
            "serve: save to refreshed page",
            lambda s: _s(s["serve"]["save_to_page_seconds"]) if "serve" in s else "–",
            "< 1 s",
            lambda s: "serve" in s and s["serve"]["save_to_page_seconds"] < 1.0,
        ),
        (
            "serve: save to search index updated",
            lambda s: _s(s["serve"]["save_to_search_seconds"]) if "serve" in s else "–",
            "",
            None,
        ),
        (
            "rebuild, one template edited",
            lambda s: _s(s[m]["briefgen_rebuild_edit_template"]),
            "",
            None,
        ),
        (
            "peak memory (PSS) briefgen cold, no search",
            lambda s: _mb(s["median_peak_pss_bytes"]["briefgen_cold_no_search"]),
            "",
            None,
        ),
        (
            "peak memory (PSS) briefgen cold, with search",
            lambda s: _mb(s["median_peak_pss_bytes"]["briefgen_cold_search"]),
            "",
            None,
        ),
        (
            "peak memory (PSS) Hugo",
            lambda s: _mb(s["median_peak_pss_bytes"]["hugo_cold"]),
            "",
            None,
        ),
        (
            "peak memory (PSS) Hugo + Pagefind",
            lambda s: _mb(s["median_peak_pss_bytes"]["hugo_pagefind"]),
            "",
            None,
        ),
        (
            "peak RSS briefgen cold, no search",
            lambda s: _mb(s["median_peak_rss_bytes"]["briefgen_cold_no_search"]),
            "",
            None,
        ),
        (
            "peak RSS briefgen cold, with search",
            lambda s: _mb(s["median_peak_rss_bytes"]["briefgen_cold_search"]),
            "",
            None,
        ),
        ("peak RSS Hugo", lambda s: _mb(s["median_peak_rss_bytes"]["hugo_cold"]), "", None),
        (
            "peak RSS Hugo + Pagefind",
            lambda s: _mb(s["median_peak_rss_bytes"]["hugo_pagefind"]),
            "",
            None,
        ),
        (
            "briefgen indexing (with − without search)",
            lambda s: _s(s[m]["briefgen_indexing"]),
            "",
            None,
        ),
        ("Pagefind on Hugo's output", lambda s: _s(s[m]["pagefind_on_hugo"]), "", None),
        (
            "search index size briefgen / Hugo+Pagefind",
            lambda s: (
                f"{_mb(s['search_index_bytes']['briefgen'])} / "
                f"{_mb(s['search_index_bytes']['hugo'])}"
            ),
            "",
            None,
        ),
    ]
    head = "| figure (median) | " + " | ".join(f"N = {n:,}" for n in ns) + " | target |"
    lines = [head, "|---" * (len(ns) + 2) + "|"]
    for label, cell, target, met in rows:
        status = ""
        if met is not None and target:
            status = " met" if met(sizes[-1]) else " **missed**"
            status += f" (N = {ns[-1]:,})"
        cells = " | ".join(cell(s) for s in sizes)
        lines.append(f"| {label} | {cells} | {target}{status} |")
    if memory is not None:
        lines.append("")
        for name, what in (("no_search", "without search"), ("search", "with search")):
            run = memory[name]
            ok = "met" if run["peak_pss_bytes"] < 1024 * MB else "**missed**"
            lines.append(
                f"Memory at N = {memory['n']:,}, briefgen cold build {what}: peak "
                f"{_mb(run['peak_pss_bytes'])} PSS (all processes; target < 1 GB: {ok}), "
                f"{_mb(run['peak_rss_bytes'])} summed RSS, {_s(run['seconds'])}."
            )
    return "\n".join(lines)


def environment(jobs: list[str], hugo: str) -> dict[str, Any]:
    git = ["git", "-C", str(REPO)]
    return {
        "commit": output_of([*git, "log", "-1", "--oneline"]),
        "dirty": bool(output_of([*git, "status", "--porcelain", "--untracked-files=no"])),
        "briefgen": output_of(briefgen_cmd("--version")),
        "briefgen_src": str(SRC),
        "briefgen_src_digest": source_digest(),
        "briefgen_jobs_option": supports_jobs(),
        "briefgen_args": jobs,
        "hugo": output_of([hugo, "version"]),
        "pagefind": output_of([sys.executable, "-m", "pagefind_bin", "--version"]),
        "python": platform.python_version(),
        "cpus": os.cpu_count(),
        "machine": platform.machine(),
        "date": time.strftime("%Y-%m-%d"),
        "loadavg_at_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.run", description=__doc__)
    parser.add_argument("--sizes", default="1000,4000", help="corpus sizes (default 1000,4000)")
    parser.add_argument("--repeat", type=int, default=3, help="rounds per size (default 3)")
    parser.add_argument(
        "--memory", type=int, default=10_000, metavar="N", help="memory run size, 0 to skip"
    )
    parser.add_argument("--json", type=Path, metavar="OUT", help="write every figure here")
    parser.add_argument("--jobs", type=int, help="pass --jobs N to briefgen (if it has it)")
    parser.add_argument("--src", type=Path, help="run briefgen from this src/ directory")
    parser.add_argument(
        "--snapshot",
        action="store_true",
        help="measure a copy of the working tree's src/ and themes/ (immune to edits meanwhile)",
    )
    parser.add_argument("--no-demo", action="store_true", help="skip the demo-site figures")
    parser.add_argument("--no-serve", action="store_true", help="skip the serve figures")
    args = parser.parse_args(argv)
    sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    if not sizes or min(sizes) < 1 or args.repeat < 1:
        parser.error("--sizes must list positive numbers and --repeat be at least 1")

    if args.src is not None:
        use_source(args.src)
    elif args.snapshot:
        use_source(snapshot())
    hugo = ensure_hugo()
    ensure_pagefind()
    jobs: list[str] = []
    if args.jobs is not None:
        if supports_jobs():
            jobs = ["--jobs", str(args.jobs)]
        else:
            log("briefgen build has no --jobs option: ignoring --jobs")
    env = environment(jobs, hugo)
    dirty = " + uncommitted changes" if env["dirty"] else ""
    log(f"measuring {SRC} ({env['briefgen_src_digest']}) at {env['commit']}{dirty}")

    try:
        demo = None if args.no_demo else bench_demo(args.repeat, jobs)
        results = []
        for n in sizes:
            results.append(bench_size(n, args.repeat, jobs, hugo).summary())
            if not args.no_serve:
                results[-1]["serve"] = bench_serve(n)
        memory = bench_memory(args.memory, jobs) if args.memory > 0 else None
    except BenchError as e:
        print(f"benchmark failed: {e}", file=sys.stderr)
        return 1

    hugo_version = env["hugo"].split()[1] if len(env["hugo"].split()) > 1 else "?"
    print(
        f"briefgen {env['briefgen_src_digest']} at {env['commit']}{dirty}; "
        f"hugo {hugo_version}; {env['pagefind']}; {env['cpus']} CPUs; "
        f"{args.repeat} rounds, medians.\n"
    )
    print(table(results, memory))
    if demo is not None:
        print(
            f"\nDemo site ({demo['briefings']} briefing): search index "
            f"{demo['search_index_bytes'] / 1024:,.0f} KiB, indexing "
            f"{_s(demo['indexing_seconds'])} (cold {_s(demo['cold_search_seconds'])} with "
            f"search, {_s(demo['cold_no_search_seconds'])} without)."
        )
    if args.json:
        env["loadavg_at_end"] = os.getloadavg()
        data = {"environment": env, "sizes": results, "memory": memory, "demo": demo}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
        print(f"\nwrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
