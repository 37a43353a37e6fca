"""`briefgen resident status [DIR]` and `briefgen resident stop [DIR]`."""

from __future__ import annotations

import argparse
import json

from briefgen.console import Console
from briefgen.resident import client
from briefgen.resident.place import Refused, site_path


def resident(args: argparse.Namespace, console: Console) -> int:
    site = site_path(args.dir)
    try:
        said = client.status(site) if args.action == "status" else client.stop(site)
    except Refused as exc:
        said, why = None, f" ({exc})"
    else:
        why = ""
    if args.action == "status" and args.format == "json":
        print(json.dumps({"running": said is not None, **(said or {})}), file=console.out)
        return 0
    if said is None:
        console.summary(f"no resident build process for {site}{why}")
    elif args.action == "stop":
        console.summary(f"stopped the resident build process for {site} (pid {said['pid']})")
    else:
        console.summary(describe(said))
    return 0


def describe(said: dict[str, object]) -> str:
    memory = said.get("memory")
    mib = f"{memory / (1 << 20):.0f} MB" if isinstance(memory, int) else "unknown"
    return (
        f"resident build process for {said.get('site')}: pid {said.get('pid')}, "
        f"{said.get('builds')} builds, idle {said.get('idle')} s "
        f"(exits after {said.get('idle_limit')} s), memory {mib}"
    )
