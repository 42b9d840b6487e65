"""The Redis cache as tests use it: every test run, and every xdist worker of a run, shares the
machine's Redis database, so each keeps its keys under a prefix of its own (test_settings) and
emptying its cache deletes those keys only. Django's `clear()` empties the whole database, which
would wipe another run's throttle counters in the middle of its test."""

from __future__ import annotations

import re
from itertools import batched

from django.core.cache.backends.redis import RedisCache


class RunRedisCache(RedisCache):
    def clear(self) -> None:
        client = self._cache.get_client(None, write=True)
        pattern = re.sub(r"([*?\[\]\\])", r"\\\1", self.key_prefix) + ":*"
        for keys in batched(client.scan_iter(match=pattern, count=1000), 500):
            client.delete(*keys)
