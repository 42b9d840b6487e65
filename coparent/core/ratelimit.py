"""A fixed-window rate limit in the shared cache, for public endpoints (pass checks, sign-up,
password reset), and the one way to refuse: 429 with Retry-After."""

from __future__ import annotations

import hashlib
import math
import time

from django.core.cache import cache
from django.http import HttpResponse


class RateLimited(Exception):
    """Raised in API operations; the API answers 429 in its error shape with Retry-After."""

    def __init__(self, message: str, retry_after: int) -> None:
        super().__init__(message)
        self.message = message
        self.retry_after = retry_after


def hit(scope: str, key: str, *, limit: int, window_seconds: int) -> int:
    """Counts a hit for (scope, key): 0 while within `limit` hits per window, else the seconds
    until the window ends (what Retry-After says)."""
    now = time.time()
    bucket = int(now // window_seconds)
    name = "rl:" + hashlib.sha256(f"{scope}\x00{key}\x00{bucket}".encode()).hexdigest()
    left = math.ceil((bucket + 1) * window_seconds - now)
    if cache.add(name, 1, timeout=left + 1):
        return 0
    try:
        count = cache.incr(name)
    except ValueError:
        cache.set(name, 1, timeout=left + 1)
        return 0
    # The database cache's incr() puts the default five-minute expiry back on the counter, so a
    # caller who paused for five minutes would start from zero: keep it to the window's end.
    cache.touch(name, timeout=left + 1)
    return 0 if count <= limit else max(1, left)


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """True if this hit is within `limit` hits per window for (scope, key); counts the hit."""
    return hit(scope, key, limit=limit, window_seconds=window_seconds) == 0


def refuse(response: HttpResponse, retry_after: int) -> HttpResponse:
    """Turn a page into the answer to a limited request: 429, and when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response
