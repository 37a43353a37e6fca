"""The comparison model (site.model.build_site): pairs, rows, relations and their order."""

from __future__ import annotations

from pathlib import Path

from briefgen.site.model import Site
from tests.support.synthetic import synthetic_site


def _site(tmp_path: Path, base_url: str = "https://synthetic.example/") -> Site:
    return synthetic_site(tmp_path / "site", base_url)


def test_a_pair_exists_only_for_actors_sharing_a_topic(tmp_path: Path) -> None:
    site = _site(tmp_path)
    assert [(p.a.id, p.b.id) for p in site.pairs] == [("actor-one", "actor-two")]
    assert site.featured is site.pairs[0]  # named by site.yaml's compare


def test_rows_follow_the_topic_order_with_their_relation(tmp_path: Path) -> None:
    pair = _site(tmp_path).pairs[0]
    relations = [(row.topic.id, row.relation) for row in pair.rows]
    # Without an analyst verdict a row states a fact about the labels, never "agree".
    assert relations == [
        ("topic-agree", "same-stance"),  # two's latest position (supports) matches one's
        ("topic-differ", "different-stances"),
        ("topic-solo", "only-a"),
    ]
    assert all(row.source == "derived" for row in pair.rows)
    assert [r.topic.id for r in pair.shared] == ["topic-agree", "topic-differ"]
    assert [r.topic.id for r in pair.with_relation("only-a", "only-b")] == ["topic-solo"]


def test_each_side_lists_positions_newest_first(tmp_path: Path) -> None:
    agree = _site(tmp_path).pairs[0].rows[0]
    assert [a.id for a in agree.a] == ["early-one-agree"]
    assert [a.id for a in agree.b] == ["late-two-agree", "early-two-agree"]


def test_topic_and_actor_pages(tmp_path: Path) -> None:
    site = _site(tmp_path)
    by_topic = {tp.topic.id: tp for tp in site.topic_pages}
    agree = by_topic["topic-agree"]
    assert [ap.actor.id for ap in agree.by_actor] == ["actor-one", "actor-two"]
    assert [ap.changed for ap in agree.by_actor] == [False, True]  # two changed its stance
    actor_one = next(ap for ap in site.actor_pages if ap.actor.id == "actor-one")
    assert [tp.topic.id for tp in actor_one.by_topic] == [
        "topic-agree",
        "topic-differ",
        "topic-solo",
    ]
    matrix = {(c.actor.id, c.topic.id): c.latest for row in site.matrix for c in row}
    assert matrix[("actor-two", "topic-agree")].id == "late-two-agree"
    assert matrix[("actor-three", "topic-agree")] is None


def test_model_urls_carry_the_base_path(tmp_path: Path) -> None:
    site = _site(tmp_path, "https://synthetic.example/sub/path/")
    assert site.pairs[0].url == "/sub/path/compare/actor-one-vs-actor-two/"
    assert site.topic_pages[0].url == "/sub/path/topics/topic-agree/"
    assert site.actor_pages[0].url == "/sub/path/actors/actor-one/"
    late = site.briefings[0]
    assert late.url == "/sub/path/briefings/2024-02-01-synthetic-late/"
    assert late.annotations[0].url == late.url + "#late-two-agree"
