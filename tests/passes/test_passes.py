"""Pickup passes: issuing against the schedule, co-signing, tokens that cannot be changed or
guessed, revocation, the public check page and API, and gates."""

from __future__ import annotations

import base64
import datetime as dt
import io
import uuid

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from PIL import Image

from coparent.core.errors import ServiceError
from coparent.notifications.models import Notification
from coparent.passes import services, tokens
from coparent.passes.models import PassCheck, PickupPass
from coparent.records.models import LogEntry
from coparent.schedule import services as schedule_services
from tests.cast import Cast

pytestmark = pytest.mark.django_db


def one_parent_always(cast: Cast, letter: str = "A") -> str:
    """An agreed schedule in which one parent always has the children; returns their email."""
    spec = {"timezone": "America/Chicago", "parents": ["A", "B"], "default": letter}
    version = schedule_services.schedule_propose(family=cast.family_a, actor=cast.alice, spec=spec)
    version = schedule_services.schedule_accept(
        family=cast.family_a, actor=cast.bob, version=version
    )
    return version.plan.membership_for(letter).user.email


def window(hours_from_now: float = -1, length_hours: float = 4) -> tuple[dt.datetime, dt.datetime]:
    start = timezone.now() + dt.timedelta(hours=hours_from_now)
    return start, start + dt.timedelta(hours=length_hours)


def issue(cast: Cast, actor=None, **kwargs) -> PickupPass:
    start, end = window()
    values = {
        "person_name": "Jamie Cousin",
        "person_relationship": "cousin",
        "children": [cast.kit],
        "place": "Riverside School, main gate",
        "starts_at": start,
        "ends_at": end,
    }
    values.update(kwargs)
    return services.pass_issue(family=cast.family_a, actor=actor or responsible(cast), **values)


def responsible(cast: Cast):
    from coparent.schedule.models import Plan

    plan = Plan.objects.filter(family=cast.family_a).first()
    return plan.parent_a.user if plan else cast.alice


def token_of(p: PickupPass) -> str:
    return tokens.make_token(p.public_id, p.starts_at, p.ends_at)


def test_the_responsible_parent_issues_a_valid_pass(
    cast: Cast, django_capture_on_commit_callbacks
) -> None:
    one_parent_always(cast)
    with django_capture_on_commit_callbacks(execute=True):
        p = issue(cast)
    assert not p.needs_cosign
    result = services.pass_check(token_of(p))
    assert result.valid and result.reason == ""
    other = cast.bob if responsible(cast) == cast.alice else cast.alice
    assert [m.to for m in mail.outbox] == [[other.email]], "the other parent is told of every pass"
    assert "Jamie Cousin" not in mail.outbox[0].body, "emails are neutral unless asked"
    told = Notification.objects.get(recipient=other, kind="pass_issued")
    assert "Jamie Cousin" in told.detail_title
    assert LogEntry.objects.filter(family=cast.family_a, kind="pass.issued").exists()


def test_a_pass_outside_your_time_needs_the_other_parents_signature(cast: Cast) -> None:
    one_parent_always(cast, "A")
    not_responsible = cast.bob if responsible(cast) == cast.alice else cast.alice
    p = issue(cast, actor=not_responsible)
    assert p.needs_cosign
    assert services.pass_check(token_of(p)).reason == "not_cosigned"
    with pytest.raises(ServiceError, match="other parent has to co-sign"):
        services.pass_cosign(family=cast.family_a, actor=not_responsible, pickup_pass=p)
    services.pass_cosign(family=cast.family_a, actor=responsible(cast), pickup_pass=p)
    assert services.pass_check(token_of(p)).valid


def test_without_an_agreed_schedule_every_pass_needs_a_cosignature(cast: Cast) -> None:
    assert issue(cast, actor=cast.alice).needs_cosign


def test_a_pass_verifies_only_inside_its_window(cast: Cast) -> None:
    one_parent_always(cast)
    start, end = window(hours_from_now=2, length_hours=3)
    p = issue(cast, starts_at=start, ends_at=end)
    token = token_of(p)
    assert services.pass_check(token, now=start - dt.timedelta(seconds=1)).reason == "not_yet_valid"
    assert services.pass_check(token, now=start).valid
    assert services.pass_check(token, now=end - dt.timedelta(seconds=1)).valid
    assert services.pass_check(token, now=end).reason == "expired"


def test_revocation_applies_to_every_later_check(cast: Cast) -> None:
    one_parent_always(cast)
    p = issue(cast)
    assert services.pass_check(token_of(p)).valid
    services.pass_revoke(family=cast.family_a, actor=responsible(cast), pickup_pass=p)
    assert services.pass_check(token_of(p)).reason == "revoked"
    assert services.pass_check_code(tokens.make_code(p.public_id)).reason == "revoked"


@hypothesis_settings(max_examples=60, deadline=None)
@given(position=st.integers(min_value=0, max_value=96), bit=st.integers(min_value=0, max_value=7))
def test_any_change_to_a_token_fails(position: int, bit: int) -> None:
    token = tokens.make_token(
        uuid.uuid4(), dt.datetime(2026, 1, 1, tzinfo=dt.UTC), dt.datetime(2026, 1, 2, tzinfo=dt.UTC)
    )
    raw = bytearray(base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)))
    raw[position] ^= 1 << bit
    changed = base64.urlsafe_b64encode(bytes(raw)).decode().rstrip("=")
    with pytest.raises(tokens.BadToken):
        tokens.read_token(changed)


def test_tokens_from_another_key_or_garbage_are_forged(cast: Cast) -> None:
    for junk in ("", "abc", "A" * 130, "%%%", token_of_unknown()):
        assert services.pass_check(junk).reason == "forged"


def token_of_unknown() -> str:
    return tokens.make_token(uuid.uuid4(), timezone.now(), timezone.now() + dt.timedelta(hours=1))


def test_bad_input_is_refused_and_changes_nothing(cast: Cast) -> None:
    one_parent_always(cast)
    start, end = window()
    cases = [
        ({"person_name": " "}, "name of the person"),
        ({"children": []}, "at least one child"),
        ({"children": [cast.charlies_child]}, "children from this family"),
        ({"place": ""}, "where the pickup happens"),
        ({"starts_at": end, "ends_at": start}, "end after it starts"),
        (
            {"starts_at": start - dt.timedelta(days=3), "ends_at": start - dt.timedelta(days=2)},
            "already over",
        ),
        ({"photo": b"not a picture"}, "JPEG or PNG"),
    ]
    for overrides, message in cases:
        with pytest.raises(ServiceError, match=message):
            issue(cast, **overrides)
    assert not PickupPass.objects.exists()
    with pytest.raises(ServiceError, match="Only a parent"):
        issue(cast, actor=cast.gran)


def test_photos_are_reencoded_without_location(cast: Cast) -> None:
    one_parent_always(cast)
    image = Image.new("RGB", (1200, 900), "teal")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS IFD
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    p = issue(cast, photo=buffer.getvalue())
    stored = Image.open(io.BytesIO(bytes(p.photo)))
    assert max(stored.size) <= 640
    assert not stored.getexif(), "no EXIF survives, GPS included"


def test_the_public_page_says_valid_then_not_valid_and_leaks_nothing_else(cast: Cast) -> None:
    one_parent_always(cast)
    p = issue(cast)
    client = Client()
    page = client.get(f"/pass/{token_of(p)}/").content.decode()
    assert "VALID" in page and "NOT VALID" not in page
    assert "Jamie Cousin" in page and "Kit" in page and "Riverside School" in page
    for secret in (
        cast.alice.email,
        cast.bob.email,
        "Family A",
        cast.gran.display_name,
        str(cast.family_a.public_id),
    ):
        assert secret not in page
    services.pass_revoke(family=cast.family_a, actor=responsible(cast), pickup_pass=p)
    page = client.get(f"/pass/{token_of(p)}/").content.decode()
    assert "NOT VALID" in page and "revoked" in page
    assert PassCheck.objects.filter(pickup_pass=p).count() == 2


# The pass, its check row, and telling the parents (who they are, their choices and settings,
# the notifications, their deliveries); the rate-limit counter is in a memory cache here.
QUERIES_PER_CHECK = 11


def test_a_pass_that_is_not_valid_shows_the_verdict_and_reason_only(
    cast: Cast, django_assert_max_num_queries, settings
) -> None:
    """A revoked or expired pass in the wrong hands must not say who the children are, who was
    to collect them, or where."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    one_parent_always(cast)
    p = issue(cast)
    services.pass_revoke(family=cast.family_a, actor=responsible(cast), pickup_pass=p)
    later = issue(cast, starts_at=window(24)[0], ends_at=window(24)[1])
    for found, reason in ((p, "revoked"), (later, "not_yet_valid")):
        with django_assert_max_num_queries(QUERIES_PER_CHECK):
            page = Client().get(f"/pass/{token_of(found)}/").content.decode()
        assert "NOT VALID" in page and str(services.REASONS[reason]) in page
        for detail in (
            "Jamie Cousin",
            "cousin",
            "Kit",
            "Riverside School",
            cast.alice.display_name,
        ):
            assert detail not in page
        body = Client().get(f"/api/v1/passes/verify/{token_of(found)}").json()
        assert body["valid"] is False and body["reason"] == reason
        assert body["person_name"] is body["children"] is body["place"] is body["issued_by"] is None


def test_the_reason_is_translated_when_the_check_is_answered(cast: Cast, monkeypatch) -> None:
    """A table of reasons translated at import would answer every visitor in one language."""
    from django.utils import translation

    monkeypatch.setattr(translation._trans, "gettext", lambda message: f"[xx] {message}")
    page = Client().get("/pass/nonsense/").content.decode()
    assert "[xx] This pass was not issued by this service" in page
    body = Client().get("/api/v1/passes/verify/nonsense").json()
    assert body["message"] == "[xx] This pass was not issued by this service, or it was changed."


def test_the_verify_api_needs_no_account_and_answers_only_the_pass(cast: Cast) -> None:
    one_parent_always(cast)
    p = issue(cast)
    body = Client().get(f"/api/v1/passes/verify/{token_of(p)}").json()
    assert body["valid"] is True and body["reason"] is None
    assert body["person_name"] == "Jamie Cousin" and body["children"] == ["Kit"]
    assert set(body) == {
        "valid",
        "reason",
        "message",
        "person_name",
        "children",
        "place",
        "starts_at",
        "ends_at",
        "issued_by",
        "issued_at",
    }
    forged = Client().get("/api/v1/passes/verify/nonsense").json()
    assert forged == {
        "valid": False,
        "reason": "forged",
        "message": str(services.REASONS["forged"]),
        "person_name": None,
        "children": None,
        "place": None,
        "starts_at": None,
        "ends_at": None,
        "issued_by": None,
        "issued_at": None,
    }


def test_checks_are_rate_limited_per_address(cast: Cast, settings) -> None:
    from coparent.passes import views

    one_parent_always(cast)
    p = issue(cast)
    client = Client(REMOTE_ADDR="192.0.2.44")
    for _ in range(views.CHECKS_PER_ADDRESS):
        assert client.get(f"/pass/{token_of(p)}/").status_code == 200
    limited = client.get(f"/pass/{token_of(p)}/")
    assert limited.status_code == 429
    assert 0 < int(limited["Retry-After"]) <= views.CHECK_WINDOW_SECONDS
    api = client.get(f"/api/v1/passes/verify/{token_of(p)}")
    assert api.status_code == 429
    assert 0 < int(api["Retry-After"]) <= views.CHECK_WINDOW_SECONDS
    assert api.json()["error"]["code"] == "rate_limited"
    assert Client(REMOTE_ADDR="192.0.2.45").get(f"/pass/{token_of(p)}/").status_code == 200


def test_a_gate_sees_only_todays_pickups_there_and_wrong_places_fail(cast: Cast) -> None:
    one_parent_always(cast)
    gate, gate_token = services.gate_create(
        family=cast.family_a, actor=cast.alice, name="North gate"
    )
    other_gate, _ = services.gate_create(family=cast.family_a, actor=cast.alice, name="Sports hall")
    here = issue(cast, gate=gate, person_name="Robin Nanny")
    elsewhere = issue(cast, gate=other_gate, person_name="Sam Uncle")
    page = Client().get(f"/gate/{gate_token}/").content.decode()
    assert "Robin Nanny" in page and "Sam Uncle" not in page
    assert cast.alice.email not in page and "Family A" not in page
    wrong = (
        Client()
        .get(f"/gate/{gate_token}/?code={tokens.make_code(elsewhere.public_id)}")
        .content.decode()
    )
    assert "NOT VALID" in wrong and "another place" in wrong
    right = (
        Client()
        .get(f"/gate/{gate_token}/?code={tokens.make_code(here.public_id).lower()}")
        .content.decode()
    )
    assert "NOT VALID" not in right and "VALID" in right
    services.gate_revoke(family=cast.family_a, actor=cast.bob, gate=gate)
    assert Client().get(f"/gate/{gate_token}/").status_code == 404


def test_parents_issue_and_revoke_through_the_api(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    parent = client_for(responsible(cast))
    start, end = window()
    response = parent.post(
        f"/api/v1/families/{cast.family_a.public_id}/passes",
        data={
            "person_name": "Jo",
            "children": [str(cast.kit.public_id)],
            "place": "Home",
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
        },
        content_type="application/json",
    )
    assert response.status_code == 201, response.content
    created = response.json()
    assert Client().get(f"/api/v1/passes/verify/{created['token']}").json()["valid"] is True
    revoked = parent.post(
        f"/api/v1/families/{cast.family_a.public_id}/passes/{created['id']}/revoke"
    )
    assert revoked.json()["status"] == "revoked"
    assert Client().get(f"/api/v1/passes/verify/{created['token']}").json()["reason"] == "revoked"


def test_pass_pages_for_parents(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    p = issue(cast)
    page = (
        client_for(cast.bob)
        .get(f"/f/{cast.family_a.public_id}/passes/{p.public_id}/")
        .content.decode()
    )
    assert tokens.make_code(p.public_id) in page and "<svg" in page
    assert client_for(cast.gran).get(f"/f/{cast.family_a.public_id}/passes/").status_code == 404


def test_the_public_photo_is_served_only_while_the_pass_is_valid(cast: Cast) -> None:
    one_parent_always(cast)
    image = io.BytesIO()
    Image.new("RGB", (50, 50), "teal").save(image, format="PNG")
    p = issue(cast, photo=image.getvalue())
    url = f"/pass/{token_of(p)}/photo.jpg"
    assert Client().get(url).status_code == 200
    services.pass_revoke(family=cast.family_a, actor=responsible(cast), pickup_pass=p)
    assert Client().get(url).status_code == 404
    waiting = issue(
        cast,
        actor=cast.bob if responsible(cast) == cast.alice else cast.alice,
        photo=image.getvalue(),
    )
    assert waiting.needs_cosign
    assert Client().get(f"/pass/{token_of(waiting)}/photo.jpg").status_code == 404
    assert PassCheck.objects.count() == 0, "looking at a photo is not a check"


def test_professionals_see_passes_but_not_their_credentials(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    p = issue(cast)
    code = tokens.make_code(p.public_id)
    page = (
        client_for(cast.mediator)
        .get(f"/f/{cast.family_a.public_id}/passes/{p.public_id}/")
        .content.decode()
    )
    assert "Jamie Cousin" in page and code not in page and token_of(p) not in page
    listed = (
        client_for(cast.mediator).get(f"/api/v1/families/{cast.family_a.public_id}/passes").json()
    )
    assert listed[0]["token"] is None and listed[0]["code"] is None
    assert (
        client_for(cast.bob)
        .get(f"/api/v1/families/{cast.family_a.public_id}/passes")
        .json()[0]["code"]
        == code
    )


def test_times_without_a_zone_are_refused_through_the_api(cast: Cast, client_for) -> None:
    one_parent_always(cast)
    response = client_for(responsible(cast)).post(
        f"/api/v1/families/{cast.family_a.public_id}/passes",
        data={
            "person_name": "Jo",
            "children": [str(cast.kit.public_id)],
            "place": "Home",
            "starts_at": "2030-01-01T15:00:00",
            "ends_at": "2030-01-01T17:00:00",
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert "UTC offset" in response.json()["error"]["fields"]["starts_at"]
    assert not PickupPass.objects.exists()


def test_anyone_can_check_a_token_offline_with_the_published_key(cast: Cast) -> None:
    from cryptography.hazmat.primitives.serialization import load_pem_public_key

    one_parent_always(cast)
    p = issue(cast)
    pem = Client().get("/.well-known/coparent-pass-key.pem").content
    raw = base64.urlsafe_b64decode(token_of(p) + "=" * (-len(token_of(p)) % 4))
    load_pem_public_key(pem).verify(raw[33:], raw[:33])  # raises if not signed by that key
    assert uuid.UUID(bytes=raw[1:17]) == p.public_id
