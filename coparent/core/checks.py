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


@register()
def read_replicas_configured(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """DATABASE_REPLICA_URLS is read only through coparent.core.replicas: say plainly when the
    setup around it would make reads go wrong."""
    from coparent.core import replicas

    aliases = settings.DATABASE_REPLICAS
    errors: list[CheckMessage] = []
    if settings.DATABASE_REPLICA_STICKY_SECONDS < 1:
        errors.append(
            Error(
                "DATABASE_REPLICA_STICKY_SECONDS must be at least 1: a person who has just "
                "written would read a replica that may not have their write yet.",
                hint="Set it above your replicas' usual lag, e.g. 5.",
                id="coparent.E030",
            )
        )
    if not aliases:
        return errors
    primary = settings.DATABASES["default"]
    if "postgresql" not in primary["ENGINE"]:
        errors.append(
            Error(
                "DATABASE_REPLICA_URLS is set but the primary database is not PostgreSQL.",
                hint="Read replicas need DATABASE_URL=postgres://...; unset "
                "DATABASE_REPLICA_URLS on SQLite.",
                id="coparent.E031",
            )
        )
    for alias in aliases:
        replica = settings.DATABASES[alias]
        if "postgresql" not in replica["ENGINE"]:
            errors.append(
                Error(
                    f"DATABASE_REPLICA_URLS has a URL that is not PostgreSQL ({alias}).",
                    hint="Each replica is a PostgreSQL streaming replica: postgres://...",
                    id="coparent.E032",
                )
            )
        where = ("HOST", "PORT", "NAME")
        if [replica.get(k) for k in where] == [primary.get(k) for k in where]:
            errors.append(
                Warning(
                    f"DATABASE_REPLICA_URLS lists the primary database itself ({alias}).",
                    hint="List the replicas' addresses, or unset DATABASE_REPLICA_URLS.",
                    id="coparent.W030",
                )
            )
    if "coparent.core.replicas.ReplicaRouter" not in settings.DATABASE_ROUTERS:
        errors.append(
            Error(
                "DATABASE_REPLICA_URLS is set but DATABASE_ROUTERS lacks "
                "coparent.core.replicas.ReplicaRouter: nothing would read from the replicas, and "
                "Django could write to them.",
                hint="Keep DATABASE_ROUTERS = ['coparent.core.replicas.ReplicaRouter'].",
                id="coparent.E033",
            )
        )
    if f"{replicas.__name__}.ReplicaReadMiddleware" not in settings.MIDDLEWARE:
        errors.append(
            Error(
                "DATABASE_REPLICA_URLS is set but MIDDLEWARE lacks "
                "coparent.core.replicas.ReplicaReadMiddleware: no read would go to a replica.",
                hint="Keep it right after coparent.core.overload.OverloadMiddleware.",
                id="coparent.E034",
            )
        )
    return errors
