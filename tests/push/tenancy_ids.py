from __future__ import annotations

from tests.cast import Cast


def ids(cast: Cast) -> dict[str, str]:
    from coparent.push import services
    from tests.push.fake_push_service import browser_keys

    keys = browser_keys()
    subscription = services.subscription_save(
        user=cast.alice,
        endpoint="https://fcm.googleapis.com/fcm/send/tenancy-walk",
        p256dh=keys.p256dh,
        auth=keys.auth,
        user_agent="",
    )
    return {"subscription_id": str(subscription.public_id)}
