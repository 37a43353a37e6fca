"""The floor under a cold build: the libraries the product is specified on, doing only their
own part of the work, with nothing of briefgen's around them.

`PRODUCT.md` fixes markdown-it-py for the Markdown, YAML front matter read with safe_load
semantics, and Pagefind for search, with one result per annotation (its own record, with its
actor, topic and stance filters). This measures, on the corpus briefgen just built:

- `markdown_cpu`: markdown-it-py parsing every briefing's body, with briefgen's parser
  (`document.markdown.make_parser`: CommonMark, no raw HTML, tables, strikethrough), in one
  process: CPU seconds. briefgen renders from the tokens itself; that part is not counted.
- `yaml_cpu`: PyYAML's C loader reading every front matter into Python objects (briefgen
  composes nodes to keep lines and columns, which costs more): CPU seconds.
- `pagefind_wall`: Pagefind indexing exactly the records briefgen gives it for the whole site
  (one per briefing, one per annotation; made untimed from the build's cache), split over
  `jobs` Pagefind processes as briefgen splits them: wall seconds.

The report divides the CPU figures by the cores (the best any split of the work could do) and
sets them against Hugo's cold build of the same texts in the same run: where the libraries'
share alone comes near Hugo's whole build, no work of briefgen's own (anchoring, checks,
pages, exports, files) fits under the ≤ 1.0 target. Run as `python -m benchmarks.floor SITE
[JOBS]`; prints one JSON object.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from pathlib import Path
from typing import Any

import yaml

from briefgen.build.cache import DocCache
from briefgen.build.parallel import default_jobs
from briefgen.build.pipeline import BuildOptions, prepare
from briefgen.content.briefings import split_front_matter
from briefgen.document.markdown import make_parser
from briefgen.search.index import slice_records, slices
from briefgen.search.service import PagefindService


def markdown_and_yaml(site: Path) -> dict[str, float]:
    files = sorted((site / "content" / "briefings").glob("*.md"))
    split = [split_front_matter(f.read_text(encoding="utf-8")) or ("", "", 1) for f in files]
    parser = make_parser()
    started = time.process_time()
    for _, body, _ in split:
        parser.parse(body)
    markdown = time.process_time() - started
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    started = time.process_time()
    for front, _, _ in split:
        yaml.load(front, Loader=loader)  # a safe loader, C or Python
    yaml_cpu = time.process_time() - started
    return {"briefings": len(files), "markdown_cpu": markdown, "yaml_cpu": yaml_cpu}


def pagefind_alone(site: Path, jobs: int) -> dict[str, float]:
    """Pagefind over briefgen's records of the whole site, `jobs` processes at once."""
    options = BuildOptions(site)
    prepared = prepare(options, DocCache(site, options.cache), bodies_apart=True)
    language = prepared.site.content.config.language
    groups = slices(prepared.site.briefings)
    made = [slice_records(language, [prepared.complete(b) for b in g]) for g in groups]
    batches = [made[i::jobs] for i in range(jobs)]
    records = sum(len(r) for r in made)

    def work(batch: list[Any]) -> None:
        with PagefindService() as service:
            for group in batch:
                service.index(language, group)

    started = time.perf_counter()
    threads = [threading.Thread(target=work, args=(batch,)) for batch in batches if batch]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return {"records": records, "pagefind_wall": time.perf_counter() - started}


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    site, jobs = Path(args[0]), int(args[1]) if len(args) > 1 else default_jobs()
    figures = markdown_and_yaml(site) | pagefind_alone(site, jobs) | {"jobs": jobs}
    print(json.dumps(figures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
