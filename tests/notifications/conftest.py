from __future__ import annotations

import pytest

from tests.cast import Cast, build_cast


@pytest.fixture
def cast(db: None) -> Cast:
    """The cast, minus what building it told everyone (who joined), so each test sees only the
    notifications it causes."""
    from coparent.notifications.models import Notification

    built = build_cast()
    Notification.objects.all().delete()
    return built
