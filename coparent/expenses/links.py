"""The addresses of the expense pages, for notifications and attention items. The pages live
under /f/<family>/expenses/ (coparent/expenses/urls.py, namespace "expenses"); these names are
the contract between the services and the pages."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from coparent.families.models import Family


def _path(name: str, family: Family, *ids: object, fallback: str) -> str:
    try:
        return reverse(f"expenses:{name}", args=[family.public_id, *ids])
    except NoReverseMatch:  # the pages are not wired in this build: the ledger's address
        return f"/f/{family.public_id}/expenses/{fallback}"


def ledger(family: Family) -> str:
    return _path("ledger", family, fallback="")


def expense(family: Family, public_id: object) -> str:
    return _path("expense_detail", family, public_id, fallback=f"{public_id}/")


def payment(family: Family, public_id: object) -> str:
    return _path("payment_detail", family, public_id, fallback=f"payments/{public_id}/")


def agreement(family: Family, public_id: object) -> str:
    return _path("rules_detail", family, public_id, fallback=f"rules/{public_id}/")
