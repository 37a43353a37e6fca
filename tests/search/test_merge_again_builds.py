"""Builds after edits, merged from the last merge's State (again.py), give exactly a cold
build's index; a damaged, truncated, forged or foreign State means a full merge."""

from __future__ import annotations

import hashlib
from pathlib import Path

import cbor2
import pytest

from briefgen.search import again, index, previous, slices
from briefgen.search.merge import Merged
from tests.support.files import snapshot
from tests.support.search_builds import STORE, build, cold_index
from tests.support.sliced_site import briefing_file, write_briefing, write_sliced_site


@pytest.fixture
def merged_again(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Each merge_again() of the builds since: True when it made the bundle."""
    seen: list[bool] = []
    real = again.merge_again

    def watched(*args: object, **kwargs: object) -> Merged | None:
        result = real(*args, **kwargs)  # type: ignore[arg-type]
        seen.append(result is not None)
        return result

    monkeypatch.setattr(index, "merge_again", watched)
    return seen


def edit(site: Path, kind: str) -> None:
    path = briefing_file(site, 5)
    text = path.read_text()
    if kind == "word changed":
        path.write_text(text.replace("lorem", "quorum", 1))
    elif kind == "words added":
        write_briefing(site, 5, extra="\n\nSynthetic zoë appended résumé words.")
    elif kind == "words removed":
        head, _, body = text.rpartition("---\n")
        path.write_text(head + "---\n" + body[: len(body) // 2] + "\n")
    elif kind == "annotation removed":
        start = text.index("  - id: s5-a1")
        path.write_text(text[:start] + text[text.index("  - id: s5-a2") :])
    elif kind == "briefing removed":
        path.unlink()
    elif kind == "briefing added":
        write_briefing(site, 30)


@pytest.mark.parametrize(
    ("kinds", "in_place"),
    [
        (["word changed"], True),
        (["words added"], True),
        (["words removed"], True),
        (["words added", "word changed"], True),  # again on top of again
        (["annotation removed"], False),  # a page fewer: a full merge
        (["briefing removed"], False),
        (["briefing added", "words added"], False),
    ],
)
def test_an_edit_merged_again_gives_a_cold_builds_index(
    small_slices: None,
    small_chunks: None,
    merged_again: list[bool],
    tmp_path: Path,
    kinds: list[str],
    in_place: bool,
) -> None:
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    for number, kind in enumerate(kinds):
        merged_again.clear()
        edit(site, kind)
        build(site, out)
        if in_place:
            assert merged_again == [True], kind
        assert snapshot(out / "pagefind") == cold_index(site, tmp_path, f"cold-{number}"), kind


def _forged(data: dict[str, object], change: str) -> bytes:
    body = cbor2.loads(data["body"])  # type: ignore[arg-type]
    if change == "keys":  # well-typed, its digest right, made for other slices
        at = previous._FIELDS.index("keys")
        body[at] = list(reversed(body[at]))
    else:  # well-typed and right digest, but its chunks are not the output's
        at = previous._FIELDS.index("chunks")
        body[at] = [[end, "0" * 64, digest] for end, _, digest in body[at]]
    raw = cbor2.dumps(body)
    return cbor2.dumps({**data, "body": raw, "sha256": hashlib.sha256(raw).hexdigest()})


@pytest.mark.parametrize(
    "damage", ["garbage", "truncated", "bit-flip", "forged-keys", "forged-chunks", "other-stamp"]
)
def test_a_damaged_state_means_a_full_merge(
    small_slices: None,
    small_chunks: None,
    merged_again: list[bool],
    tmp_path: Path,
    damage: str,
    capsys: pytest.CaptureFixture[str],
) -> None:
    site, out = write_sliced_site(tmp_path / "site"), tmp_path / "out"
    build(site, out)
    path = site / STORE / slices.MERGED
    raw = path.read_bytes()
    data = cbor2.loads(raw)
    if damage == "garbage":
        path.write_bytes(b"\x00 not cbor")
    elif damage == "truncated":
        path.write_bytes(raw[: len(raw) // 2])
    elif damage == "bit-flip":
        body = bytearray(data["body"])
        body[len(body) // 2] ^= 0x40
        path.write_bytes(cbor2.dumps({**data, "body": bytes(body)}))
    elif damage == "other-stamp":
        path.write_bytes(cbor2.dumps({**data, "stamp": "another Pagefind, another format"}))
    else:
        path.write_bytes(_forged(data, damage.removeprefix("forged-")))
    edit(site, "words added")
    build(site, out)
    assert "Traceback" not in capsys.readouterr().err
    assert True not in merged_again
    assert snapshot(out / "pagefind") == cold_index(site, tmp_path)
