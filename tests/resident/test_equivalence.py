"""A build in the resident build process is the command line's build: the same site, bytes,
output text and exit code as `--no-resident`, after any sequence of edits."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from tests.support.compare_site import copy_compare_site
from tests.support.paths import FIXTURE_SITES
from tests.support.resident import Resident, same_text, tree

NEWER = "content/briefings/2025-02-01-synthetic-newer.md"
OLDER = "content/briefings/2025-01-01-synthetic-older.md"


def _append(path: str, text: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        with (site / path).open("a", encoding="utf-8") as file:
            file.write(text)

    return edit


def _replace(path: str, old: str, new: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        text = (site / path).read_text(encoding="utf-8")
        assert old in text
        (site / path).write_text(text.replace(old, new, 1), encoding="utf-8")

    return edit


def _remove(path: str) -> Callable[[Path], None]:
    def edit(site: Path) -> None:
        (site / path).unlink()

    return edit


def _nothing(site: Path) -> None:
    pass


EDITS: list[tuple[str, Callable[[Path], None]]] = [
    ("cold", _nothing),
    ("body edited", _append(NEWER, "\nA synthetic paragraph added later.\n")),
    ("nothing changed", _nothing),
    ("site title", _replace("content/site.yaml", "title:", "title: Edited")),
    (
        "content error",
        _replace(
            NEWER,
            "actor:",
            "actor: no-such-actor-",
        ),
    ),
    ("error fixed", _replace(NEWER, "actor: no-such-actor-", "actor:")),
    ("briefing removed", _remove(OLDER)),
]


def test_builds_after_edits_equal_in_process_builds(resident: Resident, tmp_path: Path) -> None:
    here = copy_compare_site(tmp_path / "resident")
    there = copy_compare_site(tmp_path / "in-process")
    pids = set()
    codes = []
    for what, edit in EDITS:
        edit(here)
        edit(there)
        served = resident.briefgen("build", cwd=here)
        alone = resident.briefgen("build", "--no-resident", cwd=there)
        assert (served.code, served.out) == (alone.code, alone.out), what
        assert same_text(served.err) == same_text(alone.err), what
        assert tree(here / "site") == tree(there / "site"), what
        pids.add(resident.status(here)["pid"])
        codes.append(served.code)
    assert 1 in codes and 0 in codes  # the content error failed, as it does in-process
    assert len(pids) == 1  # every build was served by the one server
    said = resident.status(here)
    assert said["builds"] == said["warm_builds"] == len(EDITS)  # one builder kept them all
    assert resident.servers() == {pids.pop(): str(here.resolve())}


def _same_run(resident: Resident, source: Path, root: Path, *args: str) -> int:
    """Build two copies of `source`, one in the resident build process, one in-process: the
    same exit code and output text."""
    here, there = root / "resident" / source.name, root / "in-process" / source.name
    for copy in (here, there):
        shutil.rmtree(copy, ignore_errors=True)
        shutil.copytree(source, copy)
    served = resident.briefgen("build", *args, cwd=here)
    alone = resident.briefgen("build", "--no-resident", *args, cwd=there)
    assert served.code == alone.code, (args, served.err)
    assert served.out == alone.out, args
    assert same_text(served.err) == same_text(alone.err), args
    assert "Traceback" not in served.err
    return served.code


def test_errors_warnings_and_exit_codes_are_those_of_in_process_builds(
    resident: Resident, tmp_path: Path
) -> None:
    codes = set()
    for name in ("unknown-actor", "malformed-yaml", "quote-ambiguous", "minimal"):
        for args in (["--no-search"], ["--no-search", "--strict"], ["--no-search", "-q"]):
            codes.add(_same_run(resident, FIXTURE_SITES / name, tmp_path, *args))
        codes.add(_same_run(resident, FIXTURE_SITES / name, tmp_path, "--base-url", "nonsense"))
    assert codes >= {0, 1}
    assert len(resident.servers()) == 4  # these were resident builds: one server per site


def test_usage_errors_read_as_in_process(resident: Resident, tmp_path: Path) -> None:
    source = FIXTURE_SITES / "minimal"
    (tmp_path / "no-site").mkdir()
    assert _same_run(resident, source, tmp_path, "--jobs", "-1") == 2  # argparse's message
    assert _same_run(resident, source, tmp_path, str(tmp_path / "no-site")) == 2
    assert _same_run(resident, source, tmp_path, "--no-search", "-o", "content") == 2
    assert _same_run(resident, source, tmp_path, "--no-search") == 0
    assert len(resident.servers()) == 1
