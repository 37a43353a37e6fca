"""The comparison model: analyst verdicts of every relation, derived facts where there is none,
mixed stances, and positions in the order of the text."""

from __future__ import annotations

from briefgen.site.compare import DERIVED_RELATIONS, VERDICTS
from briefgen.site.model import Site
from tests.support.compare_site import pair


def _relations(site: Site, a: str, b: str) -> dict[str, tuple[str, str]]:
    return {r.topic.id: (r.relation, r.source) for r in pair(site, a, b).rows}


def test_every_verdict_relation_comes_from_the_analyst(compare_model: Site) -> None:
    relations = _relations(compare_model, "one", "two")
    assert relations["alpha"] == ("agree", "analyst")
    assert relations["beta"] == ("same-stance-different-reasons", "analyst")
    assert relations["gamma"] == ("disagree", "analyst")
    assert relations["delta"] == ("partial", "analyst")
    assert relations["epsilon"] == ("not-comparable", "analyst")
    assert {relations[t][0] for t in ("alpha", "beta", "gamma", "delta", "epsilon")} == set(
        VERDICTS
    )


def test_equal_stance_labels_without_a_verdict_are_only_a_derived_fact(
    compare_model: Site,
) -> None:
    # One and Two both oppose on zeta, and no analyst compared them: not "agree".
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "zeta")
    assert (row.relation, row.source, row.verdict) == ("same-stance", "derived", None)


def test_derived_fallbacks(compare_model: Site) -> None:
    one_three = _relations(compare_model, "one", "three")
    assert one_three["zeta"] == ("different-stances", "derived")
    assert one_three["alpha"] == ("only-a", "derived")
    two_three = _relations(compare_model, "two", "three")
    assert two_three["zeta"] == ("different-stances", "derived")
    assert two_three["beta"] == ("only-a", "derived")
    for p in compare_model.pairs:
        for r in p.rows:
            assert (r.relation in VERDICTS) == (r.source == "analyst")
            assert (r.relation in DERIVED_RELATIONS) == (r.source == "derived")


def test_verdict_names_its_pair_in_either_order(compare_model: Site) -> None:
    # beta's verdict lists the actors as [two, one]; the pair page is one-vs-two.
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "beta")
    assert row.verdict is not None
    assert row.verdict.summary.startswith("Both reject the beta pause")


def test_the_newest_briefings_verdict_wins(compare_model: Site) -> None:
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "alpha")
    assert row.verdict is not None
    # The older briefing says "disagree"; the newer one, "agree".
    assert (row.verdict.relation, row.verdict.date.isoformat()) == ("agree", "2025-02-01")
    assert "<em>compatible</em>" in row.verdict.summary_html


def test_verdict_evidence_links_to_the_passages_under_the_base_path(compare_model: Site) -> None:
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "beta")
    assert row.verdict is not None
    assert [a.id for a in row.verdict.evidence] == ["one-beta", "two-beta"]
    assert row.verdict.evidence_urls == (
        "/cmp/briefings/2025-02-01-synthetic-newer/#one-beta",
        "/cmp/briefings/2025-02-01-synthetic-newer/#two-beta",
    )


def test_mixed_stances_in_the_newest_briefing_are_listed_not_picked(compare_model: Site) -> None:
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "eta")
    assert row.relation == "mixed" and row.source == "derived"
    assert [s.id for s in row.a_stances] == ["supports", "opposes"]  # text order
    assert [s.id for s in row.b_stances] == ["supports"]
    cells = {(c.actor.id, c.topic.id): c for r in compare_model.matrix for c in r}
    assert cells[("one", "eta")].mixed
    assert not cells[("two", "eta")].mixed


def test_positions_newest_briefing_first_then_text_order(compare_model: Site) -> None:
    row = next(r for r in pair(compare_model, "one", "two").rows if r.topic.id == "alpha")
    # In the newer briefing the passage "zz-..." comes first in the text, "aa-..." later;
    # the older briefing's position comes last.
    assert [a.id for a in row.a] == ["zz-one-alpha-first", "aa-one-alpha-second", "one-alpha-older"]
    topic = next(t for t in compare_model.topic_pages if t.topic.id == "alpha")
    one = next(ap for ap in topic.by_actor if ap.actor.id == "one")
    assert one.positions[0].id == "zz-one-alpha-first"
    assert one.changed  # opposes in January, supports in February


def test_overview_groups_put_verdicts_first(compare_model: Site) -> None:
    groups = [rel for rel, _ in pair(compare_model, "one", "two").groups]
    analyst = [g for g in groups if g in VERDICTS]
    assert groups[: len(analyst)] == analyst
    assert set(groups) - set(analyst) == {"same-stance", "mixed"}


def test_topic_answers_fall_back_to_the_stance_label(compare_model: Site) -> None:
    stances = compare_model.content.config.stances
    topics = compare_model.content.topics
    assert topics["beta"].answer(stances["opposes"]) == "No, not now"
    assert topics["beta"].answer(stances["supports"]) == "Supports"
