#!/usr/bin/env python3
"""Lighthouse audit of the demo site, built under a sub-path and served on 127.0.0.1.

Prints the four category scores (performance, accessibility, best practices, SEO) for the home
page, the seed briefing and the Putin/Zelensky comparison, plus every audit that kept a
category below 100. Needs `npm ci` (lighthouse@12.2.3 from package-lock.json) and Debian's
Chromium at /usr/bin/chromium (`bash scripts/ensure-chromium.sh`). Run it as `make audit`.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.support.server import serve  # noqa: E402
from tests.support.tools import (  # noqa: E402
    LIGHTHOUSE_CLI,
    MissingToolError,
    require_chromium,
    require_executable,
    require_file,
)

SUB_PATH = "/audit/sub/"
PAGES = {
    "home": "",
    "briefing": "briefings/2024-07-04-putin-ceasefire-impossible/",
    "compare": "compare/putin-vs-zelensky/",
}
CATEGORIES = ("performance", "accessibility", "best-practices", "seo")
CHROME_FLAGS = (
    "--headless=new --no-sandbox --disable-gpu "
    "--host-resolver-rules='MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1'"
)


def build(out_dir: Path, base_url: str) -> None:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(REPO / "src"), env.get("PYTHONPATH")) if p)
    cmd = [
        sys.executable, "-m", "briefgen", "build", str(REPO),
        "-o", str(out_dir), "--base-url", base_url, "--no-search",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0:
        sys.exit(f"audit: build failed (exit {proc.returncode}):\n{proc.stdout}{proc.stderr}")


def lighthouse(node: str, url: str, report: Path, chromium: Path) -> dict[str, Any]:
    cmd = [
        node, str(LIGHTHOUSE_CLI), url,
        "--output=json", f"--output-path={report}",
        f"--only-categories={','.join(CATEGORIES)}",
        f"--chrome-flags={CHROME_FLAGS}",
        "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "CHROME_PATH": str(chromium)}
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    if proc.returncode != 0 or not report.is_file():
        sys.exit(f"audit: lighthouse failed on {url} (exit {proc.returncode}):\n{proc.stderr}")
    result: dict[str, Any] = json.loads(report.read_text(encoding="utf-8"))
    if result.get("runtimeError"):
        sys.exit(f"audit: lighthouse runtime error on {url}: {result['runtimeError']}")
    return result


def score(result: dict[str, Any], category: str) -> str:
    value = result["categories"][category]["score"]
    return "n/a" if value is None else str(round(value * 100))


def shortfalls(result: dict[str, Any]) -> list[str]:
    """Audits that cost points, per category (weighted audits with a score below 1)."""
    lines = []
    audits = result["audits"]
    for category in CATEGORIES:
        for ref in result["categories"][category]["auditRefs"]:
            audit = audits[ref["id"]]
            if ref.get("weight", 0) > 0 and audit.get("score") is not None and audit["score"] < 1:
                shown = audit.get("displayValue", "")
                lines.append(f"  {category}: {ref['id']} ({audit['score']:.2f}) {shown}".rstrip())
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reports", type=Path, help="keep the JSON reports in this directory")
    args = parser.parse_args()
    try:
        chromium = require_chromium()
        node = require_executable("node", "Node.js", "install Node.js 20 (Debian: nodejs)")
        require_file(LIGHTHOUSE_CLI, "Lighthouse (npm lighthouse@12.2.3)")
    except MissingToolError as exc:
        print(f"audit: {exc}", file=sys.stderr)
        return 1

    with (
        tempfile.TemporaryDirectory(prefix="briefgen-audit-") as tmp,
        serve(Path(tmp) / "www", SUB_PATH) as server,
    ):
        build(server.site_dir, server.base_url)
        reports = args.reports or Path(tmp) / "reports"
        reports.mkdir(parents=True, exist_ok=True)
        rows, notes = [], []
        for name, path in PAGES.items():
            url = server.url(path)
            print(f"audit: lighthouse {url}", file=sys.stderr, flush=True)
            result = lighthouse(node, url, reports / f"{name}.json", chromium)
            rows.append([name, *(score(result, c) for c in CATEGORIES)])
            missing = shortfalls(result)
            if missing:
                notes.append(f"{name}:")
                notes.extend(missing)

    header = ["page", *CATEGORIES]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    for row in [header, ["-" * w for w in widths], *rows]:
        print("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
    if notes:
        print("\nWeighted audits without full marks:")
        print("\n".join(notes))
    if args.reports:
        print(f"\nJSON reports in {args.reports}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
