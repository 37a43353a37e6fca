"""Stance badges read differently from actors: label plus glyph, body-text size, AA contrast,
and colours that never reuse an actor's hue (actors own the colours), light and dark."""

from __future__ import annotations

import colorsys
from typing import cast

import pytest
import yaml
from playwright.sync_api import Page

from tests.support.checks import relative_luminance
from tests.support.fixtures import COMPARE_PAIR, BuiltSite
from tests.support.tools import REPO_ROOT

PAGES = ["", COMPARE_PAIR, "topics/", "topics/ceasefire/", "actors/", "actors/putin/"]
HUE_APART = 30.0  # degrees between a stance colour's hue and any actor's
NEUTRAL = 0.12  # below this HSL saturation * lightness spread, a colour has no real hue

BADGES = """() => {
  const ctx = document.createElement('canvas').getContext('2d');
  const rgb = (c) => { ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c;
    ctx.fillRect(0, 0, 1, 1); return [...ctx.getImageData(0, 0, 1, 1).data].slice(0, 3); };
  const body = parseFloat(getComputedStyle(document.body).fontSize);
  return [...document.querySelectorAll('span.stance')].map(el => {
    const cs = getComputedStyle(el), glyph = getComputedStyle(el, '::before').content;
    return {text: el.innerText.trim(), cls: el.className, size: parseFloat(cs.fontSize), body,
            fg: rgb(cs.color), bg: rgb(cs.backgroundColor), border: rgb(cs.borderTopColor),
            glyph, borderStyle: cs.borderTopStyle};
  });
}"""


def _actor_hues() -> list[float]:
    actors = yaml.safe_load((REPO_ROOT / "content/actors.yaml").read_text(encoding="utf-8"))
    hues = []
    for actor in actors.values():
        h = actor["color"].lstrip("#")
        r, g, b = (int(h[i : i + 2], 16) / 255 for i in (0, 2, 4))
        hues.append(colorsys.rgb_to_hls(r, g, b)[0] * 360)
    return hues


def _hue_problem(rgb: list[int], actor_hues: list[float]) -> str | None:
    r, g, b = (v / 255 for v in rgb)
    if max(r, g, b) - min(r, g, b) < NEUTRAL:
        return None  # ink or paper: no hue to confuse with an actor
    hue = colorsys.rgb_to_hls(r, g, b)[0] * 360
    for actor in actor_hues:
        if min(abs(hue - actor), 360 - abs(hue - actor)) < HUE_APART:
            return f"hue {hue:.0f} is within {HUE_APART:.0f} degrees of an actor's {actor:.0f}"
    return None


def _contrast(a: list[int], b: list[int]) -> float:
    la = relative_luminance(cast(tuple[int, int, int], tuple(a)))
    lb = relative_luminance(cast(tuple[int, int, int], tuple(b)))
    return (max(la, lb) + 0.05) / (min(la, lb) + 0.05)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_stance_badges_are_labelled_body_size_aa_and_off_the_actor_palette(
    site: BuiltSite, request: pytest.FixtureRequest, scheme: str
) -> None:
    page: Page = request.getfixturevalue(f"{scheme}_page")
    actor_hues = _actor_hues()
    problems: list[str] = []
    glyphs: dict[str, set[str]] = {}
    seen = 0
    for path in PAGES:
        page.goto(site.require(path))
        for badge in page.evaluate(BADGES):
            seen += 1
            where = f"{path or 'home'}: {badge['text']!r} ({badge['cls']})"
            stance = next(c for c in badge["cls"].split() if c.startswith("stance-"))
            glyphs.setdefault(stance, set()).add(badge["glyph"])
            if not badge["text"]:
                problems.append(f"{where}: no label")
            if badge["size"] < badge["body"] - 0.5:
                problems.append(f"{where}: {badge['size']}px, body text is {badge['body']}px")
            if _contrast(badge["fg"], badge["bg"]) < 4.5:
                problems.append(f"{where}: contrast {_contrast(badge['fg'], badge['bg']):.2f}")
            for part in ("fg", "bg", "border"):
                problem = _hue_problem(badge[part], actor_hues)
                if problem:
                    problems.append(f"{where}: {part} {badge[part]}: {problem}")
    assert seen > 20, "too few stance badges found"
    assert not problems, "\n".join(problems)
    # Each stance has its own glyph (a non-colour cue), the same everywhere.
    assert all(len(g) == 1 and "none" not in g for g in glyphs.values()), glyphs
    assert len({next(iter(g)) for g in glyphs.values()}) == len(glyphs), glyphs
