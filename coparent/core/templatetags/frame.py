"""Filters for the site's frame (`base.html`)."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter(is_safe=True)
def page_title(title: str) -> str:
    """The browser tab's title: "Calendar · coparent", or "coparent" alone. A template cannot
    ask whether a block is empty, so the frame passes the page's title block through this."""
    title = str(title).strip()
    return f"{title} · coparent" if title else "coparent"
