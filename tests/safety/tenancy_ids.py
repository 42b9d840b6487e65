"""Real family-A ids for the protective-order routes. The order is ended again at once, so the
other apps' ids (built after, and by tests that send as either parent) meet an ordinary family."""

from __future__ import annotations

from coparent.safety import services
from tests.cast import Cast
from tests.messaging.helpers import open_thread
from tests.safety.helpers import protect_alice

AFTER = ("messaging",)


def ids(cast: Cast) -> dict[str, str]:
    order = protect_alice(cast)
    thread = open_thread(cast, subject="Under the order")
    held = services.message_hold(
        family=cast.family_a, actor=cast.bob, thread=thread, body="Can we talk about Sunday?"
    )
    services.protection_end(family=cast.family_a, actor=cast.alice, order=order)
    return {
        "order_id": str(order.public_id),
        "held_id": str(held.public_id),
        "topic": "late",
        "thread_id": str(thread.public_id),
    }
