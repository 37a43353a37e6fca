"""Identical input, identical bytes; the only time ever used comes from SOURCE_DATE_EPOCH."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest

from briefgen.cli import main
from briefgen.exports.files import publish_files
from tests.support.demo import BASES, build_demo, model, published_briefings
from tests.support.paths import REPO

BASE = BASES["subpath"]


def publish_snapshot(out: Path) -> dict[str, bytes]:
    names = set(publish_files(model(BASE)))
    assert {"feed.xml", "sitemap.xml", "robots.txt", "data/positions.json"} <= names
    return {name: (out / name).read_bytes() for name in sorted(names)}


def test_two_builds_give_identical_publish_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    build_demo(tmp_path / "one", BASE)
    build_demo(tmp_path / "two", BASE)
    assert publish_snapshot(tmp_path / "one") == publish_snapshot(tmp_path / "two")


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
