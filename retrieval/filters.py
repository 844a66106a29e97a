"""Which articles a question may be answered from: by publisher or source, and by date.

"What did Blinken say last week, only Reuters?" is `ArticleFilter(source="reuters", since=...)`.
The filter names articles; `ask(..., doc_ids=...)` then searches inside them (the top k of what
matches, not the top k of everything, filtered afterwards).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date

from .config import LIST, NewsqaError

_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class ArticleFilter:
    source: str | None = None  # publisher, site or file path; any case, part of it is enough
    since: date | None = None  # published on or after
    until: date | None = None  # published on or before

    def __bool__(self) -> bool:
        return any((self.source, self.since, self.until))


def parse_day(text: str | None, what: str) -> date | None:
    """A day the user typed: YYYY-MM-DD, nothing else (a clear message otherwise)."""
    if text is None or not str(text).strip():
        return None
    text = str(text).strip()
    if not _ISO_DAY.fullmatch(text):
        raise NewsqaError(f"{what} must be a day written YYYY-MM-DD, got {text[:40]!r}")
    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise NewsqaError(f"{what} is not a day of the calendar: {text!r}") from err


def make_filter(source=None, since=None, until=None) -> ArticleFilter:
    """The filter from user input (CLI flags, query parameters), checked."""
    if source is not None and not isinstance(source, str):
        raise NewsqaError(f"source must be text, got {type(source).__name__}")
    wanted = ArticleFilter((source or "").strip()[:200] or None, parse_day(since, "since"),
                           parse_day(until, "until"))  # fmt: skip
    if wanted.since and wanted.until and wanted.since > wanted.until:
        raise NewsqaError(f"since ({wanted.since}) is after until ({wanted.until})")
    return wanted


@functools.lru_cache(maxsize=65536)
def published_day(value: str | None) -> date | None:
    """An article's published field as a day, leniently: "2024-10-04", "26-FEB-1987
    15:01:01.79", "06:00 PM, Tuesday, January 28, 2025". None when it holds no date."""
    if not value:
        return None
    from dateutil import parser

    try:
        return parser.parse(value[:64], fuzzy=True, default=None).date()
    except (ValueError, OverflowError, TypeError, AttributeError):
        return None


def matching_articles(index, wanted: ArticleFilter) -> list[str]:
    """The ids of the articles the filter keeps (an article with no date fails a date filter).
    None kept is an error that says what was asked."""
    needle = wanted.source.lower() if wanted.source else None
    kept = []
    for doc in index.documents.values():
        if needle is not None:
            where = " ".join(filter(None, (doc.meta.get("publisher"), doc.meta.get("url"),
                                           doc.source))).lower()  # fmt: skip
            if needle not in where:
                continue
        if wanted.since or wanted.until:
            day = published_day(doc.meta.get("published"))
            if day is None or (wanted.since and day < wanted.since):
                continue
            if wanted.until and day > wanted.until:
                continue
        kept.append(doc.doc_id)
    if not kept:
        asked = ", ".join(f"{k} {v}" for k, v in (("source", wanted.source), ("since",
                          wanted.since), ("until", wanted.until)) if v)  # fmt: skip
        raise NewsqaError(f"no indexed article matches {asked}", remedy=LIST)
    return kept
