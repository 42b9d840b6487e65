"""Test settings: the real ones with a cheap password hasher and captured email."""

import os

from coparent.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
# TASKS stays the real database backend: tests run the queue as a worker does (tests/tasks.py),
# so what is enqueued, claimed and retried is what production does.
SITE_URL = "http://testserver"
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}  # noqa: F405
LOGGING["loggers"]["coparent.security"]["level"] = "CRITICAL"  # type: ignore[index]  # noqa: F405

# One test database per run, so two runs on one machine (two checkouts, CI beside a developer)
# never drop each other's database.
_run = os.getpid()
if DATABASES["default"]["ENGINE"] == "coparent.core.sqlite":  # noqa: F405
    # A file, not the shared in-memory database: concurrency tests need SQLite's real locking
    # (WAL, busy timeout, BEGIN IMMEDIATE), which shared-cache memory databases do not have.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / f"test-{_run}.sqlite3")}  # noqa: F405
else:
    DATABASES["default"]["TEST"] = {"NAME": f"coparent_test_{_run}"}  # noqa: F405

# A replica (DATABASE_REPLICA_URLS) is the primary's copy in tests: no database of its own.
for _alias in DATABASE_REPLICAS:  # noqa: F405
    DATABASES[_alias]["TEST"] = {"MIRROR": "default"}  # noqa: F405

# Redis is one database for every run on the machine (and each xdist worker is a run): each
# run's keys under its own prefix, and emptying a cache empties only those (tests/rediscache.py).
# The servers the scale-out tests start share them (tests/scale/server_settings.py).
TEST_CACHE_PREFIX = f"test-{_run}-"
for _cache in CACHES.values():  # noqa: F405
    if str(_cache["BACKEND"]).endswith("RedisCache"):
        _cache["BACKEND"] = "tests.rediscache.RunRedisCache"
        _cache["KEY_PREFIX"] = TEST_CACHE_PREFIX + str(_cache.get("KEY_PREFIX", ""))
if str(CACHES["pages"]["BACKEND"]).endswith("FileBasedCache"):  # noqa: F405
    CACHES["pages"]["LOCATION"] = str(VAR_DIR / f"test-pages-{_run}")  # noqa: F405
RECORD_SIGNING_KEY_FILE = str(VAR_DIR / f"test-record-{_run}.key")  # noqa: F405
PASS_SIGNING_KEY_FILE = str(VAR_DIR / f"test-pass-{_run}.pem")  # noqa: F405
RECORD_CHECKPOINT_DIR = str(VAR_DIR / f"test-checkpoints-{_run}")  # noqa: F405
DATA_EXPORT_DIR = VAR_DIR / f"test-data-exports-{_run}"  # noqa: F405
PUSH_VAPID_KEY_FILE = str(VAR_DIR / f"test-push-{_run}.pem")  # noqa: F405
PUSH_ALLOW_HTTP_LOOPBACK = True
PUSH_TIMEOUT_SECONDS = 5.0
