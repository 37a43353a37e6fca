"""Identical input, identical bytes; the only time ever used comes from SOURCE_DATE_EPOCH."""

from __future__ import annotations

import shutil
from pathlib import Path

import feedparser
import pytest

from briefgen.build.cache import CACHE_DIR
from briefgen.cli import main
from briefgen.exports.files import publish_files
from tests.support.demo import BASES, build_demo, model, published_briefings
from tests.support.files import snapshot
from tests.support.paths import REPO

BASE = BASES["subpath"]


def _copy_of_demo(root: Path) -> Path:
    shutil.copytree(REPO / "content", root / "content")
    return root


@pytest.mark.parametrize("search", [False, True], ids=["no-search", "search"])
def test_two_builds_give_identical_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, search: bool
) -> None:
    """The same write path as `briefgen build`: once cold (no cache, one process), once warm
    from the cache into another folder with the work spread over processes; every file of
    both outputs, byte for byte."""
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    site = _copy_of_demo(tmp_path / "demo")
    flags = ["--base-url", BASE, "-q"] + ([] if search else ["--no-search"])
    assert main(["build", str(site), "-o", str(tmp_path / "one"), "--jobs", "1", *flags]) == 0
    assert (site / CACHE_DIR).is_dir()  # so the second build reads the cache
    assert main(["build", str(site), "-o", str(tmp_path / "two"), "--jobs", "2", *flags]) == 0
    one, two = snapshot(tmp_path / "one"), snapshot(tmp_path / "two")
    assert {"feed.xml", "sitemap.xml", "robots.txt", "data/positions.json"} <= set(one)
    assert any(name.startswith("pagefind/") for name in one) == search
    assert one == two


def test_publish_files_are_sorted_and_repeatable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    one, two = publish_files(model(BASE)), publish_files(model(BASE))
    assert one == two
    assert list(one) == sorted(one)


def test_source_date_epoch_sets_the_feed_time(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1720569600")  # 2024-07-10T00:00:00Z
    build_demo(tmp_path / "site", BASE)
    feed = feedparser.parse((tmp_path / "site" / "feed.xml").read_bytes())
    assert not feed.bozo
    assert feed.feed.updated == "2024-07-10T00:00:00Z"
    dates = {m["date"].isoformat() for _, m in published_briefings()}
    for entry in feed.entries:  # entries keep their briefings' dates
        assert entry.updated[:10] in dates and entry.published[:10] in dates
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1720656000")
    assert b"<updated>2024-07-11T00:00:00Z</updated>" in publish_files(model(BASE))["feed.xml"]
    monkeypatch.delenv("SOURCE_DATE_EPOCH")
    newest = max(dates)
    assert (
        f"<updated>{newest}T00:00:00Z</updated>".encode() in publish_files(model(BASE))["feed.xml"]
    )


@pytest.mark.parametrize("value", ["yesterday", "-5", "1.5"])
def test_invalid_source_date_epoch_is_a_usage_error(
    value: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", value)
    out = tmp_path / "site"
    args = ["build", str(REPO), "-o", str(out), "--base-url", BASE, "--no-search", "-q"]
    assert main(args) == 2
    assert "SOURCE_DATE_EPOCH" in capsys.readouterr().err
    assert not out.exists()
