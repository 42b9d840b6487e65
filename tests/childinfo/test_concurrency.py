"""Both parents changing one item at the same moment on PostgreSQL: every change is its own
version, numbered without a gap or a repeat, each on the record."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from coparent.childinfo import services
from coparent.childinfo.models import InfoVersion
from coparent.records.models import LogEntry
from tests.cast import build_cast


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_two_parents_editing_one_item_at_once_get_a_version_each() -> None:
    cast = build_cast()
    item = services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="medication",
        values={"name": "Ventolin", "dose": "1 puff", "timing": "morning"},
    )
    errors: list[str] = []
    start = threading.Barrier(2)

    def edit(user, n: int) -> None:
        try:
            start.wait(timeout=10)
            for round_ in range(4):
                services.item_update(
                    family=cast.family_a,
                    actor=user,
                    item=item,
                    values={"name": "Ventolin", "dose": f"{n}-{round_} puffs", "timing": "morning"},
                )
        except Exception as error:
            errors.append(repr(error))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(u, n)) for n, u in enumerate((cast.alice, cast.bob))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    numbers = sorted(InfoVersion.objects.filter(item=item).values_list("number", flat=True))
    assert numbers == list(range(1, 10))
    assert LogEntry.objects.filter(family=cast.family_a, kind="childinfo.changed").count() == 8
