"""Unexpected failures as one line an author can act on, never a traceback.

A content or configuration mistake is reported by the stage that finds it (diagnostics.py).
What is left reaches the command line as an exception: a theme template that raises while a page
renders, the operating system refusing a write, input nested beyond what a parser can recurse
into. `explain()` turns each into a message with a place when there is one; a traceback is
printed only when BRIEFGEN_DEBUG is set, for bug reports.
"""

from __future__ import annotations

import errno
import os
import re
import traceback
from dataclasses import dataclass
from pathlib import Path

from briefgen.diagnostics import Diagnostic

EXIT_CONTENT, EXIT_USAGE = 1, 2
_REMOTE_FRAME = re.compile(r'File "([^"]+\.html)", line (\d+)')


@dataclass(frozen=True)
class Failure:
    """What to print (a diagnostic with a place, or one line) and the exit status."""

    exit_code: int
    diagnostic: Diagnostic | None = None
    line: str = ""


def debug() -> bool:
    return os.environ.get("BRIEFGEN_DEBUG", "") not in ("", "0")


def explain(exc: BaseException, site_dir: Path | None) -> Failure:
    if isinstance(exc, OSError):
        return Failure(EXIT_USAGE, line=os_error(exc))
    place = template_place(exc, site_dir)
    if place is not None:
        path, line = place
        message = f"the template failed while rendering: {type(exc).__name__}: {exc}"
        hint = "fix the template and save; BRIEFGEN_DEBUG=1 shows the full traceback"
        return Failure(EXIT_CONTENT, Diagnostic(path, line, 1, "error", message, hint, "build"))
    if isinstance(exc, RecursionError):
        return Failure(
            EXIT_CONTENT,
            line="the content is nested too deeply to process (Python's recursion limit); "
            "look for very deep block quotes, lists or brackets",
        )
    if isinstance(exc, MemoryError):
        return Failure(EXIT_USAGE, line="out of memory; is a content file unusually large?")
    return Failure(
        EXIT_USAGE,
        line=f"internal error: {type(exc).__name__}: {exc} "
        "(a bug in briefgen: please report it with BRIEFGEN_DEBUG=1's traceback)",
    )


_STAGING = re.compile(r"/\.([^/]+)\.(?:new|old)-[^/]+(?=/|$)")


def os_error(exc: OSError) -> str:
    """`cannot write site/index.html: No space left on device`, in the OS's words."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    if exc.errno == errno.ENOSPC:
        reason += " (free some space, or write the site elsewhere with -o)"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        reason += " (check its permissions)"
    # A file being staged is shown where it was going: site/x, not site/.site.new-abc/x.
    names = [_STAGING.sub(r"/\1", str(n)) for n in (exc.filename, exc.filename2) if n is not None]
    where = " -> ".join(names)
    return f"{where}: {reason}" if where else reason


def template_place(exc: BaseException, site_dir: Path | None) -> tuple[str, int] | None:
    """The deepest theme template line in the exception's traceback, in this process or, for
    a page rendered by a worker, in the worker's (multiprocessing keeps it as text)."""
    filename, lineno = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    found: tuple[str, int] | None = None
    if isinstance(filename, str) and filename.endswith(".html") and isinstance(lineno, int):
        found = (filename, lineno)
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.endswith(".html") and frame.lineno:
            found = (frame.filename, frame.lineno)
    remote = getattr(exc.__cause__, "tb", None)
    if found is None and isinstance(remote, str):
        frames = _REMOTE_FRAME.findall(remote)
        if frames:
            found = (frames[-1][0], int(frames[-1][1]))
    if found is None:
        return None
    return _relative(found[0], site_dir), found[1]


def _relative(path: str, site_dir: Path | None) -> str:
    from briefgen.theme.files import BUILTIN_THEMES

    roots = [BUILTIN_THEMES.parent] if site_dir is None else [site_dir, BUILTIN_THEMES.parent]
    for root in roots:
        try:
            return Path(path).resolve().relative_to(root.resolve()).as_posix()
        except ValueError:
            continue
    return path
