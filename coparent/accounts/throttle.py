"""Failed sign-in throttling that cannot be turned against the victim.

Failures are counted per (account, client address): an abusive ex who knows the victim's email
can block only their own address, never the victim's phone. A wider per-address counter slows
an address that sprays many accounts. Both cool off on their own.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.cache import cache


def _key(*parts: str) -> str:
    return "login-fail:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _keys(email: str, address: str) -> tuple[str, str]:
    return _key("pair", email.strip().lower(), address), _key("addr", address)


def is_blocked(email: str, address: str) -> bool:
    pair, addr = _keys(email, address)
    return (cache.get(pair, 0) >= settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS) or (
        cache.get(addr, 0) >= settings.LOGIN_FAILURES_PER_ADDRESS
    )


def record_failure(email: str, address: str) -> None:
    for key in _keys(email, address):
        # add() starts the cool-off window at the first failure; incr() keeps its expiry.
        if not cache.add(key, 1, timeout=settings.LOGIN_COOL_OFF_SECONDS):
            try:
                cache.incr(key)
            except ValueError:
                cache.set(key, 1, timeout=settings.LOGIN_COOL_OFF_SECONDS)


def record_success(email: str, address: str) -> None:
    cache.delete(_keys(email, address)[0])
