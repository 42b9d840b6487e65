"""System checks for settings that no test of the code can catch: a proxy setup that would let
clients choose their throttle key, or lump every client under one."""

from __future__ import annotations

import ipaddress
import os
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, Warning, register

BROADEST_PREFIX = {4: 8, 6: 32}


@register(Tags.security)
def trusted_proxies_parse(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    errors: list[CheckMessage] = []
    for entry in settings.TRUSTED_PROXIES:
        try:
            ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            errors.append(
                Error(
                    f"TRUSTED_PROXIES has {entry!r}, which is not an IP address or CIDR network.",
                    hint="List your reverse proxies' addresses, e.g. TRUSTED_PROXIES=10.0.0.2,"
                    "10.1.0.0/24.",
                    id="coparent.E001",
                )
            )
    return errors


@register(Tags.security, deploy=True)
def trusted_proxies_consistent(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    warnings: list[CheckMessage] = []
    if os.environ.get("TRUSTED_PROXY_COUNT"):
        warnings.append(
            Warning(
                "TRUSTED_PROXY_COUNT is no longer read.",
                hint="Set TRUSTED_PROXIES to the addresses of your reverse proxies instead.",
                id="coparent.W001",
            )
        )
    if getattr(settings, "SECURE_PROXY_SSL_HEADER", None) and not settings.TRUSTED_PROXIES:
        warnings.append(
            Warning(
                "HTTPS is taken from a proxy's X-Forwarded-Proto header, but TRUSTED_PROXIES is "
                "empty: every client will appear to come from the proxy's address, and one "
                "person's failed sign-ins will throttle everybody.",
                hint="Set TRUSTED_PROXIES to the address (or CIDR) the proxy connects from, e.g. "
                "TRUSTED_PROXIES=127.0.0.1.",
                id="coparent.W002",
            )
        )
    for entry in settings.TRUSTED_PROXIES:
        try:
            network = ipaddress.ip_network(entry.strip(), strict=False)
        except ValueError:
            continue  # coparent.E001 reports it
        if network.prefixlen < BROADEST_PREFIX[network.version]:
            warnings.append(
                Warning(
                    f"TRUSTED_PROXIES has {entry!r}, which trusts X-Forwarded-For from a very "
                    "wide range: clients in it can choose their own address for throttling.",
                    hint="List only the addresses your reverse proxies connect from.",
                    id="coparent.W003",
                )
            )
    return warnings
