"""The GitHub Pages workflow: official actions, and exactly the project's own commands."""

from __future__ import annotations

import re
from typing import Any

import yaml

from tests.support.paths import REPO

WORKFLOW = REPO / ".github" / "workflows" / "pages.yml"


def workflow() -> dict[Any, Any]:
    data = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


def steps(job: str) -> list[dict[str, Any]]:
    return workflow()["jobs"][job]["steps"]  # type: ignore[no-any-return]


def uses(job: str) -> list[str]:
    return [s["uses"] for s in steps(job) if "uses" in s]


def runs(job: str) -> list[str]:
    return [s["run"].strip() for s in steps(job) if "run" in s]


def readme_commands() -> list[str]:
    """Every `make ...` command the README shows in its code blocks and inline code."""
    text = (REPO / "README.md").read_text(encoding="utf-8")
    found = re.findall(r"^\s*(make [^#\n]*?)\s*(?:#.*)?$", text, re.MULTILINE)
    found += re.findall(r"`(make [^`]+)`", text)
    return [" ".join(c.split()) for c in found]


def test_triggers_permissions_and_concurrency() -> None:
    data = workflow()
    on = data[True]  # YAML 1.1 reads the key `on` as a boolean
    assert on["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in on
    assert data["permissions"] == {"contents": "read", "pages": "write", "id-token": "write"}
    assert data["concurrency"]["group"] == "pages"


def test_build_job_uses_the_official_actions_in_order() -> None:
    assert workflow()["jobs"]["build"]["runs-on"] == "ubuntu-latest"
    assert uses("build") == [
        "actions/checkout@v4",
        "actions/setup-python@v5",
        "actions/setup-node@v4",
        "actions/configure-pages@v5",
        "actions/upload-pages-artifact@v3",
    ]
    by_use = {s["uses"]: s for s in steps("build") if "uses" in s}
    assert str(by_use["actions/setup-python@v5"]["with"]["python-version"]) == "3.11"
    assert str(by_use["actions/setup-node@v4"]["with"]["node-version"]) == "20"
    assert by_use["actions/configure-pages@v5"]["id"] == "pages"
    assert by_use["actions/upload-pages-artifact@v3"]["with"]["path"].rstrip("/") == "site"
    order = [s.get("uses") or s["run"].split()[1] for s in steps("build")]
    assert (
        order.index("test") < order.index("site") < order.index("actions/upload-pages-artifact@v3")
    )


def test_build_job_runs_the_readme_commands_and_nothing_else() -> None:
    commands = runs("build")
    assert commands[0] == "make test"
    assert re.fullmatch(r'make site BASE_URL="\$BASE_URL"', commands[1])
    assert len(commands) == 2
    (site_step,) = [s for s in steps("build") if s.get("run", "").startswith("make site")]
    assert site_step["env"]["BASE_URL"] == "${{ steps.pages.outputs.base_url }}/"
    documented = readme_commands()
    assert "make test" in documented
    assert any(c.startswith("make site BASE_URL=") for c in documented), documented


def test_make_site_builds_with_the_given_base_url() -> None:
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    recipe = re.search(r"^site:.*\n((?:\t.*\n)+)", makefile, re.MULTILINE)
    assert recipe, "the Makefile has no `site` target"
    assert re.search(r"briefgen build \. --base-url \"?\$\(BASE_URL\)\"?", recipe.group(1))
    phony = re.search(r"^\.PHONY:(.*)$", makefile, re.MULTILINE)
    assert phony and "site" in phony.group(1).split()  # site/ is also the output directory


def test_deploy_job_deploys_the_artifact() -> None:
    deploy = workflow()["jobs"]["deploy"]
    assert deploy["needs"] in ("build", ["build"])
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["environment"]["url"] == "${{ steps.deployment.outputs.page_url }}"
    (step,) = deploy["steps"]
    assert step["uses"] == "actions/deploy-pages@v4" and step["id"] == "deployment"
