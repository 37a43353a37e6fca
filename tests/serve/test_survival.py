"""`serve` survives every bad input, keeps serving the last good site, then picks up the fix.

Each case breaks a copy of the demo site while a real `briefgen serve` process watches it,
waits until the rebuild has ended (failed, or succeeded if the input turns out to be fine),
checks that no traceback reached the terminal and the page is still served, then repairs the
input and waits for the repaired page."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.support.served import (
    BRIEFING_FILE,
    BRIEFING_PATH,
    REPO,
    Served,
    append_paragraph,
    poll,
    start_serve,
)

ENDED = ("still serving the last good build", "built ")  # "built" or "rebuilt"
THEME_404 = "themes/default/templates/404.html"
BOMB = "content/briefings/2024-07-05-synthetic-alias-bomb.md"


def append_bytes(site: Path, data: bytes) -> None:
    with (site / BRIEFING_FILE).open("ab") as handle:
        handle.write(data)


def unknown_actor(site: Path) -> None:
    text = (site / BRIEFING_FILE).read_text(encoding="utf-8")
    text = text.replace("actor: putin", "actor: synthetic-actor-none", 1)
    (site / BRIEFING_FILE).write_text(text, encoding="utf-8")


def alias_bomb(site: Path) -> None:
    levels = ['a0: &a0 ["Synthetic lol"]']
    levels += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 10)]
    front = "\n".join(["---", "title: Synthetic Alias Bomb", "date: 2024-07-05", *levels, "---"])
    (site / BOMB).write_text(front + "\n\nSynthetic text.\n", encoding="utf-8")


def raising_template(site: Path) -> None:
    override = site / THEME_404
    override.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / THEME_404, override)
    with override.open("a", encoding="utf-8") as handle:
        handle.write("\n{% set synthetic_zero = 0 %}{{ 1 / synthetic_zero }}\n")


CASES: dict[str, Callable[[Path], None]] = {
    "unknown actor": unknown_actor,
    "deep block quotes": lambda site: append_bytes(site, b"\n\n" + b">" * 50_000 + b" deep\n"),
    "deep lists": lambda site: append_bytes(site, b"\n\n" + b"- " * 50_000 + b"deep\n"),
    "deep brackets": lambda site: append_bytes(site, b"\n\n" + b"[" * 50_000 + b"\n"),
    "invalid UTF-8": lambda site: append_bytes(site, b"\n\nSynthetic \xff\xfe \xc3\x28 bytes\n"),
    "NUL bytes": lambda site: append_bytes(site, b"\n\nSynthetic \x00 byte\n"),
    "YAML alias bomb": alias_bomb,
    "template that raises": raising_template,
}


@pytest.mark.parametrize("case", CASES)
def test_serve_survives_bad_input_and_picks_up_the_fix(
    demo_site: Path, tmp_path: Path, case: str
) -> None:
    served = start_serve(demo_site, tmp_path)
    try:
        good = served.get(BRIEFING_PATH).body
        original = (demo_site / BRIEFING_FILE).read_bytes()
        before = len(served.output())
        CASES[case](demo_site)
        ended = wait_for_build_end(served, before)

        assert "Traceback" not in served.output(), served.output()
        page = served.get(BRIEFING_PATH)
        assert page.status == 200
        if "still serving the last good build" in ended:
            assert page.body == good  # the last good build, unchanged

        # The fix: the original file back, the additions gone, and a visible change.
        (demo_site / BRIEFING_FILE).write_bytes(original)
        (demo_site / BOMB).unlink(missing_ok=True)
        shutil.rmtree(demo_site / "themes", ignore_errors=True)
        append_paragraph(demo_site / BRIEFING_FILE, "Repaired, synthetic marker 4c1f.")
        served.wait_for_page(BRIEFING_PATH, "synthetic marker 4c1f")
        assert "Traceback" not in served.output(), served.output()
    finally:
        assert served.stop() == 0


def wait_for_build_end(served: Served, after: int) -> str:
    """The terminal output from `after` on, once a rebuild has ended either way."""

    def ended() -> str | None:
        out = served.output()[after:]
        return out if any(e in out for e in ENDED) else None

    return poll(ended, f"the end of a rebuild in:\n{served.output()}")
