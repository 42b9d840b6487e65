"""Tenancy, tested by walking every route: an outsider sees 404 everywhere in a family, a
read-only professional gets 403 on every write, and every model is family-scoped or allow-listed."""

from __future__ import annotations

import json
import re
import uuid

import pytest
from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from coparent.api.base import api
from coparent.core.tenancy import NOT_FAMILY_SCOPED
from coparent.families import services
from coparent.families.models import Invitation, Membership, Role
from tests.cast import Cast

# Routes that belong to no family: public pages, one's own account, and links carrying a secret.
PERSONAL_ROUTES = {
    "home",
    "healthz",
    "accounts:signup",
    "accounts:check_email",
    "accounts:confirm_email",
    "accounts:resend_confirmation",
    "accounts:login",
    "accounts:login_code",
    "accounts:logout",
    "accounts:password_reset",
    "accounts:password_reset_done",
    "accounts:password_reset_confirm",
    "accounts:profile",
    "accounts:password_change",
    "accounts:email_change",
    "accounts:confirm_email_change",
    "accounts:two_factor",
    "accounts:sessions",
    "accounts:tokens",
    "accounts:reauth",
    "families:list",
    "families:invitation",
}
PERSONAL_API = {
    "/api/v1/me",
    "/api/v1/sessions",
    "/api/v1/sessions/{session_id}",
    "/api/v1/tokens",
    "/api/v1/tokens/{token_id}",
    "/api/v1/families",
    "/api/v1/invitations/accept",
}


def named_routes() -> list[tuple[str, str]]:
    """(name, regex) for every named URL pattern outside the API."""
    found = []

    def walk(patterns, prefix, namespace):
        for p in patterns:
            if isinstance(p, URLResolver):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                if str(p.pattern).startswith("api/"):
                    continue
                walk(p.url_patterns, prefix + str(p.pattern), ns)
            elif isinstance(p, URLPattern) and p.name:
                found.append((f"{namespace}{p.name}", prefix + str(p.pattern)))

    walk(get_resolver().url_patterns, "", "")
    return found


def fill(route: str, ids: dict[str, str]) -> str:
    def sub(match: re.Match[str]) -> str:
        return ids[match.group(1)]

    path = re.sub(r"<(?:\w+:)?(\w+)>", sub, route)
    return "/" + re.sub(r"\{(\w+)\}", sub, path).lstrip("/")


def family_a_ids(cast: Cast) -> dict[str, str]:
    invitation, _token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role=Role.CAREGIVER
    )
    gran_membership = Membership.objects.get(family=cast.family_a, user=cast.gran)
    return {
        "family_id": str(cast.family_a.public_id),
        "child_id": str(cast.kit.public_id),
        "invitation_id": str(invitation.public_id),
        "membership_id": str(gran_membership.public_id),
        "member_id": str(gran_membership.public_id),
    }


def test_every_family_page_is_404_for_an_outsider(cast: Cast, client_for) -> None:
    charlie: Client = client_for(cast.charlie)
    ids = family_a_ids(cast)
    family_routes = [(n, r) for n, r in named_routes() if n not in PERSONAL_ROUTES]
    assert family_routes, "no family routes found: the walk itself is broken"
    unlisted = [n for n, r in family_routes if "family_id" not in r]
    assert not unlisted, f"routes neither family-scoped nor listed as personal: {unlisted}"
    for name, route in family_routes:
        path = fill(route, ids)
        for method in ("get", "post"):
            response = getattr(charlie, method)(path)
            # 405 answers before tenancy is checked and says nothing about the family.
            assert response.status_code in (404, 405), (
                f"{method.upper()} {name} {path} gave {response.status_code}"
            )
            if method == "post":
                assert response.status_code == 404, (
                    f"POST {name} {path} gave {response.status_code}"
                )
    assert Invitation.objects.filter(revoked_at__isnull=False).count() == 0
    assert Membership.objects.filter(family=cast.family_a, revoked_at__isnull=False).count() == 0


def api_operations() -> list[tuple[str, str, str]]:
    """(method, path, a valid JSON body) for every operation: tenancy, not validation, answers."""
    schema = api.get_openapi_schema()
    return [
        (method.upper(), path, json.dumps(sample_body(schema, operation)))
        for path, item in schema["paths"].items()
        for method, operation in item.items()
    ]


def sample_body(schema: dict, operation: dict) -> dict:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if not content:
        return {}
    ref = content["schema"].get("$ref", "")
    component = (
        schema["components"]["schemas"][ref.rsplit("/", 1)[-1]] if ref else content["schema"]
    )
    samples = {"date": "2020-01-01", "date-time": "2020-01-01T00:00:00Z", "uuid": str(uuid.uuid4())}
    body = {}
    for name in component.get("required", []):
        prop = component["properties"][name]
        kind = prop.get("type") or next(
            (p.get("type") for p in prop.get("anyOf", []) if p.get("type")), "string"
        )
        body[name] = samples.get(
            prop.get("format", ""), 1 if kind == "integer" else "parent" if name == "role" else "x"
        )
    return body


def test_every_family_api_operation_is_404_for_an_outsider(cast: Cast, client_for) -> None:
    charlie: Client = client_for(cast.charlie)
    ids = family_a_ids(cast)
    operations = [(m, p, b) for m, p, b in api_operations() if p not in PERSONAL_API]
    assert len(operations) >= 10
    for method, path, body in operations:
        assert "{family_id}" in path, f"{path} is neither family-scoped nor personal"
        url = fill(path, ids)
        response = charlie.generic(method, url, data=body, content_type="application/json")
        assert response.status_code == 404, f"{method} {path}: {response.status_code}"
        assert response.json()["error"]["code"] == "not_found"


def test_a_professional_can_read_but_every_write_is_403(cast: Cast, client_for) -> None:
    mediator: Client = client_for(cast.mediator)
    ids = family_a_ids(cast)
    assert mediator.get(fill("/f/<family_id>/", ids)).status_code == 200
    assert mediator.get(f"/api/v1/families/{ids['family_id']}/children").status_code == 200
    for name, route in named_routes():
        if name in PERSONAL_ROUTES:
            continue
        response = mediator.post(fill(route, ids))
        assert response.status_code in (403, 404), f"POST {name} gave {response.status_code}"
    for method, path, body in api_operations():
        if path in PERSONAL_API or method == "GET":
            continue
        response = mediator.generic(
            method, fill(path, ids), data=body, content_type="application/json"
        )
        assert response.status_code in (403, 404), f"{method} {path}: {response.status_code}"
    assert Membership.objects.filter(family=cast.family_a, revoked_at__isnull=False).count() == 0


def test_a_caregiver_cannot_reach_parent_only_pages(cast: Cast, client_for) -> None:
    gran = client_for(cast.gran)
    ids = family_a_ids(cast)
    assert gran.get(fill("/f/<family_id>/", ids)).status_code == 200
    for route in (
        "/f/<family_id>/access-log/",
        "/f/<family_id>/settings/",
        "/f/<family_id>/people/invite/",
    ):
        assert gran.get(fill(route, ids)).status_code == 404


def test_every_model_is_family_scoped_or_allow_listed() -> None:
    unscoped = []
    for model in apps.get_models():
        if not model.__module__.startswith("coparent."):
            continue
        label = f"{model._meta.app_label}.{model.__name__}"
        has_family = any(f.name == "family" for f in model._meta.get_fields())
        if not has_family and label not in NOT_FAMILY_SCOPED:
            unscoped.append(label)
    assert not unscoped, f"models with no family key and not allow-listed: {unscoped}"


@pytest.mark.parametrize("bad_id", ["1", "not-a-uuid", "00000000-0000-0000-0000-000000000000"])
def test_malformed_or_unknown_family_ids_are_404(cast: Cast, client_for, bad_id: str) -> None:
    assert client_for(cast.alice).get(f"/f/{bad_id}/").status_code == 404
    assert client_for(cast.alice).get(f"/api/v1/families/{bad_id}").status_code == 404
