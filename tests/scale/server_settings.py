"""Settings for the app servers and workers the scale-out tests start as real processes: the
real settings, read from the environment like production, with the test suite's cheap password
hasher (the cast's passwords are stored with it) and the test run's keys in the cache."""

import os

from coparent.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# The test run's keys in Redis, which the run empties before each test (tests/rediscache.py).
for _cache in CACHES.values():  # noqa: F405
    if str(_cache["BACKEND"]).endswith("RedisCache"):
        _cache["KEY_PREFIX"] = os.environ["TEST_CACHE_PREFIX"] + str(_cache.get("KEY_PREFIX", ""))
