"""positions.json carries the verdicts and validates against its schema; sources a reader can
judge in the briefing page, the feed, the JSON-LD and annotations.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import lxml.etree
import lxml.html
import pytest

from briefgen.cli import main
from briefgen.exports.positions import positions_schema
from briefgen.site.compare import VERDICTS
from tests.support.compare_site import copy_compare_site
from tests.support.paths import REPO

BASE = "https://fixture.example/cmp/"
NEWER = "briefings/2025-02-01-synthetic-newer/"


@pytest.fixture(scope="module")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("cmp-exports")
    site = copy_compare_site(root / "site")
    assert main(["build", str(site), "-o", str(root / "out"), "--no-search", "-q"]) == 0
    return root / "out"


@pytest.fixture(scope="module")
def demo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("cmp-demo") / "out"
    assert main(["build", str(REPO), "-o", str(out), "--no-search", "-q"]) == 0
    return out


def positions(out: Path) -> dict[str, Any]:
    data = json.loads((out / "data/positions.json").read_bytes())
    assert isinstance(data, dict)
    return data


def comparison(data: dict[str, Any], a: str, b: str, topic: str) -> dict[str, Any]:
    found = [c for c in data["comparisons"] if c["actors"] == [a, b] and c["topic"] == topic]
    assert len(found) == 1, (a, b, topic)
    return found[0]


@pytest.mark.parametrize("which", ["fixture", "demo"])
def test_positions_json_validates_against_its_schema(
    which: str, fixture_out: Path, demo_out: Path
) -> None:
    out = fixture_out if which == "fixture" else demo_out
    schema = json.loads(positions_schema())
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema, format_checker=jsonschema.FormatChecker())
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(positions(out))
    ]
    assert errors == []


def test_positions_json_carries_each_verdict_with_evidence(fixture_out: Path) -> None:
    data = positions(fixture_out)
    alpha = comparison(data, "one", "two", "alpha")
    assert alpha["relation"] == "agree" and alpha["relation_source"] == "analyst"
    assert alpha["date"] == "2025-02-01"  # the newer briefing's verdict
    assert alpha["summary"] == "Both back the alpha plan, for *compatible* reasons."
    assert alpha["evidence"] == [
        f"{BASE}{NEWER}#zz-one-alpha-first",
        f"{BASE}{NEWER}#two-alpha",
    ]
    page = lxml.html.fromstring((fixture_out / NEWER / "index.html").read_bytes())
    for url in alpha["evidence"]:
        assert page.get_element_by_id(url.split("#")[1]) is not None, url
    relations = {
        c["topic"]: c["relation"] for c in data["comparisons"] if c["actors"] == ["one", "two"]
    }
    assert {relations[t] for t in ("alpha", "beta", "gamma", "delta", "epsilon")} == set(VERDICTS)


def test_positions_json_marks_derived_rows_and_never_calls_them_agreement(
    fixture_out: Path,
) -> None:
    data = positions(fixture_out)
    zeta = comparison(data, "one", "two", "zeta")
    assert zeta == {
        "actors": ["one", "two"],
        "topic": "zeta",
        "relation": "same-stance",
        "relation_source": "derived",
        "summary": None,
        "evidence": [],
        "date": None,
        "url": f"{BASE}compare/one-vs-two/#topic-zeta",
    }
    derived = [c for c in data["comparisons"] if c["relation_source"] == "derived"]
    assert derived and all(c["relation"] not in VERDICTS for c in derived)


def test_positions_json_flags_mixed_cells_and_keeps_text_order(fixture_out: Path) -> None:
    cells = {(c["actor"], c["topic"]): c for c in positions(fixture_out)["matrix"]}
    eta = cells[("one", "eta")]
    assert eta["mixed"] is True and eta["latestStances"] == ["supports", "opposes"]
    alpha = cells[("one", "alpha")]
    assert [p["id"] for p in alpha["history"]] == [
        "zz-one-alpha-first",
        "aa-one-alpha-second",
        "one-alpha-older",
    ]
    assert alpha["latest"]["answer"] == "Yes, go ahead"
    assert alpha["latest"]["reporting"] == "direct"


def test_demo_positions_json_has_the_ceasefire_verdict(demo_out: Path) -> None:
    data = positions(demo_out)
    ceasefire = comparison(data, "putin", "zelensky", "ceasefire")
    assert ceasefire["relation"] == "same-stance-different-reasons"
    assert ceasefire["relation_source"] == "analyst"
    assert "rearm" in ceasefire["summary"]
    verdicts = {
        c["topic"]
        for c in data["comparisons"]
        if c["actors"] == ["putin", "zelensky"] and c["relation_source"] == "analyst"
    }
    assert {"ceasefire", "negotiations", "mediation", "preconditions"} <= verdicts


def _source_facts(page: lxml.html.HtmlElement) -> dict[str, str]:
    facts = page.xpath("//dl[@class='source']/div")
    return {d.xpath("string(dt)"): " ".join(d.xpath("string(dd)").split()) for d in facts}


def test_missing_source_facts_are_stated_never_invented(demo_out: Path) -> None:
    slug = "2024-07-04-putin-ceasefire-impossible"
    page = lxml.html.fromstring((demo_out / f"briefings/{slug}/index.html").read_bytes())
    facts = _source_facts(page)
    assert facts["Published by"] == "publisher not named in the source"
    assert facts["Published on"] == "publication date not given in the source"
    assert facts["Original"] == "no link to the original given in the source"
    assert facts["Reporting"].startswith("reported")
    feed = (demo_out / "feed.xml").read_text(encoding="utf-8")
    assert "publisher not named in the source" in feed
    (script,) = page.xpath("//script[@type='application/ld+json']")
    # Only what the source shows (its language): no publisher, URL or date made up.
    assert json.loads(script.text)["isBasedOn"] == {"@type": "CreativeWork", "inLanguage": "en"}


def test_given_source_facts_reach_page_feed_jsonld_and_annotations(fixture_out: Path) -> None:
    page = lxml.html.fromstring((fixture_out / NEWER / "index.html").read_bytes())
    facts = _source_facts(page)
    assert facts["Published by"] == "Synthetic Wire"
    assert facts["Published on"] == "2025-01-31"
    assert facts["Original"] == "https://news.example/synthetic-newer"
    assert facts["Original headline"] == "Synthetic Wire reports on the lorem plans"
    (script,) = page.xpath("//script[@type='application/ld+json']")
    based_on = json.loads(script.text)["isBasedOn"]
    assert based_on == {
        "@type": "CreativeWork",
        "url": "https://news.example/synthetic-newer",
        "headline": "Synthetic Wire reports on the lorem plans",
        "publisher": {"@type": "Organization", "name": "Synthetic Wire"},
        "datePublished": "2025-01-31",
        "inLanguage": "en",
    }
    feed = lxml.etree.fromstring((fixture_out / "feed.xml").read_bytes())
    contents = " ".join(el.text or "" for el in feed.iter("{http://www.w3.org/2005/Atom}content"))
    assert "Published by: Synthetic Wire" in contents
    assert "(direct quote)" in contents and "(the outlet's paraphrase)" in contents
    anno = json.loads((fixture_out / NEWER / "annotations.json").read_bytes())
    items = {i["id"].split("#")[1]: i for i in anno["first"]["items"]}
    assert items["zz-one-alpha-first"]["briefgen:reporting"] == "direct"
    assert items["aa-one-alpha-second"]["briefgen:reporting"] == "paraphrase"
    assert "briefgen:reporting" not in items["two-alpha"]  # not said: not invented
    origin = items["two-alpha"]["target"]["briefgen:origin"]
    assert origin["publisher"] == "Synthetic Wire" and origin["reporting"] == "first-hand"
