"""`briefgen init`: a fresh site that checks and builds, with schemas its editor can use."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from briefgen.cli import main
from tests.support.paths import REPO

SCHEMAS = REPO / "src" / "briefgen" / "content" / "schemas"
MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$", re.MULTILINE)


def _plain(value: Any) -> Any:
    """YAML dates as the text an editor's language server sees."""
    return json.loads(json.dumps(value, default=lambda v: v.isoformat()))


def _front_matter(path: Path) -> Any:
    text = path.read_text(encoding="utf-8")
    return yaml.safe_load(text.split("\n---\n", 1)[0].removeprefix("---\n"))


def _validate(site: Path, schema_dir: Path) -> int:
    """Validate every content file of `site` against the schemas; return how many were read."""
    count = 0
    for name in ("site", "actors", "topics"):
        data = yaml.safe_load((site / "content" / f"{name}.yaml").read_text(encoding="utf-8"))
        schema = json.loads((schema_dir / f"{name}.schema.json").read_text(encoding="utf-8"))
        jsonschema.validate(_plain(data), schema, format_checker=jsonschema.FormatChecker())
        count += 1
    schema = json.loads((schema_dir / "briefing.schema.json").read_text(encoding="utf-8"))
    for path in sorted((site / "content" / "briefings").rglob("*.md")):
        jsonschema.validate(_plain(_front_matter(path)), schema)
        count += 1
    return count


def test_init_then_check_and_build_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    site = tmp_path / "my-briefings"
    assert main(["init", str(site)]) == 0
    assert (site / ".gitignore").read_text().count("site/") == 1
    assert main(["check", str(site)]) == 0
    assert main(["build", str(site)]) == 0
    pages = list((site / "site" / "briefings").glob("*/index.html"))
    assert len(pages) == 1
    assert "error" not in capsys.readouterr().err


def test_init_refuses_a_non_empty_directory_unless_forced(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    assert main(["init", str(tmp_path)]) == 2
    assert not (tmp_path / "content").exists()
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert (tmp_path / "content" / "site.yaml").is_file()
    assert (tmp_path / "notes.txt").read_text() == "mine\n"


def test_init_never_overwrites_with_force(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    site_yaml = tmp_path / "content" / "site.yaml"
    site_yaml.write_text("title: Synthetic Mine\nbase_url: https://mine.example/\n")
    assert main(["init", str(tmp_path), "--force"]) == 0
    assert site_yaml.read_text().startswith("title: Synthetic Mine")


def test_schemas_validate_the_init_content_and_the_demo(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    assert _validate(tmp_path, tmp_path / ".briefgen" / "schemas") == 4
    assert _validate(REPO, SCHEMAS) >= 4


def test_schemas_reject_what_check_rejects(tmp_path: Path) -> None:
    schema = json.loads((SCHEMAS / "briefing.schema.json").read_text())
    good = {"title": "T", "date": dt.date(2024, 1, 2).isoformat(), "annotations": []}
    jsonschema.validate(good, schema)
    for bad in (
        {**good, "tilte": "typo"},
        {**good, "date": "2 Jan 2024"},
        {**good, "annotations": [{"quote": "q", "actor": "a", "topic": "t", "stance": "s"}]},
        {**good, "annotations": [{"kind": "contxt", "quote": "q", "note": "n"}]},
        {**good, "annotations": [{"kind": "context", "quote": "q"}]},
    ):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(bad, schema)


def test_every_content_file_points_its_editor_at_a_schema_that_exists(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    files = [*(tmp_path / "content").glob("*.yaml"), *(tmp_path / "content").rglob("*.md")]
    assert len(files) == 4
    for path in files:
        match = MODELINE.search(path.read_text(encoding="utf-8"))
        assert match, path
        assert (path.parent / match[1]).resolve().is_file(), match[1]


def test_pages_workflow_installs_briefgen_from_the_package_index(tmp_path: Path) -> None:
    assert main(["init", str(tmp_path)]) == 0
    workflow = yaml.safe_load((tmp_path / ".github" / "workflows" / "pages.yml").read_text())
    steps = workflow["jobs"]["build"]["steps"]
    runs = [step.get("run", "") for step in steps]
    assert any(re.fullmatch(r'pip install "briefgen\[search\]"', r) for r in runs), runs
    assert not any("'.[" in r or '".[' in r or "make " in r for r in runs)
    assert any(r.startswith("briefgen check") for r in runs)
    assert any(r.startswith("briefgen build --base-url") for r in runs)
    uploads = [s for s in steps if "upload-pages-artifact" in s.get("uses", "")]
    assert uploads[0]["with"]["path"] == "site/"


def _schema_keys(node: Any) -> set[str]:
    keys: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "properties" and isinstance(value, dict):
                keys |= set(value)
            keys |= _schema_keys(value)
    elif isinstance(node, list):
        for item in node:
            keys |= _schema_keys(item)
    return keys


def test_docs_describe_every_key_of_the_schemas() -> None:
    docs = (REPO / "docs" / "content.md").read_text(encoding="utf-8")
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        for key in sorted(_schema_keys(json.loads(path.read_text(encoding="utf-8")))):
            assert f"`{key}`" in docs, f"docs/content.md does not describe {key} ({path.name})"
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "(docs/content.md)" in readme


def test_readme_publishing_recipes_install_briefgen_from_the_package_index() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    publishing = readme.split("## Publishing", 1)[1].split("\n## ", 1)[0]
    assert "'.[" not in readme and '".[' not in readme  # only works inside a briefgen checkout
    for host in ("**GitHub Pages.**", "**GitLab Pages**", "**Netlify.**"):
        assert host in publishing
    gitlab = yaml.safe_load(publishing.split("```yaml\n", 1)[1].split("```", 1)[0])
    script = gitlab["pages"]["script"]
    assert script[0] == 'pip install "briefgen[search]"'
    assert script[-1].startswith("briefgen build -o public --base-url")
    netlify = publishing.split("```toml\n", 1)[1].split("```", 1)[0]
    assert 'pip install "briefgen[search]" && briefgen check && briefgen build' in netlify


def test_a_missing_settings_file_points_at_init_and_the_docs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "content" / "briefings").mkdir(parents=True)
    assert main(["check", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "content/site.yaml:1:1: error: content/site.yaml is missing" in err
    assert "`briefgen init`" in err and "docs/content.md" in err
    assert "README" not in err
