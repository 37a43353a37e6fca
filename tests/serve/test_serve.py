"""`briefgen serve` over plain HTTP: base path, rebuild on save, last good site kept, confinement,
clean shutdown. The server is a real subprocess on a copy of the demo site."""

from __future__ import annotations

import gzip
import http.client
import shutil
import signal
from pathlib import Path

import pytest

from tests.support.served import (
    BASE_PATH,
    BRIEFING_FILE,
    BRIEFING_PATH,
    REPO,
    Served,
    append_paragraph,
    break_quote,
    first_quote,
    replace_once,
    start_serve,
)


def test_serves_under_the_base_path_and_rebuilds_on_save(served: Served) -> None:
    assert f"serving http://127.0.0.1:{served.port}{BASE_PATH}" in served.output()

    root = served.request("/")
    assert root.status in (301, 302, 307, 308)
    assert root.headers["location"] == BASE_PATH

    page = served.get(BRIEFING_PATH)
    assert page.status == 200
    assert "Shanghai Cooperation Organization" in page.body
    assert page.body.count("__briefgen/live.js") == 1  # injected once, at serve time

    briefing = served.site / BRIEFING_FILE
    append_paragraph(briefing, "A paragraph added while serving, marker 7f3a.")
    served.wait_for_page(BRIEFING_PATH, "marker 7f3a")

    # The served site is built in a temporary directory, never DIR/site, and the built files
    # themselves carry no live-reload script.
    assert not (served.site / "site").exists()
    (out,) = served.output_dirs()
    built = (out / "site" / BRIEFING_PATH / "index.html").read_text(encoding="utf-8")
    assert "marker 7f3a" in built
    assert "__briefgen" not in built


def indexed_text(out: Path) -> str:
    """Every page and record text in a served site's Pagefind bundle (fragments are gzip)."""
    fragments = sorted((out / "site" / "pagefind" / "fragment").glob("*.pf_fragment"))
    return "".join(gzip.decompress(f.read_bytes()).decode("utf-8") for f in fragments)


def test_a_save_refreshes_pages_first_and_the_search_index_after(served: Served) -> None:
    (out,) = served.output_dirs()
    assert "Shanghai Cooperation Organization" in indexed_text(out)  # indexed at start
    before = len(served.output())
    append_paragraph(served.site / BRIEFING_FILE, "A paragraph about zyxwvutsonic matters.")
    served.wait_for_page(BRIEFING_PATH, "zyxwvutsonic")
    # The rebuild kept the old index; a second, quiet build indexed the new text.
    output = served.wait_for_output("search index up to date", after=before)
    assert output.index("rebuilt") < output.index("search index up to date")
    assert "zyxwvutsonic" in indexed_text(out)


def test_a_broken_save_keeps_the_last_good_site_and_prints_the_diagnostic(
    served: Served,
) -> None:
    briefing = served.site / BRIEFING_FILE
    good_page = served.get(BRIEFING_PATH).body
    quote = first_quote(briefing)
    before = len(served.output())
    broken = break_quote(briefing, quote)

    output = served.wait_for_output("still serving the last good build", after=before)
    # One diagnostic, at the annotation's `quote:` line.
    assert f"{BRIEFING_FILE}:{quote.quote_line}:" in output, output
    assert "quote not found" in output

    page = served.get(BRIEFING_PATH)
    assert page.status == 200
    assert page.body == good_page  # the last good build, unchanged

    after_break = len(served.output())
    replace_once(briefing, broken + "\n", quote.line + "\n")
    served.wait_for_output("rebuilt", after=after_break)
    assert served.get(BRIEFING_PATH).status == 200


@pytest.mark.parametrize(
    "raw_path",
    [
        "/../etc/passwd",
        "/../../../../../../etc/passwd",
        BASE_PATH + "../../../etc/passwd",
        BASE_PATH + "%2e%2e/%2e%2e/%2e%2e/etc/passwd",
        BASE_PATH + "%2E%2E%2F%2E%2E%2F%2E%2E%2Fetc%2Fpasswd",
        BASE_PATH + "..%2f..%2f..%2fetc%2fpasswd",
        BASE_PATH + "..%5c..%5c..%5cetc%5cpasswd",
        BASE_PATH + "%252e%252e/%252e%252e/etc/passwd",
        BASE_PATH + "briefings/./../../../etc/passwd",
        BASE_PATH + "%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
        BASE_PATH + "%00/etc/passwd",
        "//etc/passwd",
        BASE_PATH + "/etc/passwd",
        "http://127.0.0.1/../etc/passwd",
    ],
)
def test_paths_outside_the_output_are_refused(served: Served, raw_path: str) -> None:
    resp = served.request(raw_path)
    assert resp.status in (400, 403, 404), (raw_path, resp.status)
    assert "root:" not in resp.body


def test_missing_pages_get_the_sites_404_page(served: Served) -> None:
    resp = served.get("no/such/page/")
    assert resp.status == 404
    (out,) = served.output_dirs()
    not_found = (out / "site" / "404.html").read_text(encoding="utf-8")
    title = not_found.split("<title>", 1)[1].split("</title>", 1)[0]
    assert f"<title>{title}</title>" in resp.body
    assert "__briefgen/live.js" in resp.body


def test_a_directory_without_its_slash_is_redirected(served: Served) -> None:
    resp = served.get(BRIEFING_PATH.rstrip("/"))
    assert resp.status in (301, 302)
    assert resp.headers["location"] == BASE_PATH + BRIEFING_PATH


def test_a_template_error_is_reported_at_its_line_and_the_site_kept(
    demo_site: Path, tmp_path: Path
) -> None:
    override = demo_site / "themes" / "default" / "templates" / "404.html"
    override.parent.mkdir(parents=True)
    shutil.copy(REPO / "themes/default/templates/404.html", override)
    served = start_serve(demo_site, tmp_path)
    try:
        good_page = served.get(BRIEFING_PATH).body
        lines = override.read_text(encoding="utf-8").count("\n")
        before = len(served.output())
        with override.open("a", encoding="utf-8") as handle:
            handle.write("\n{% if %}\n")
        output = served.wait_for_output("still serving the last good build", after=before)
        assert f"themes/default/templates/404.html:{lines + 2}:" in output, output
        assert "TemplateSyntaxError" in output
        assert served.get(BRIEFING_PATH).body == good_page

        after = len(served.output())
        override.unlink()
        served.wait_for_output("rebuilt", after=after)
    finally:
        assert served.stop() == 0


def test_ctrl_c_stops_cleanly_and_leaves_no_temporary_files(
    demo_site: Path, tmp_path: Path
) -> None:
    served = start_serve(demo_site, tmp_path)
    assert served.output_dirs(), "the site is built in a temporary directory"
    # An open live-reload stream must not hold the server up.
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=30)
    conn.request("GET", BASE_PATH + "__briefgen/events")
    events = conn.getresponse()
    assert events.status == 200
    assert events.getheader("content-type", "").startswith("text/event-stream")
    assert events.readline().startswith(b"retry:")

    assert served.stop(signal.SIGINT) == 0
    conn.close()
    assert list(served.tmpdir.iterdir()) == []
    assert not (demo_site / "site").exists()
    assert "Traceback" not in served.output()
