"""What the benchmark needs before it measures: the tools, the briefgen under test, the corpora."""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from benchmarks import corpus
from benchmarks.measure import log, output_of, rmtree

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "benchmarks" / "out"
SRC = REPO / "src"  # where briefgen is imported from; --src/--snapshot change it


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


def compile_source() -> None:
    """Write the measured briefgen's bytecode. An installed briefgen has it (pip compiles a
    wheel's modules on install); a source tree run with PYTHONDONTWRITEBYTECODE (set on these
    machines) would compile ~100 modules in every measured process: 0.1-0.2 s no user pays."""
    command = [sys.executable, "-m", "compileall", "-q", "-j", "0", str(SRC / "briefgen")]
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL)


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
    log(f"generating the corpus of {n} briefings in {root} ...")
    rmtree(root)
    root.mkdir(parents=True)
    corpus.write(n, root)
    stamp.write_text(corpus_stamp(n) + "\n")
    return root


@dataclass(frozen=True)
class Corpus:
    """One corpus of n briefings and where each tool builds it."""

    n: int
    root: Path

    @classmethod
    def of(cls, n: int) -> Corpus:
        return cls(n, ensure_corpus(n))

    @property
    def site(self) -> Path:  # the briefgen site
        return self.root / "briefgen"

    @property
    def hugo_src(self) -> Path:
        return self.root / "hugo"

    @property
    def out_no_search(self) -> Path:
        return self.root / "site-no-search"

    @property
    def out_search(self) -> Path:
        return self.root / "site-search"

    @property
    def out_hugo(self) -> Path:
        return self.root / "hugo-public"

    def briefgen_build(
        self, out: Path, jobs: list[str], *extra: str, resident: bool = False
    ) -> list[str]:
        """`briefgen build` of this corpus into `out`. In a fresh process (--no-resident:
        cold builds are a CI machine's, where the resident build process is off) unless
        `resident`: then handed to the site's resident build process, as an author's is."""
        alone = () if resident else ("--no-resident",)
        cmd = ("build", str(self.site), "-o", str(out), "--quiet", *jobs, *alone, *extra)
        return briefgen_cmd(*cmd)

    def resident(self, action: str) -> str:
        """`briefgen resident status|stop` for this corpus's site: its output (status: JSON)."""
        extra = ["--format", "json"] if action == "status" else []
        return output_of(briefgen_cmd("resident", action, str(self.site), *extra))

    def hugo_build(self, hugo: str) -> list[str]:
        return [
            hugo,
            "--source",
            str(self.hugo_src),
            "--destination",
            str(self.out_hugo),
            "--quiet",
        ]

    def pagefind_on_hugo(self) -> list[str]:
        return [sys.executable, "-m", "pagefind_bin", "--site", str(self.out_hugo), "--quiet"]

    def edited(self, number: int) -> Path:
        """The source file of briefing `number`, which a benchmark step edits."""
        return self.site / "content" / "briefings" / f"{corpus.slug(number)}.md"

    def restore(self) -> None:
        """Undo the benchmark's edits (of an earlier round, or of an interrupted run)."""
        for number in sorted({self.n // 2 + 1, self.n // 3 + 1, self.n // 4 + 1}):
            self.edited(number).write_text(corpus.briefing(number), encoding="utf-8")
        rmtree(self.site / "themes")
        for leftover in [*self.root.glob(".*.new-*"), *self.root.glob(".*.old-*")]:
            rmtree(leftover)

    def cold(self, out: Path) -> None:
        """Remove out/ and briefgen's cache, so the next build starts from nothing."""
        rmtree(out)
        rmtree(self.site / ".briefgen-cache")
