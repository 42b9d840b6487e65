"""Request types for views, so type checking knows what middleware and tenancy have set; the
client's address; and absolute URLs, which come from SITE_URL and never from the request."""

from __future__ import annotations

import ipaddress
from functools import cache
from typing import TYPE_CHECKING

from django.conf import settings
from django.http import HttpRequest

if TYPE_CHECKING:
    from coparent.accounts.models import User
    from coparent.families.models import Family, Membership

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


class AuthenticatedRequest(HttpRequest):
    user: User


class FamilyRequest(AuthenticatedRequest):
    """A request that `tenancy.family_view` has let through: the caller belongs to `family`."""

    family: Family
    membership: Membership


def absolute_url(path: str) -> str:
    """An absolute link for emails, feeds, QR codes and API answers. The Host header is chosen
    by whoever sends the request, so a reset link built from it could point at their server."""
    return f"{settings.SITE_URL}{path}"


@cache
def _networks(entries: tuple[str, ...]) -> tuple[Network, ...]:
    return tuple(ipaddress.ip_network(entry.strip(), strict=False) for entry in entries)


def trusted_proxy_networks() -> tuple[Network, ...]:
    """TRUSTED_PROXIES parsed; the `proxies` system check reports entries that do not parse."""
    return _networks(tuple(entry for entry in settings.TRUSTED_PROXIES if entry.strip()))


def _parse(address: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        parsed = ipaddress.ip_address(address.strip())
    except ValueError:
        return None
    # A dual-stack server sees an IPv4 proxy as ::ffff:10.0.0.2; it is still 10.0.0.2.
    if isinstance(parsed, ipaddress.IPv6Address) and parsed.ipv4_mapped is not None:
        return parsed.ipv4_mapped
    return parsed


def _is_trusted(address: str, networks: tuple[Network, ...]) -> bool:
    parsed = _parse(address)
    return parsed is not None and any(parsed in network for network in networks)


def from_trusted_proxy(request: HttpRequest) -> bool:
    """Whether the connection comes from one of our proxies (TRUSTED_PROXIES), whose headers
    (X-Forwarded-For, X-Request-ID) may be believed."""
    return _is_trusted(str(request.META.get("REMOTE_ADDR", "")), trusted_proxy_networks())


def throttle_key_for_address(address: str) -> str:
    """The key a client address is counted under in every throttle and rate limit.

    One IPv6 subscriber is given a whole /64 and picks any address in it, so counting single
    IPv6 addresses would let a client choose its own key 2^64 times over: IPv6 counts by /64.
    IPv4 (and IPv4-mapped IPv6) counts by the address."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def client_address(request: HttpRequest) -> str:
    """The client's address, for the sessions list and (through throttle_key_for_address)
    throttling.

    X-Forwarded-For is anyone's to write, so it counts only when the connection comes from a
    listed proxy (TRUSTED_PROXIES); then the client is the rightmost address in it that is not
    one of our proxies. A client connecting directly cannot choose its throttle key, and behind
    a proxy each client keeps its own."""
    remote = str(request.META.get("REMOTE_ADDR", "")) or "0.0.0.0"  # noqa: S104
    try:
        networks = trusted_proxy_networks()
    except ValueError:
        networks = ()
    if not networks or not _is_trusted(remote, networks):
        return remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR", ""))
    hops = [hop.strip() for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        if _parse(hop) is None:
            return remote  # a garbled header: the last trusted proxy is all we know
        if not _is_trusted(hop, networks):
            return hop
    return hops[0] if hops else remote
