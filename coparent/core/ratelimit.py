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
    until the window ends (what Retry-After says).

    A window has `limit` slots, each a cache key taken with add(), which every backend does
    atomically (an insert on the database cache's primary key, SET NX on Redis); a count kept
    with incr() would not be, since the database cache's incr() is a read then a write, and
    parallel requests would all read the same count."""
    now = time.time()
    bucket = int(now // window_seconds)
    name = "rl:" + hashlib.sha256(f"{scope}\x00{key}\x00{bucket}".encode()).hexdigest()
    left = math.ceil((bucket + 1) * window_seconds - now)
    slots = [f"{name}:{n}" for n in range(limit)]
    taken = cache.get_many(slots)
    for slot in slots:
        if slot not in taken and cache.add(slot, 1, timeout=left + 1):
            return 0
    return max(1, left)


def allow(scope: str, key: str, *, limit: int, window_seconds: int) -> bool:
    """True if this hit is within `limit` hits per window for (scope, key); counts the hit."""
    return hit(scope, key, limit=limit, window_seconds=window_seconds) == 0


def refuse(response: HttpResponse, retry_after: int) -> HttpResponse:
    """Turn a page into the answer to a limited request: 429, and when to come back."""
    response.status_code = 429
    response["Retry-After"] = str(max(1, int(retry_after)))
    return response
