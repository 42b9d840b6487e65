from __future__ import annotations

from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    from coparent.notifications.models import Kind
    from coparent.notifications.services import Detail, notify

    (notification,) = notify(
        cast.family_a,
        [cast.alice],
        Kind.MEMBER_JOINED,
        link=f"/f/{cast.family_a.public_id}/people/",
        detail=Detail("Gran Caregiver accepted the invitation"),
        actor=cast.gran,
    )
    return {"notification_id": str(notification.public_id)}
