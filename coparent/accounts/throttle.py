"""Failed sign-in throttling that cannot be turned against the victim, and limits on the pages
that send an email to any address typed in (sign-up, password reset, confirmation resend).

Failures are counted per (account, client address): an abusive ex who knows the victim's email
can block only their own address, never the victim's phone. A wider per-address counter slows
an address that sprays many accounts. Both cool off on their own, a fixed time after the
window's first failure. A try is counted before the password is checked (see attempt()).
"""

from __future__ import annotations

import hashlib
import math
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


def _reserve(base: str, limit: int, now: float) -> tuple[str | None, int]:
    """Takes a free slot of `base`'s `limit` slots: (its key, 0), or (None, seconds to wait).

    Each failure is one cache key added with add(), which every backend does atomically (an
    insert on the primary key in the database cache, SET NX in Redis); incr() is a read then a
    write in the database cache, so parallel tries could all read the same count. Every slot
    holds the time of the window's first failure and expires with it: the window is not
    extended. Slots are judged by this module's clock, not only the cache's expiry, so a slot
    left over from an ended window is taken back (delete, then add)."""
    cool_off = settings.LOGIN_COOL_OFF_SECONDS
    keys = [f"{base}:{n}" for n in range(limit)]
    found = cache.get_many(keys)
    live = {key: float(at) for key, at in found.items() if now - float(at) < cool_off}
    start = min(live.values(), default=now)
    timeout = max(1, math.ceil(start + cool_off - now))
    for key in keys:
        if key in live:
            continue
        if key in found:
            cache.delete(key)
        if cache.add(key, start, timeout=timeout):
            return key, 0
    return None, timeout


class Attempt(NamedTuple):
    wait: int  # > 0: refused, wait that many seconds (answer 429); nothing was counted
    pair: str  # the reserved slots, to give back when the try was not a failure after all
    addr: str
    pair_base: str


def attempt(email: str, address: str) -> Attempt:
    """Counts a try of this account from this address as a failure BEFORE its password or code
    is checked, so parallel guesses get no more tries than sequential ones; tell succeeded() or
    not_a_failure() when it was not one."""
    pair_base, addr_base = _keys(email, address)
    now = time.time()
    pair, wait = _reserve(pair_base, settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS, now)
    if pair is None:
        return Attempt(wait, "", "", pair_base)
    addr, wait = _reserve(addr_base, settings.LOGIN_FAILURES_PER_ADDRESS, now)
    if addr is None:
        cache.delete(pair)
        return Attempt(wait, "", "", pair_base)
    return Attempt(0, pair, addr, pair_base)


def succeeded(attempt: Attempt) -> None:
    """The right password (or code): this account's failures from this address are forgiven,
    and the try does not count against the address."""
    limit = settings.LOGIN_FAILURES_PER_ACCOUNT_AND_ADDRESS
    cache.delete_many([*(f"{attempt.pair_base}:{n}" for n in range(limit)), attempt.addr])


def not_a_failure(attempt: Attempt) -> None:
    """The try proved nothing either way (e.g. right password, email not confirmed yet)."""
    cache.delete_many([attempt.pair, attempt.addr])


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
