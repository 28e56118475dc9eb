"""An article's date, from its `source.meta`: ISO 8601 or RFC 2822, in UTC."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

DATE_KEYS = ("date", "published", "published_at", "datetime", "pubdate")


def parse_date(value: Any) -> datetime | None:
    """ISO 8601 or RFC 2822, in UTC; None when absent or unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    value = value.strip()
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            dt = parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
    # Naive times are taken as UTC so that mixed sources still sort together.
    return dt.replace(tzinfo=timezone.utc) if dt.tzinfo is None else dt.astimezone(timezone.utc)


def meta_date(meta: Mapping[str, Any] | None) -> datetime | None:
    """The first readable date among the usual fields of an article's metadata."""
    for key in DATE_KEYS:
        dt = parse_date((meta or {}).get(key))
        if dt:
            return dt
    return None


def record_date(rec: dict[str, Any]) -> datetime | None:
    """The date of an output record's article; None if it has none."""
    meta = (rec.get("source") or {}).get("meta")
    return meta_date(meta) if isinstance(meta, dict) else None
