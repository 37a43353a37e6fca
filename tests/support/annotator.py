"""Apache Annotator (a real W3C Web Annotation client) in Chromium, and the awkward-case site.

The client is `@apache-annotator/dom` from node_modules (pinned in package.json), bundled once
per session with esbuild into one script a page can load; nothing is fetched at test time.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.support.fixtures import SUB_PATH, BuiltSite
from tests.support.server import serve
from tests.support.tools import NODE_MODULES, REPO_ROOT

# A valid site (tests/fixtures/sites holds the diagnostics cases).
AWKWARD_SITE = REPO_ROOT / "tests" / "fixtures" / "awkward-anchors"
_ENTRY = "export * from '@apache-annotator/dom';\n"


@pytest.fixture(scope="session")
def annotator_bundle(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """`AA.*` (createTextQuoteSelectorMatcher, ...) as one IIFE script."""
    esbuild = NODE_MODULES / ".bin" / "esbuild"
    if not esbuild.exists() or not (NODE_MODULES / "@apache-annotator" / "dom").is_dir():
        pytest.fail("node_modules lacks esbuild or @apache-annotator/dom: run `npm ci`")
    out = tmp_path_factory.mktemp("annotator") / "aa.js"
    cmd = [
        str(esbuild), "--bundle", "--format=iife", "--global-name=AA", "--target=chrome110",
        "--sourcefile=entry.mjs", "--loader=js", f"--outfile={out}", "--log-level=error",
    ]  # fmt: skip
    proc = subprocess.run(cmd, input=_ENTRY, text=True, capture_output=True, cwd=REPO_ROOT)
    if proc.returncode != 0:
        pytest.fail(f"esbuild failed: {proc.stderr}")
    return out


def build_site(source: Path, out_dir: Path, base_url: str) -> None:
    env = {**os.environ, "PYTHONPATH": str(REPO_ROOT / "src")}
    cmd = [sys.executable, "-m", "briefgen", "build", str(source), "-o", str(out_dir)]
    proc = subprocess.run(
        [*cmd, "--base-url", base_url], capture_output=True, text=True, env=env, check=False
    )
    if proc.returncode != 0:
        pytest.fail(f"building {source} failed:\n{proc.stdout}\n{proc.stderr}", pytrace=False)


@pytest.fixture(scope="session")
def awkward_site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BuiltSite]:
    """The awkward-anchors fixture site, built and served under a sub-path."""
    root = tmp_path_factory.mktemp("awkward")
    source = tmp_path_factory.mktemp("awkward-source") / "site"
    shutil.copytree(AWKWARD_SITE / "content", source / "content")  # its cache goes there
    with serve(root, SUB_PATH) as server:
        server.site_dir.parent.mkdir(parents=True, exist_ok=True)
        build_site(source, server.site_dir, server.base_url)
        yield BuiltSite(server)


def briefing_paths(site: BuiltSite) -> list[str]:
    pages = sorted((site.site_dir / "briefings").glob("*/annotations.json"))
    return [f"briefings/{p.parent.name}/" for p in pages]


def exported_annotations(site: BuiltSite, path: str) -> list[dict[str, Any]]:
    data = json.loads((site.site_dir / path / "annotations.json").read_text("utf-8"))
    items: list[dict[str, Any]] = data["first"]["items"]
    return items


# In the page: each exported selector resolved by Apache Annotator, and each annotation's
# passage as its <mark>s cover it; all as code-point offsets in the scope's text.
RESOLVE = """
async (items) => {
  const cp = (text, units) => [...text.slice(0, units)].length;
  function offsets(scope, range) {
    const before = document.createRange();
    before.setStart(scope, 0);
    before.setEnd(range.startContainer, range.startOffset);
    const start = before.toString().length;
    const text = scope.textContent;
    return [cp(text, start), cp(text, start + range.toString().length)];
  }
  const out = [];
  for (const item of items) {
    const id = item.id.split("#").pop();
    const selectors = item.target.selector;
    const result = {id, marks: null, resolved: []};
    for (const sel of selectors) {
      const scope = document.querySelector(sel.value);
      if (!scope) {
        result.resolved.push({type: sel.refinedBy.type, error: "no " + sel.value});
        continue;
      }
      const refined = sel.refinedBy;
      const make = refined.type === "TextQuoteSelector"
        ? AA.createTextQuoteSelectorMatcher : AA.createTextPositionSelectorMatcher;
      const matches = [];
      for await (const range of make(refined)(scope)) { matches.push(offsets(scope, range)); }
      result.resolved.push({type: refined.type, matches});
      if (result.marks === null) {
        const marks = scope.querySelectorAll(`mark[data-anno="${CSS.escape(id)}"]`);
        let lo = Infinity, hi = -Infinity;
        for (const m of marks) {
          const r = document.createRange(); r.selectNodeContents(m);
          const [s, e] = offsets(scope, r); lo = Math.min(lo, s); hi = Math.max(hi, e);
        }
        result.marks = marks.length ? [lo, hi] : null;
      }
    }
    out.push(result);
  }
  return out;
}
"""


def resolve_all(page: Page, items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = page.evaluate(RESOLVE, items)
    return result


# ::target-text painted in a colour nothing else on the page uses, highlights off, so a
# screenshot shows exactly what the browser's Text Fragment matched.
TARGET_TEXT_CSS = """
mark.hl, mark.hl:target, mark.hl.is-target {
  background: none !important; outline: none !important;
}
::target-text { background-color: #ff00ff !important; color: #ff00ff !important; }
"""

# In a blank page: which magenta pixels of a screenshot lie inside the passage's boxes.
COUNT_MAGENTA = """
async ([png, rects]) => {
  const img = new Image();
  img.src = "data:image/png;base64," + png;
  await img.decode();
  const canvas = document.createElement("canvas");
  canvas.width = img.width; canvas.height = img.height;
  const ctx = canvas.getContext("2d");
  ctx.drawImage(img, 0, 0);
  const data = ctx.getImageData(0, 0, img.width, img.height).data;
  // A highlight paints the line box, taller than the mark's own box: up to the next line's
  // box (the theme's marks have a padded underline), never a whole line (29 px) further.
  const inRect = (x, y, r) => x >= r[0] - 3 && x <= r[2] + 3 && y >= r[1] - 8 && y <= r[3] + 8;
  let inside = 0, outside = 0;
  const hit = rects.map(() => 0);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const i = (y * img.width + x) * 4;
      if (data[i] > 235 && data[i + 1] < 40 && data[i + 2] > 235) {
        let any = false;
        rects.forEach((r, k) => { if (inRect(x, y, r)) { any = true; hit[k]++; } });
        if (any) inside++; else outside++;
      }
    }
  }
  return {inside, outside, hit};
}
"""

# The passage's boxes in the viewport (one per line of each of its marks), visible parts only.
PASSAGE_RECTS = """
(id) => {
  // The passage is the range from its first mark to its last: what lies inside it (the note
  // number of a passage nested in it, say) is part of what a Text Fragment highlights.
  const marks = document.querySelectorAll(`#text mark[data-anno="${CSS.escape(id)}"]`);
  const out = [];
  if (!marks.length) return out;
  const range = document.createRange();
  range.setStartBefore(marks[0]);
  range.setEndAfter(marks[marks.length - 1]);
  for (const r of range.getClientRects()) {
    if (r.width < 1 || r.bottom < 0 || r.top > innerHeight) continue;
    out.push([r.left, Math.max(0, r.top), r.right, Math.min(innerHeight, r.bottom)]);
  }
  return out;
}
"""
