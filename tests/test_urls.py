"""briefgen.urls: every page kind, export and fragment, under "/" and under a sub-path."""

from __future__ import annotations

import pytest

from briefgen import urls
from briefgen.urls import Urls

# kind, arguments, path relative to the site's root
KINDS = [
    ("home", (), ""),
    ("briefing", ("synthetic-b",), "briefings/synthetic-b/"),
    ("passage", ("synthetic-b", "note-1"), "briefings/synthetic-b/#note-1"),
    ("annotations_json", ("synthetic-b",), "briefings/synthetic-b/annotations.json"),
    ("annotation", ("synthetic-b", "n1"), "briefings/synthetic-b/annotations.json#n1"),
    ("plain_text", ("synthetic-b",), "briefings/synthetic-b/text.txt"),
    ("compare_index", (), "compare/"),
    ("compare", ("one", "two"), "compare/one-vs-two/"),
    ("compare_topic", ("one", "two", "t"), "compare/one-vs-two/#topic-t"),
    ("topics", (), "topics/"),
    ("topic", ("t",), "topics/t/"),
    ("topic_actor", ("t", "one"), "topics/t/#actor-one"),
    ("actors", (), "actors/"),
    ("actor", ("one",), "actors/one/"),
    ("search", (), "search/"),
    ("search_bundle", (), "pagefind/"),
    ("search_asset", ("ui.js",), "pagefind/ui.js"),
    ("not_found", (), "404.html"),
    ("feed", (), "feed.xml"),
    ("sitemap", (), "sitemap.xml"),
    ("robots", (), "robots.txt"),
    ("positions", (), "data/positions.json"),
    ("positions_schema", (), "data/positions.schema.json"),
    ("annotations_all", (), "data/annotations.jsonl"),
    ("static", ("app.css",), "static/app.css"),
    ("asset", ("app.css", "abc123"), "static/app.css?v=abc123"),
]

BASES = [("https://synthetic.example/", "/"), ("https://synthetic.example/sub/path/", "/sub/path/")]


def test_every_kind_is_tested() -> None:
    assert sorted(k for k, _, _ in KINDS) == sorted(urls.PATHS)


@pytest.mark.parametrize("kind, args, path", KINDS, ids=[k for k, _, _ in KINDS])
@pytest.mark.parametrize("base_url, base_path", BASES, ids=["root", "sub-path"])
def test_each_kind(
    kind: str, args: tuple[str, ...], path: str, base_url: str, base_path: str
) -> None:
    u = Urls(base_url)
    assert urls.path_for(kind, *args) == path
    assert u.base_path == base_path
    assert u.for_kind(kind, *args) == base_path + path
    assert u.absolute_for_kind(kind, *args) == base_url + path
    assert u.path_of_internal(u.for_kind(kind, *args)) == path
    assert u.absolute_of_internal(u.for_kind(kind, *args)) == base_url + path


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ValueError, match=r"no URL kind 'synthetic'.*briefing"):
        urls.path_for("synthetic")


def test_page_files_and_rooted_paths() -> None:
    assert urls.page_file(urls.home()) == "index.html"
    assert urls.page_file(urls.topic("t")) == "topics/t/index.html"
    assert urls.page_file(urls.not_found()) == "404.html"
    assert urls.rooted(urls.briefing("b")) == "/briefings/b/"
    assert urls.asset("app.css") == "static/app.css"


def test_outside_the_base_path() -> None:
    u = Urls("https://synthetic.example/sub/")
    assert u.path_of_internal("/other/x/") is None
    assert u.absolute_of_internal("https://elsewhere.example/x") == "https://elsewhere.example/x"


@pytest.mark.parametrize("name", ["../x", "/etc/passwd", "", "a\\b", "a/../../b"])
def test_unsafe_output_paths_are_refused(name: str) -> None:
    with pytest.raises(ValueError):
        urls.safe_relpath(name)
