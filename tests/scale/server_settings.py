"""Settings for the app servers and workers the scale-out tests start as real processes: the
real settings, read from the environment like production, with the test suite's cheap password
hasher (the cast's passwords are stored with it)."""

from coparent.settings import *  # noqa: F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
