from __future__ import annotations

from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    from coparent.childinfo import services

    item = services.item_create(
        family=cast.family_a,
        actor=cast.alice,
        child=cast.kit,
        kind="activity",
        values={"name": "Swimming", "days": "tue", "starts_at": "16:00", "ends_at": "17:00"},
    )
    return {"item_id": str(item.public_id), "info_kind": "allergy"}
