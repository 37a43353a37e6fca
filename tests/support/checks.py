"""Reader's-eye checks on a Playwright page, shared by the real-site tests and the tests that
prove each check catches a deliberately broken page. Each returns what is wrong (an empty list or
``None`` when all is well) so the assertion message can say exactly which element failed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, cast

from playwright.sync_api import Locator, Page

# --- layout --------------------------------------------------------------------------------------


def has_horizontal_scroll(page: Page) -> bool:
    """True when the document is wider than the viewport (the reader must scroll sideways)."""
    return bool(
        page.evaluate(
            """() => {
              const el = document.scrollingElement || document.documentElement;
              return el.scrollWidth > el.clientWidth;
            }"""
        )
    )


def overflowing_elements(page: Page, limit: int = 10) -> list[str]:
    """Elements whose right edge lies beyond the viewport, for failure messages."""
    return cast(
        list[str],
        page.evaluate(
            """(limit) => {
              const width = document.documentElement.clientWidth;
              const out = [];
              for (const el of document.body.querySelectorAll('*')) {
                const r = el.getBoundingClientRect();
                if (r.width && r.right > width + 0.5) {
                  const cls = el.className && typeof el.className === 'string'
                    ? '.' + el.className.trim().split(/\\s+/).join('.') : '';
                  out.push(`${el.tagName.toLowerCase()}${el.id ? '#' + el.id : ''}${cls}`
                           + ` right=${Math.round(r.right)} > ${width}`);
                  if (out.length >= limit) break;
                }
              }
              return out;
            }""",
            limit,
        ),
    )


@dataclass(frozen=True)
class Box:
    x: float
    y: float
    width: float
    height: float

    @property
    def right(self) -> float:
        return self.x + self.width

    @property
    def bottom(self) -> float:
        return self.y + self.height


def box_of(locator: Locator) -> Box:
    """The bounding box of a visible element (fails loudly for an invisible one)."""
    b = locator.bounding_box()
    if b is None or b["width"] <= 0 or b["height"] <= 0:
        raise AssertionError(f"element is not rendered: {locator}")
    return Box(b["x"], b["y"], b["width"], b["height"])


TOLERANCE = 1.0  # px, for sub-pixel layout rounding


def side_by_side(a: Box, b: Box) -> bool:
    """``a`` left of ``b`` with no horizontal overlap, and the two share a horizontal band."""
    return a.right <= b.x + TOLERANCE and a.y < b.bottom and b.y < a.bottom


def stacked(a: Box, b: Box) -> bool:
    """``a`` entirely above ``b`` (reading order: a, then b)."""
    return a.bottom <= b.y + TOLERANCE


def within_width(box: Box, width: float) -> bool:
    return box.x >= -TOLERANCE and box.right <= width + TOLERANCE


# --- text ----------------------------------------------------------------------------------------

MIN_FONT_PX = 12.0


def unreadable_badges(page: Page, selector: str = "span.stance") -> list[str]:
    """Badges that do not show their label as visible text of a readable size."""
    return cast(
        list[str],
        page.evaluate(
            """([selector, minPx]) => {
              const bad = [];
              document.querySelectorAll(selector).forEach((el, i) => {
                const where = `${selector}[${i}] ${el.outerHTML.slice(0, 120)}`;
                const cs = getComputedStyle(el);
                const text = (el.innerText || '').trim();
                const rects = el.getClientRects();
                if (!el.checkVisibility({opacityProperty: true, visibilityProperty: true})
                    || rects.length === 0) {
                  bad.push(`${where}: not visible`);
                } else if (!text) {
                  bad.push(`${where}: no visible text (innerText is empty)`);
                } else if (parseFloat(cs.fontSize) < minPx) {
                  bad.push(`${where}: font-size ${cs.fontSize} below ${minPx}px`);
                } else if (cs.color === cs.backgroundColor) {
                  bad.push(`${where}: text colour equals background ${cs.color}`);
                }
              });
              return bad;
            }""",
            [selector, MIN_FONT_PX],
        ),
    )


# --- scrolling and :target -----------------------------------------------------------------------


def settle(page: Page) -> None:
    """Wait until scrolling has stopped and finite animations/transitions have finished.

    A synchronisation point (smooth scrolling, fading highlights), not a timing assertion. It
    polls from Python because requestAnimationFrame does not run with JavaScript disabled."""
    position = "() => [scrollX, scrollY]"
    last, still = page.evaluate(position), 0
    for _ in range(300):
        page.wait_for_timeout(20)
        now = page.evaluate(position)
        still = still + 1 if now == last else 0
        last = now
        if still >= 4:
            break
    page.evaluate(
        """async () => {
          const finite = document.getAnimations().filter(a => {
            const end = a.effect && a.effect.getComputedTiming().endTime;
            return typeof end === 'number' && isFinite(end);
          });
          await Promise.all(finite.map(a => a.finished.catch(() => null)));
        }"""
    )


def viewport_problem(page: Page, selector: str) -> str | None:
    """Why the element is not where a reader sees it: outside the viewport or covered (e.g. by
    a sticky header). ``None`` when its first line box is visible and on top."""
    return cast(
        str | None,
        page.evaluate(
            """(selector) => {
              const el = document.querySelector(selector);
              if (!el) return `no element matches ${selector}`;
              const r = el.getClientRects()[0];
              if (!r) return `${selector} is not rendered`;
              const vw = document.documentElement.clientWidth, vh = innerHeight;
              if (r.bottom <= 0 || r.top >= vh || r.right <= 0 || r.left >= vw)
                return `${selector} is outside the viewport (top=${Math.round(r.top)}, `
                       + `bottom=${Math.round(r.bottom)}, viewport height ${vh})`;
              const x = Math.min(Math.max(r.left + r.width / 2, 0), vw - 1);
              const y = Math.min(Math.max(r.top + r.height / 2, 0), vh - 1);
              const hit = document.elementFromPoint(x, y);
              if (!hit || !(el.contains(hit) || hit.contains(el) && hit.tagName === 'MARK'))
                return `${selector} is covered by ${hit ? hit.outerHTML.slice(0, 120) : 'nothing'}`;
              return null;
            }""",
            selector,
        ),
    )


_STYLE_SNAPSHOT = """(id) => {
  const el = document.getElementById(id);
  if (!el) return null;
  const snap = {':target': String(el.matches(':target'))};
  for (const pseudo of ['', '::before', '::after']) {
    const cs = getComputedStyle(el, pseudo || null);
    for (let i = 0; i < cs.length; i++) {
      const prop = cs[i];
      snap[pseudo + prop] = cs.getPropertyValue(prop);
    }
  }
  return snap;
}"""


def target_style_difference(page: Page, element_id: str) -> dict[str, tuple[str, str]]:
    """How the element looks as ``:target`` versus not targeted: ``{property: (as target,
    not target)}``. The element must be the current ``:target``; afterwards it no longer is
    (the fragment is cleared). An empty result means ``:target`` has no visible style."""
    settle(page)
    targeted = cast(dict[str, str] | None, page.evaluate(_STYLE_SNAPSHOT, element_id))
    if targeted is None:
        raise AssertionError(f"no element with id {element_id!r}")
    if targeted[":target"] != "true":
        raise AssertionError(f"#{element_id} is not the :target (URL is {page.url})")
    page.evaluate("() => { location.hash = ''; }")
    settle(page)
    plain = cast(dict[str, str], page.evaluate(_STYLE_SNAPSHOT, element_id))
    if plain[":target"] != "false":
        raise AssertionError(f"#{element_id} is still the :target after clearing the fragment")
    return {
        k: (v, plain.get(k, ""))
        for k, v in targeted.items()
        if k != ":target" and plain.get(k) != v
    }


# --- keyboard ------------------------------------------------------------------------------------


def tab_until(page: Page, selector: str, max_presses: int = 400) -> int:
    """Press Tab from the top of the page until the focused element matches ``selector``.

    Returns the number of presses; raises when the element is never reached."""
    page.evaluate("() => { document.activeElement && document.activeElement.blur(); }")
    page.mouse.move(0, 0)
    for presses in range(1, max_presses + 1):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement?.matches(s) ?? false", selector):
            return presses
    raise AssertionError(f"{max_presses} presses of Tab never focused {selector}")


_FOCUS_STYLE = """(el) => {
  const cs = getComputedStyle(el);
  return {
    outlineStyle: cs.outlineStyle, outlineWidth: cs.outlineWidth, outlineColor: cs.outlineColor,
    boxShadow: cs.boxShadow, borderColor: cs.borderColor, borderWidth: cs.borderWidth,
    backgroundColor: cs.backgroundColor, textDecorationLine: cs.textDecorationLine,
  };
}"""


def _has_ring(style: dict[str, str]) -> bool:
    outline = (
        style["outlineStyle"] != "none"
        and float(style["outlineWidth"].removesuffix("px") or 0) > 0
        and not _transparent(style["outlineColor"])
    )
    return outline or style["boxShadow"] not in ("none", "")


def _transparent(color: str) -> bool:
    c = color.replace(" ", "")
    return c in ("transparent", "rgba(0,0,0,0)") or c.endswith(",0)")


def focus_indicator_problem(page: Page, selector: str) -> str | None:
    """Why the focused element (which must match ``selector``) shows no focus indicator.

    It must have an outline or box-shadow, and that must differ from another element matching
    ``selector`` that is not focused (so the indicator is there *because* of focus)."""
    focused = page.locator(f"{selector}:focus")
    if focused.count() != 1:
        return f"no focused element matches {selector}"
    style = cast(dict[str, str], focused.evaluate(_FOCUS_STYLE))
    if not _has_ring(style):
        return f"focused {selector} has no outline or box-shadow: {style}"
    others = page.locator(f"{selector}:not(:focus)")
    if others.count() == 0:
        return None
    other = cast(dict[str, str], others.first.evaluate(_FOCUS_STYLE))
    ring = ("outlineStyle", "outlineWidth", "outlineColor", "boxShadow")
    if all(style[k] == other[k] for k in ring):
        return f"focused and unfocused {selector} look the same: {style}"
    return None


# --- notes ---------------------------------------------------------------------------------------


def hidden_note_content(page: Page, selector: str = "details.note") -> list[str]:
    """Notes whose content (everything after the summary) is not rendered, or is empty."""
    return cast(
        list[str],
        page.evaluate(
            """(selector) => {
              const bad = [];
              document.querySelectorAll(selector).forEach((d) => {
                const name = d.id ? `#${d.id}` : selector;
                const parts = [...d.childNodes].filter(n => !(n.nodeType === 1
                    && n.tagName === 'SUMMARY') && (n.nodeType === 1
                    || (n.nodeType === 3 && n.textContent.trim())));
                if (!parts.length) { bad.push(`${name}: no content besides its summary`); return; }
                const text = parts.map(n => n.textContent).join('').trim();
                if (!text) { bad.push(`${name}: content has no text`); return; }
                for (const n of parts) {
                  let shown;
                  if (n.nodeType === 1) {
                    shown = n.checkVisibility({visibilityProperty: true})
                            && n.getClientRects().length > 0;
                  } else {
                    const r = document.createRange(); r.selectNodeContents(n);
                    shown = r.getClientRects().length > 0;
                  }
                  if (!shown) {
                    const what = n.nodeType === 1 ? n.outerHTML.slice(0, 80) : 'text';
                    bad.push(`${name}: ${what} is not shown`);
                    return;
                  }
                }
              });
              return bad;
            }""",
            selector,
        ),
    )


def is_open(locator: Locator) -> bool:
    return bool(locator.evaluate("(d) => d.open"))


# --- print ---------------------------------------------------------------------------------------


def undecorated_highlights(page: Page, selector: str = "mark.hl") -> list[str]:
    """Highlights that, without background colours, look like plain text: no underline and no
    border. Call after ``page.emulate_media(media="print")``."""
    return cast(
        list[str],
        page.evaluate(
            """(selector) => {
              const seen = (c) => !/^(transparent|rgba\\(0, 0, 0, 0\\))$/.test(c);
              const bad = [];
              document.querySelectorAll(selector).forEach((el, i) => {
                const cs = getComputedStyle(el);
                const deco = /underline|overline/.test(cs.textDecorationLine)
                             && seen(cs.textDecorationColor);
                const border = ['Top', 'Right', 'Bottom', 'Left'].some(s =>
                    cs[`border${s}Style`] !== 'none' && cs[`border${s}Style`] !== 'hidden'
                    && parseFloat(cs[`border${s}Width`]) > 0 && seen(cs[`border${s}Color`]));
                if (!deco && !border) {
                  bad.push(`${selector}[${i}]${el.id ? '#' + el.id : ''} `
                    + `(data-anno=${el.dataset.anno}): text-decoration-line `
                    + `'${cs.textDecorationLine}', no border`);
                }
              });
              return bad;
            }""",
            selector,
        ),
    )


# --- colour --------------------------------------------------------------------------------------


def page_background(page: Page) -> tuple[int, int, int]:
    """The opaque RGB colour behind the page's content (body, else html, else white)."""
    rgba = cast(
        list[int],
        page.evaluate(
            """() => {
              const ctx = document.createElement('canvas').getContext('2d');
              const toRgba = (c) => {
                ctx.clearRect(0, 0, 1, 1); ctx.fillStyle = '#000'; ctx.fillStyle = c;
                ctx.fillRect(0, 0, 1, 1); return [...ctx.getImageData(0, 0, 1, 1).data];
              };
              for (const el of [document.body, document.documentElement]) {
                const c = getComputedStyle(el).backgroundColor;
                if (c && !/^(transparent|rgba\\(0, 0, 0, 0\\))$/.test(c)) return toRgba(c);
              }
              const scheme = getComputedStyle(document.documentElement).colorScheme;
              return matchMedia('(prefers-color-scheme: dark)').matches && /dark/.test(scheme)
                ? [18, 18, 18, 255] : [255, 255, 255, 255];
            }"""
        ),
    )
    return rgba[0], rgba[1], rgba[2]


def relative_luminance(rgb: tuple[int, int, int]) -> float:
    """WCAG 2 relative luminance of an sRGB colour (0 black .. 1 white)."""

    def channel(v: int) -> float:
        c = v / 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(v) for v in rgb)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


class PageWatch:
    """Records what went wrong while a page loaded: script errors, console errors, and
    sub-resources that failed or answered with an HTTP error. Attach before ``goto``."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self._problems: list[str] = []
        self._failed_load_urls: list[str] = []
        self._error_documents: set[str] = set()
        page.on("pageerror", self._on_pageerror)
        page.on("console", self._on_console)
        page.on("requestfailed", self._on_requestfailed)
        page.on("response", self._on_response)

    @property
    def problems(self) -> list[str]:
        """Everything recorded, except the console's echo of a document's own error status
        (the not-found page is *meant* to answer 404)."""
        echoes = {u for u in self._failed_load_urls if u in self._error_documents}
        return self._problems + [
            f"console error: failed to load {u}" for u in self._failed_load_urls if u not in echoes
        ]

    def _on_pageerror(self, error: Any) -> None:
        self._problems.append(f"script error: {error}")

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        url = str(message.location.get("url", ""))
        if message.text.startswith("Failed to load resource"):
            self._failed_load_urls.append(url)
        else:
            self._problems.append(f"console error: {message.text} ({url})")

    def _on_requestfailed(self, request: Any) -> None:
        self._problems.append(f"request failed: {request.url} ({request.failure})")

    def _on_response(self, response: Any) -> None:
        if response.status < 400:
            return
        if response.request.resource_type == "document":
            self._error_documents.add(response.url)
        else:
            self._problems.append(f"HTTP {response.status}: {response.url}")

    def close(self) -> None:
        self.page.remove_listener("pageerror", self._on_pageerror)
        self.page.remove_listener("console", self._on_console)
        self.page.remove_listener("requestfailed", self._on_requestfailed)
        self.page.remove_listener("response", self._on_response)
