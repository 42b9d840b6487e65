"""What an export shows of protective-order entries: the order's reference (both parents are
party to it). The words of a message held for the moderator stay hashed: the other parent was
never meant to read them, and the sender and moderator have them."""

from __future__ import annotations

import uuid

from coparent.records.disclosure import Disclosure, register_disclosure
from coparent.records.models import LogEntry
from coparent.safety.models import ProtectiveOrder
from coparent.tlog import decode


@register_disclosure("safety.protection_started")
def _orders(entries: list[LogEntry]) -> dict[int, Disclosure]:
    ids = {}
    for entry in entries:
        try:
            ids[entry.index] = uuid.UUID(str(decode(bytes(entry.leaf)).fields.get("order")))
        except ValueError:
            continue
    orders = {
        o.public_id: o
        for o in ProtectiveOrder.objects.filter(
            family_id=entries[0].family_id, public_id__in=ids.values()
        )
    }
    return {
        index: Disclosure(content=order.reference.encode("utf-8"), salt=bytes(order.reference_salt))
        for index, public_id in ids.items()
        if (order := orders.get(public_id)) is not None
    }
