from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.push.fake_push_service import FakePushService, running


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    yield from running()
