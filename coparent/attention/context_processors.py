"""The navigation's count of what waits for the viewer in the family the page is in."""

from __future__ import annotations

from functools import cache
from typing import Any

from django.http import HttpRequest

from coparent.attention import selectors


def attention(request: HttpRequest) -> dict[str, Any]:
    """`nav_attention`: counted only when the template reads it (family pages), and taken from
    the items the page already built when it has them (home), so it costs one query at most."""
    family = getattr(request, "family", None)
    membership = getattr(request, "membership", None)
    if family is None or membership is None:
        return {}

    @cache  # the frame reads it in more than one place; a template calls a callable each time
    def count() -> int:
        built = getattr(request, "attention_items", None)
        if built is not None:
            return selectors.answer_count(built)
        return selectors.badge_count(family, membership)

    return {"nav_attention": count}
