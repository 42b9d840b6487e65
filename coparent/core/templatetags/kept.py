"""Filters for content that may be kept (core/fragments.py) and reads differently as the clock
moves: each writes its text and names the moment that text changes, in one place."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.timesince import timeuntil

from coparent.core import fragments

register = template.Library()


@register.filter
def countdown(deadline: dt.datetime | None) -> str:
    """What is left until `deadline`, as Django's `timeuntil` writes it ("3 hours, 20 minutes");
    kept content holding it is drawn again at its next step."""
    if deadline is None:
        return ""
    now = timezone.now()
    if deadline > now:
        fragments.changes_at(fragments.countdown_step(deadline, now))
    return timeuntil(deadline, now)
