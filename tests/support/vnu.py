"""The W3C Nu HTML Checker (npm ``vnu-jar``) over a directory of HTML files."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from tests.support.tools import VNU_JAR, require_executable, require_file

VnuMessage = dict[str, Any]


class VnuError(RuntimeError):
    """The checker itself failed (not: the HTML has errors)."""


def run_vnu(target: Path, *, errors_only: bool = True) -> list[VnuMessage]:
    """Check every HTML file under ``target`` (a directory or one file); return the messages.

    With ``errors_only`` (the default) only errors are reported, so an empty list means valid.
    Each message is vnu's JSON: ``type`` (``error``, ``non-document-error``, ...), ``url``,
    ``lastLine``, ``firstColumn``, ``message``, ``extract``.
    """
    java = require_executable(
        "java",
        "Java runtime for the Nu HTML Checker",
        "install a JRE, e.g. `apt-get install -y default-jre-headless`",
    )
    jar = require_file(VNU_JAR, "the Nu HTML Checker (npm vnu-jar)")
    cmd = [java, "-jar", str(jar), "--skip-non-html", "--no-langdetect", "--format", "json"]
    if errors_only:
        cmd.append("--errors-only")
    cmd.append(str(target))
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    # vnu writes its JSON report to stderr; exit status 1 just means "errors found".
    raw = proc.stderr.strip() or proc.stdout.strip()
    try:
        report = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise VnuError(
            f"vnu exited {proc.returncode} without a JSON report:\n{proc.stdout}\n{proc.stderr}"
        ) from exc
    messages: list[VnuMessage] = report.get("messages", [])
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and not messages):
        raise VnuError(f"vnu exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}")
    return messages


def format_messages(messages: Iterable[VnuMessage], root: Path | None = None) -> str:
    lines = []
    for m in messages:
        url = str(m.get("url", ""))
        if root is not None:
            prefix = root.resolve().as_uri()
            if url.startswith(prefix):
                url = url[len(prefix) :].lstrip("/")
        where = f"{url}:{m.get('lastLine', '?')}:{m.get('firstColumn', m.get('lastColumn', '?'))}"
        extract = str(m.get("extract", "")).replace("\n", " ").strip()
        lines.append(f"{where}: {m.get('type')}: {m.get('message')}\n    {extract}")
    return "\n".join(lines)
