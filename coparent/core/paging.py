"""Long lists a page at a time (`?page=N`, newest first): one query fetches the page and tells
whether older rows exist, so a list page costs the same in a family's first week and its tenth
year. Counting the rows would read them all; "Newer" and "Older" links need no count."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django.db.models import QuerySet
from django.http import HttpRequest


def page_number(raw: str) -> int:
    """The page asked for, 1 for anything that is not one. ASCII digits only: "²" passes
    isdigit() but not int(), and thirty digits overflow SQLite's OFFSET."""
    if raw.isascii() and raw.isdigit() and len(raw) <= 6 and int(raw) > 0:
        return int(raw)
    return 1


@dataclass(frozen=True)
class Page:
    items: list[Any]
    number: int
    newer_url: str
    older_url: str


def page_of(request: HttpRequest, rows: QuerySet[Any], size: int) -> Page:
    """The requested page of `rows` (already ordered), with links to its neighbours that keep
    the rest of the query string (a list's filters)."""
    number = page_number(request.GET.get("page", "1"))
    start = (number - 1) * size
    found = list(rows[start : start + size + 1])
    kept = {key: value for key, value in request.GET.items() if key != "page" and value}

    def link(to: int) -> str:
        return f"{request.path}?{urlencode({**kept, 'page': to})}"

    return Page(
        items=found[:size],
        number=number,
        newer_url=link(number - 1) if number > 1 else "",
        older_url=link(number + 1) if len(found) > size else "",
    )
