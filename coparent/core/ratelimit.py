"""A fixed-window rate limit in the shared cache, for public endpoints (pass checks)."""

from __future__ import annotations

import hashlib
import time

from django.core.cache import cache


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """True if this hit is within `limit` hits per window for (scope, key); counts the hit."""
    bucket = int(time.time() // window_seconds)
    name = "rl:" + hashlib.sha256(f"{scope}\x00{key}\x00{bucket}".encode()).hexdigest()
    if cache.add(name, 1, timeout=window_seconds + 1):
        return True
    try:
        count = cache.incr(name)
    except ValueError:
        cache.set(name, 1, timeout=window_seconds + 1)
        return True
    return count <= limit
