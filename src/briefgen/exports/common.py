"""What the exports share: dates as RFC 3339, the build time, JSON bytes, safe links.

Nothing here reads the clock: dates are the briefings' dates (midnight UTC where a date-time is
required); the build time is the one `SOURCE_DATE_EPOCH` names, when set.
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Iterable
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from briefgen.diagnostics import UsageError


def build_time() -> dt.datetime | None:
    """The time `SOURCE_DATE_EPOCH` names (UTC), or None when it is unset or empty."""
    raw = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not raw:
        return None
    try:
        seconds = int(raw)
        if seconds < 0:
            raise ValueError(raw)
        return dt.datetime.fromtimestamp(seconds, dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH must be a non-negative whole number of seconds, not {raw!r}"
        ) from None


@lru_cache(maxsize=4096, typed=True)  # few dates per site; strftime is slow
def rfc3339(value: dt.date | dt.datetime) -> str:
    """RFC 3339 in UTC; a date is taken as midnight UTC."""
    if not isinstance(value, dt.datetime):
        value = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def newest(dates: Iterable[dt.date]) -> dt.date | None:
    return max(dates, default=None)


def json_bytes(data: Any) -> bytes:
    """One line of UTF-8 JSON (no indent: the C encoder, ten times faster on big sites)."""
    return (json_text(data) + "\n").encode("utf-8")


def json_text(data: Any) -> str:
    """json_bytes() as text, without its newline."""
    return json.dumps(data, ensure_ascii=False)


def safe_link(url: str | None) -> str | None:
    """An external link worth publishing: http(s) only."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None
