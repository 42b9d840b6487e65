"""Which families the demo made, so `coparent demo` finds them again after a rename."""

from __future__ import annotations

from django.db import models

from coparent.core.models import FamilyOwned


class DemoFamily(FamilyOwned):
    """Marks a family `coparent demo` created, by a fixed key rather than by its name, which
    the people trying the demo are free to change."""

    key = models.CharField(max_length=16, unique=True)
