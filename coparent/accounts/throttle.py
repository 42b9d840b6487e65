"""Failed sign-in throttling that cannot be turned against the victim, and limits on the pages
that send an email to any address typed in (sign-up, password reset, confirmation resend).

Failures are counted per (account, client address): an abusive ex who knows the victim's email
can block only their own address, never the victim's phone. A wider per-address counter slows
an address that sprays many accounts. Both cool off on their own.
"""

from __future__ import annotations

import hashlib
import time
from typing import NamedTuple

from django.conf import settings
from django.core.cache import cache

from coparent.core import ratelimit
from coparent.core.http import throttle_key_for_address


def _key(*parts: str) -> str:
    return "login-fail:" + hashlib.sha256("\x00".join(parts).encode()).hexdigest()


def _keys(email: str, address: str) -> tuple[str, str]:
    client = throttle_key_for_address(address)
    return _key("pair", email.strip().lower(), client), _key("addr", client)


def _count(key: str, now: float) -> int:
    entry = cache.get(key)
    if entry is None or now - entry[1] >= settings.LOGIN_COOL_OFF_SECONDS:
        return 0
    return int(entry[0])


def _remaining(key: str, now: float) -> int:
    entry = cache.get(key)
    return max(1, int(settings.LOGIN_COOL_OFF_SECONDS - (now - entry[1])) + 1) if entry else 1


def blocked_for(email: str, address: str) -> int:
    """0 if this account may be tried from this address now, else the seconds to wait."""
    pair, addr = _keys(email, address)
    now = time.time()
    waits = [
        _remaining(key, now)
        for key, limit in (
            (pair, settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS),
            (addr, settings.LOGIN_FAILURES_PER_ADDRESS),
        )
        if _count(key, now) >= limit
    ]
    return max(waits, default=0)


def record_failure(email: str, address: str) -> None:
    """The window starts at the first failure and is not extended by later ones, so a blocked
    pair always comes free after the cool-off (the entry carries its own start time because
    cache backends differ in whether incr() keeps an expiry)."""
    now = time.time()
    for key in _keys(email, address):
        entry = cache.get(key)
        if entry is None or now - entry[1] >= settings.LOGIN_COOL_OFF_SECONDS:
            entry = (0, now)
        remaining = max(1, int(settings.LOGIN_COOL_OFF_SECONDS - (now - entry[1])) + 1)
        cache.set(key, (entry[0] + 1, entry[1]), timeout=remaining)


def record_success(email: str, address: str) -> None:
    cache.delete(_keys(email, address)[0])


class AccountEmail(NamedTuple):
    wait: int  # > 0: this client must wait that many seconds (answer 429)
    send: bool  # False: the address has had its share; answer as if sent, send nothing


def account_email_check(email: str, address: str) -> AccountEmail:
    """Counts a request from client `address` that would email `email`.

    Limited per client address (one visitor spraying many addresses: 429) and per email address
    (many visitors, or many addresses of one, flooding one person's inbox). Over the per-email
    limit the page answers as usual and no email goes: a 429 there would let anyone who knows
    a victim's address lock the victim out of password reset, and would tell them it is being
    used. The count is the same whether or not the address has an account, so the limit tells
    nobody which do."""
    wait = ratelimit.hit(
        "account-email-client",
        throttle_key_for_address(address),
        limit=settings.ACCOUNT_EMAILS_PER_CLIENT,
        window_seconds=settings.ACCOUNT_EMAIL_WINDOW_SECONDS,
    )
    if wait:
        return AccountEmail(wait=wait, send=False)
    over = ratelimit.hit(
        "account-email-to",
        email.strip().lower(),
        limit=settings.ACCOUNT_EMAILS_PER_ADDRESS,
        window_seconds=settings.ACCOUNT_EMAIL_WINDOW_SECONDS,
    )
    return AccountEmail(wait=0, send=not over)
