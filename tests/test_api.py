"""The JSON API: session and token authentication, one error shape, and the family endpoints."""

from __future__ import annotations

import json
import re

import pytest
from django.test import Client

from coparent.accounts.models import ApiToken
from coparent.families import services
from coparent.families.models import Membership, Role
from tests.cast import PASSWORD, Cast, make_user

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> Client:
    """A script: no cookies, the token in every request, and CSRF enforced as over real HTTP."""
    return Client(enforce_csrf_checks=True, HTTP_AUTHORIZATION=f"Bearer {secret}")


def browser(user) -> Client:
    """A signed-in browser that sends the CSRF token the way the pages do: htmx copies the token
    from the page's `hx-headers` into an X-CSRFToken header, beside the csrftoken cookie."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    page = client.get("/account/").content.decode()
    found = re.search(r'"X-CSRFToken": "([^"]+)"', page)
    assert found, "the page carries no CSRF token"
    client.defaults["HTTP_X_CSRFTOKEN"] = found.group(1)
    return client


@pytest.fixture
def browser_for(db: None):
    return browser


def post(client: Client, path: str, body: dict, method: str = "post"):
    return getattr(client, method)(path, data=json.dumps(body), content_type="application/json")


def new_token(client: Client, scope: str) -> str:
    client.post("/account/confirm-password/", {"password": PASSWORD})
    response = post(client, "/api/v1/tokens", {"name": "script", "scope": scope})
    assert response.status_code == 201
    return response.json()["secret"]


def test_openapi_schema_lists_the_operations(client: Client) -> None:
    schema = client.get("/api/v1/openapi.json").json()
    assert schema["openapi"].startswith("3.")
    for path in (
        "/api/v1/families",
        "/api/v1/families/{family_id}/invitations",
        "/api/v1/invitations/accept",
        "/api/v1/families/{family_id}/members",
        "/api/v1/me",
        "/api/v1/tokens",
    ):
        assert path in schema["paths"], path


def test_tokens_are_shown_once_stored_hashed_and_scoped(cast: Cast, browser_for) -> None:
    session = browser_for(cast.alice)
    secret = new_token(session, ApiToken.READ)
    stored = ApiToken.objects.get(user=cast.alice)
    assert secret not in {stored.secret_hash, stored.prefix} and len(stored.secret_hash) == 64
    assert "secret" not in session.get("/api/v1/tokens").json()[0]

    reader = bearer(secret)
    assert reader.get("/api/v1/me").json()["email"] == "alice@example.test"
    refused = post(reader, "/api/v1/families", {"name": "Nope"})
    assert (
        refused.status_code == 403
        and refused.json()["error"]["message"] == "This API token is read-only."
    )

    writer = bearer(new_token(session, ApiToken.READ_WRITE))
    assert post(writer, "/api/v1/families", {"name": "Scripted"}).status_code == 201

    assert session.delete(f"/api/v1/tokens/{stored.public_id}").status_code == 204
    assert reader.get("/api/v1/me").status_code == 401


def test_a_token_cannot_mint_more_tokens(cast: Cast, browser_for) -> None:
    writer = bearer(new_token(browser_for(cast.alice), ApiToken.READ_WRITE))
    assert post(writer, "/api/v1/tokens", {"name": "x", "scope": "read"}).status_code == 401


def test_errors_share_one_shape(cast: Cast, browser_for) -> None:
    client = browser_for(cast.alice)
    _invitation, used_token = services.invitation_create(
        family=cast.family_a, actor=cast.alice, role="caregiver"
    )
    services.invitation_accept(token=used_token, user=make_user("used@example.test", "Used"))
    cases = {
        401: Client().get("/api/v1/me"),
        404: client.get("/api/v1/families/00000000-0000-0000-0000-000000000000"),
        422: post(client, "/api/v1/families", {"wrong": 1}),
        400: post(
            client,
            f"/api/v1/families/{cast.family_a.public_id}/children",
            {"first_name": "Robin", "date_of_birth": "2199-01-01"},
        ),
        409: post(client, "/api/v1/invitations/accept", {"token": used_token}),
    }
    for status, response in cases.items():
        assert response.status_code == status, (status, response.content)
        error = response.json()["error"]
        assert set(error) >= {"code", "message"} and error["message"], error
    assert cases[422].json()["error"]["fields"] == {"name": "This field is required."}
    assert cases[400].json()["error"]["fields"] == {
        "date_of_birth": "The date of birth cannot be in the future."
    }


def test_session_writes_need_the_csrf_token(cast: Cast) -> None:
    forger = Client(enforce_csrf_checks=True)
    forger.force_login(cast.alice)
    refused = post(forger, "/api/v1/families", {"name": "Forged"})
    assert refused.status_code == 403, refused.content
    assert refused.json()["error"]["code"] == "csrf_failed" and refused.json()["error"]["message"]
    assert not Membership.objects.filter(family__name="Forged").exists()

    assert post(browser(cast.alice), "/api/v1/families", {"name": "Real"}).status_code == 201


def test_a_bearer_token_writes_with_no_csrf_token(cast: Cast, browser_for) -> None:
    writer = bearer(new_token(browser_for(cast.alice), ApiToken.READ_WRITE))
    created = post(writer, "/api/v1/families", {"name": "Scripted"})
    assert created.status_code == 201, created.content
    family_id = created.json()["id"]
    renamed = post(writer, f"/api/v1/families/{family_id}", {"name": "Scripted 2"}, method="patch")
    assert renamed.status_code == 200 and renamed.json()["name"] == "Scripted 2"
    assert (
        post(writer, "/api/v1/me", {"display_name": "Alice P."}, method="patch").status_code == 200
    )


def test_a_bearer_token_decides_alone_even_beside_a_session(cast: Cast, browser_for) -> None:
    """A request that names a token is judged by that token: a bad or read-only token is never
    rescued by a session cookie that happens to travel with it."""
    session = browser_for(cast.alice)
    reader_secret = new_token(session, ApiToken.READ)

    session.defaults["HTTP_AUTHORIZATION"] = f"Bearer {reader_secret}"
    read_only = post(session, "/api/v1/families", {"name": "Nope"})
    assert read_only.status_code == 403 and read_only.json()["error"]["code"] == "forbidden"

    for bad in ("cpt_nothing_here", "cpt_", "", reader_secret + "x"):
        session.defaults["HTTP_AUTHORIZATION"] = f"Bearer {bad}"
        for response in (
            session.get("/api/v1/me"),
            post(session, "/api/v1/families", {"name": "N"}),
        ):
            assert response.status_code == 401, (bad, response.content)
            assert response.json()["error"]["code"] == "unauthenticated"
    assert bearer("cpt_abc_def").get("/api/v1/families").status_code == 401
    assert not Membership.objects.filter(family__name__in=["Nope", "N"]).exists()


def test_invite_and_accept_through_the_api(cast: Cast, browser_for) -> None:
    alice = browser_for(cast.alice)
    family_id = cast.family_a.public_id
    created = post(
        alice,
        f"/api/v1/families/{family_id}/invitations",
        {"role": "professional", "professional_kind": "attorney", "access_days": 10},
    )
    assert created.status_code == 201
    token = created.json()["link"].rstrip("/").rsplit("/", 1)[-1]
    lawyer = make_user("lawyer@example.test", "Law Yer")
    accepted = post(browser_for(lawyer), "/api/v1/invitations/accept", {"token": token})
    assert accepted.status_code == 201 and accepted.json()["your_role"] == Role.PROFESSIONAL
    statuses = {
        i["id"]: i["status"] for i in alice.get(f"/api/v1/families/{family_id}/invitations").json()
    }
    assert statuses[created.json()["id"]] == "accepted"
    members = alice.get(f"/api/v1/families/{family_id}/members").json()
    assert {m["name"] for m in members} >= {"Law Yer", "Gran Caregiver"}
    # Members who are not parents see names and roles, never addresses.
    assert all(
        m["email"] is None
        for m in browser_for(cast.gran).get(f"/api/v1/families/{family_id}/members").json()
    )


def test_children_and_family_through_the_api(cast: Cast, browser_for) -> None:
    bob = browser_for(cast.bob)
    family_id = cast.family_a.public_id
    child = post(
        bob,
        f"/api/v1/families/{family_id}/children",
        {"first_name": "Ash", "date_of_birth": "2022-04-05"},
    )
    assert child.status_code == 201
    renamed = post(bob, f"/api/v1/families/{family_id}", {"name": "Family A+"}, method="patch")
    assert renamed.json()["name"] == "Family A+"
    names = [c["first_name"] for c in bob.get(f"/api/v1/families/{family_id}/children").json()]
    assert names == ["Kit", "Ash"]
    me = post(bob, "/api/v1/me", {"timezone": "Mars/Olympus"}, method="patch")
    assert me.status_code == 400 and "time zone" in me.json()["error"]["message"]


def test_schema_names_are_unique_across_apps() -> None:
    """OpenAPI components are keyed by class name: two apps' `FooIn` would silently share one."""
    import importlib
    import pkgutil

    from ninja import Schema

    import coparent

    seen: dict[str, str] = {}
    for info in pkgutil.iter_modules(coparent.__path__):
        try:
            module = importlib.import_module(f"coparent.{info.name}.api")
        except ModuleNotFoundError:
            continue
        for name, value in vars(module).items():
            if (
                isinstance(value, type)
                and issubclass(value, Schema)
                and value.__module__ == module.__name__
            ):
                assert name not in seen, (
                    f"{name} is defined in {seen.get(name)} and {module.__name__}"
                )
                seen[name] = module.__name__
    assert len(seen) > 20


def test_creating_a_token_needs_the_password_again_and_a_new_password_revokes_all(
    cast: Cast, browser_for, django_capture_on_commit_callbacks
) -> None:
    from django.core import mail

    session = browser_for(cast.alice)
    refused = post(session, "/api/v1/tokens", {"name": "x", "scope": "read"})
    assert (
        refused.status_code == 403 and "Confirm your password" in refused.json()["error"]["message"]
    )
    page = session.post("/account/tokens/", {"name": "x", "scope": "read"})
    assert page.status_code == 302 and page.url.startswith("/account/confirm-password/")
    assert not ApiToken.objects.filter(user=cast.alice).exists()
    with django_capture_on_commit_callbacks(execute=True):
        secret = new_token(session, ApiToken.READ_WRITE)
    assert mail.outbox[-1].subject == "A new API token was created for your coparent account"
    assert bearer(secret).get("/api/v1/me").status_code == 200
    session.post(
        "/account/password/", {"old_password": PASSWORD, "new_password": "a different passphrase"}
    )
    assert bearer(secret).get("/api/v1/me").status_code == 401


def test_the_api_docs_use_local_assets_only(cast: Cast, browser_for) -> None:
    page = browser_for(cast.alice).get("/api/v1/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
