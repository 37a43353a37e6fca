"""Running a tool and measuring it: wall time, peak memory of its process tree, output checks.

Every measured run checks what it produced; a failure raises BenchError, so a broken build is
an error, never a fast figure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

SAMPLE_SECONDS = 0.02
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


class BenchError(Exception):
    """A tool failed or produced incomplete output: no figure is reported for it."""


def log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# --- removing outputs -------------------------------------------------------------------------
# On ext4 without a journal (the disks of the VMs these figures are taken on), a file created
# within minutes of a mass delete costs up to ~1 ms of kernel time: the inode allocator skips
# the recently deleted inodes one by one (the kernel's recently_deleted(); measured: 12,000
# files and 4,000 folders created in 0.4-0.8 s on a quiet disk, 5-16 s after deletes). A
# build measured right after the last build's output was deleted paid for that delete, in
# proportion to the files it writes. So a run moves what it removes aside, into a trash folder
# beside it (a rename frees no inode), and deletes the trash when it ends (empty_trash).
TRASH = ".benchmark-trash"
_trash_folders: set[Path] = set()


def rmtree(path: Path) -> None:
    """Remove `path` from where the tools look, without freeing its inodes until the run
    ends (see above)."""
    if not path.exists() and not path.is_symlink():
        return
    trash = path.parent / TRASH
    trash.mkdir(exist_ok=True)
    _trash_folders.add(trash)
    path.rename(trash / f"{time.time_ns()}-{path.name}")


def empty_trash() -> None:
    """Delete what the run removed (and what an interrupted run left in the same trash)."""
    for trash in sorted(_trash_folders):
        shutil.rmtree(trash, ignore_errors=True)
    _trash_folders.clear()


# --- sampling memory ------------------------------------------------------------------------


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
    """Run cmd, timing it with perf_counter and sampling its tree's memory; fail loudly.

    The disks' write-back of what the last command wrote is done first (sync), outside the
    time: a build measured while the kernel flushed the previous one's files (hundreds of
    MB at 4,000 briefings) paid for them (measured: 0.57 s against 0.46 s for a rebuild
    with nothing changed, right after Hugo and Pagefind)."""
    os.sync()
    with tempfile.TemporaryFile() as out:
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT)
        sampler = PeakSampler(proc.pid)
        sampler.start()
        rc = proc.wait()
        seconds = time.perf_counter() - started
        peak_rss, peak_pss = sampler.stop()
        if rc != 0:
            out.seek(0)
            tail = out.read()[-3000:].decode("utf-8", "replace")
            raise BenchError(f"{' '.join(cmd)} exited {rc}:\n{tail}")
    return Run(seconds, peak_rss, peak_pss)


def output_of(cmd: Sequence[str]) -> str:
    done = subprocess.run(cmd, capture_output=True, text=True, check=False)
    return (done.stdout or done.stderr).strip()


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
    """Check out/pagefind holds an index of at least n records; return its size in bytes.

    Counts the records of every bundle entry file under out/pagefind (one bundle, or several
    merged in the browser), so a change of the index's layout does not break the check."""
    entries = sorted((out / "pagefind").rglob("pagefind-entry.json"))
    if not entries:
        raise BenchError(f"{tool}: no search index in {out / 'pagefind'}")
    count = 0
    for entry in entries:
        languages = json.loads(entry.read_text(encoding="utf-8")).get("languages", {})
        count += sum(int(lang.get("page_count", 0)) for lang in languages.values())
    if count < n:
        raise BenchError(f"{tool}: search index has {count} records, expected at least {n}")
    return sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())


def expect_text(page: Path, text: str, tool: str) -> None:
    if text not in page.read_text(encoding="utf-8"):
        raise BenchError(f"{tool}: {page} does not show the edit {text!r}")
