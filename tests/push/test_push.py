"""Web push: subscriptions under Account and the API, and sending to a real (fake) push service
that checks the VAPID signature; the test decrypts what a browser would."""

from __future__ import annotations

import json
import os
import stat
import time

import pytest
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coparent.push import keys, services
from coparent.push.labels import device_label
from coparent.push.models import PushSubscription
from tests.cast import Cast
from tests.push.fake_push_service import BrowserKeys, FakePushService, browser_keys

SUBSCRIBE = "/api/v1/push/subscriptions"


def subscribe(client: Client, endpoint: str, browser: BrowserKeys, **extra: object):
    body = {
        "endpoint": endpoint,
        "expirationTime": None,
        "keys": {"p256dh": browser.p256dh, "auth": browser.auth},
    }
    return client.post(SUBSCRIBE, data=json.dumps(body), content_type="application/json", **extra)


def subscribed(
    cast: Cast, user, endpoint: str, browser: BrowserKeys | None = None
) -> PushSubscription:
    browser = browser or browser_keys()
    return services.subscription_save(
        user=user, endpoint=endpoint, p256dh=browser.p256dh, auth=browser.auth, user_agent=""
    )


# ---- sending ------------------------------------------------------------------------------------


def test_a_browser_can_read_what_is_sent(
    cast: Cast, client_for, push_service: FakePushService
) -> None:
    browser = browser_keys()
    response = subscribe(
        client_for(cast.alice),
        push_service.endpoint("alice-phone"),
        browser,
        HTTP_USER_AGENT="Mozilla/5.0 (Linux; Android 14; Pixel 8)"
        " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Mobile Safari/537.36",
    )
    assert response.status_code == 201, response.content
    assert response.json()["label"] == "Chrome on Android"

    delivered = services.send_to_user(
        cast.alice,
        title=services.NEUTRAL_TITLE,
        body=services.NEUTRAL_BODY,
        url="/f/some-family/messages/",
        tag="messages",
    )

    assert delivered == 1
    [request] = push_service.received
    assert request.path == "/push/alice-phone"
    assert request.vapid_key == keys.application_server_key()
    assert request.claims["aud"] == push_service.origin
    assert request.claims["sub"].startswith("mailto:")
    assert request.headers["content-encoding"] == "aes128gcm"
    assert int(request.headers["ttl"]) > 0
    assert request.headers["topic"] == "messages"
    payload = json.loads(browser.decrypt(request.body))
    assert payload == {
        "title": "coparent",
        "body": "You have a new message in coparent",
        "url": "/f/some-family/messages/",
        "tag": "messages",
    }
    assert PushSubscription.objects.get().last_success_at is not None


def test_only_the_users_own_devices_get_it(cast: Cast, push_service: FakePushService) -> None:
    subscribed(cast, cast.alice, push_service.endpoint("alice-1"))
    subscribed(cast, cast.alice, push_service.endpoint("alice-2"))
    subscribed(cast, cast.bob, push_service.endpoint("bob"))
    assert services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t") == 2
    assert sorted(r.path for r in push_service.received) == ["/push/alice-1", "/push/alice-2"]


@pytest.mark.parametrize("status", [404, 410])
def test_a_device_the_push_service_reports_gone_is_forgotten(
    cast: Cast, push_service: FakePushService, status: int
) -> None:
    subscribed(cast, cast.alice, push_service.endpoint("gone"))
    kept = subscribed(cast, cast.alice, push_service.endpoint("kept"))
    push_service.status["/push/gone"] = status
    assert services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t") == 1
    assert list(PushSubscription.objects.filter(user=cast.alice)) == [kept]


@pytest.mark.parametrize("status", [500, 503, 429])
def test_a_push_service_failing_for_now_raises_so_the_task_is_retried(
    cast: Cast, push_service: FakePushService, status: int
) -> None:
    subscribed(cast, cast.alice, push_service.endpoint("down"))
    subscribed(cast, cast.alice, push_service.endpoint("up"))
    push_service.status["/push/down"] = status
    with pytest.raises(services.PushUnavailable) as raised:
        services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t")
    assert (raised.value.delivered, raised.value.failed) == (1, 1)
    assert PushSubscription.objects.filter(user=cast.alice).count() == 2


def test_a_push_service_that_does_not_answer_in_time_raises(
    cast: Cast, push_service: FakePushService, settings
) -> None:
    settings.PUSH_TIMEOUT_SECONDS = 0.3
    subscribed(cast, cast.alice, push_service.endpoint("slow"))
    push_service.delay["/push/slow"] = 1.5
    started = time.monotonic()
    with pytest.raises(services.PushUnavailable):
        services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t")
    assert time.monotonic() - started < 1.4
    assert PushSubscription.objects.filter(user=cast.alice).count() == 1


def test_a_push_service_that_cannot_be_reached_raises(
    cast: Cast, push_service: FakePushService
) -> None:
    subscribed(cast, cast.alice, "http://127.0.0.1:9/push/nobody-listens")
    with pytest.raises(services.PushUnavailable):
        services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t")


def test_another_refusal_is_logged_not_retried_and_the_device_kept(
    cast: Cast, push_service: FakePushService
) -> None:
    subscribed(cast, cast.alice, push_service.endpoint("refuses"))
    push_service.status["/push/refuses"] = 403
    assert services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t") == 0
    assert PushSubscription.objects.filter(user=cast.alice).count() == 1


def test_nobody_subscribed_sends_nothing(cast: Cast, django_assert_num_queries) -> None:
    with django_assert_num_queries(1):
        assert services.send_to_user(cast.alice, title="coparent", body="b", url="/", tag="t") == 0


@pytest.mark.parametrize(
    "url", ["https://elsewhere.example/", "//elsewhere.example/", "f/x", "/\\evil"]
)
def test_the_url_must_be_a_path_on_this_site(cast: Cast, url: str) -> None:
    with pytest.raises(ValueError):
        services.send_to_user(cast.alice, title="coparent", body="b", url=url, tag="t")


def test_the_vapid_key_is_made_once_and_kept_private() -> None:
    from django.conf import settings

    first = keys.application_server_key()
    assert keys.application_server_key() == first
    assert len(keys.vapid().public_key.public_bytes(*_uncompressed())) == 65
    mode = stat.S_IMODE(os.stat(settings.PUSH_VAPID_KEY_FILE).st_mode)
    assert mode == 0o600


def _uncompressed():
    from cryptography.hazmat.primitives import serialization

    return serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint


# ---- subscribing --------------------------------------------------------------------------------


def test_the_same_browser_subscribing_again_is_one_device(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    endpoint = "https://fcm.googleapis.com/fcm/send/abc"
    assert subscribe(alice, endpoint, browser_keys()).status_code == 201
    renewed = browser_keys()
    assert subscribe(alice, endpoint, renewed).status_code == 201
    [only] = PushSubscription.objects.filter(user=cast.alice)
    assert only.p256dh == renewed.p256dh


@pytest.mark.parametrize(
    "endpoint",
    [
        "https://fcm.googleapis.com/fcm/send/abc:def",
        "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
        "https://web.push.apple.com/QGuQ",
        "https://wns2-par02p.notify.windows.com/w/?token=BQYAAA",
    ],
)
def test_the_big_push_services_are_accepted(cast: Cast, client_for, endpoint: str) -> None:
    assert subscribe(client_for(cast.alice), endpoint, browser_keys()).status_code == 201


@pytest.mark.parametrize(
    "endpoint",
    [
        "http://fcm.googleapis.com/fcm/send/abc",  # not HTTPS
        "https://push.example.com/abc",  # not a push service
        "https://fcm.googleapis.com.evil.example/abc",
        "https://user:pw@fcm.googleapis.com/abc",
        "https://fcm.googleapis.com:8443/abc",
        "http://10.0.0.1/admin",
        "http://localhost:8000/",
        "file:///etc/passwd",
        "javascript:alert(1)",
        "https://fcm.googleapis.com/a b",
    ],
)
def test_other_endpoints_are_refused_and_nothing_stored(
    cast: Cast, client_for, endpoint: str
) -> None:
    response = subscribe(client_for(cast.alice), endpoint, browser_keys())
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"endpoint": response.json()["error"]["message"]}
    assert not PushSubscription.objects.exists()


def test_plain_http_to_loopback_is_only_for_the_tests(cast: Cast, client_for, settings) -> None:
    settings.PUSH_ALLOW_HTTP_LOOPBACK = False
    response = subscribe(client_for(cast.alice), "http://127.0.0.1:8080/push/x", browser_keys())
    assert response.status_code == 400
    assert not PushSubscription.objects.exists()


def test_keys_that_are_not_a_browsers_are_refused(cast: Cast, client_for) -> None:
    alice = client_for(cast.alice)
    good = browser_keys()
    not_on_curve = "BA" + "A" * 85
    for p256dh, auth in [(not_on_curve, good.auth), (good.p256dh, "AAAA"), ("!!!", good.auth)]:
        body = {
            "endpoint": "https://fcm.googleapis.com/fcm/send/x",
            "keys": {"p256dh": p256dh, "auth": auth},
        }
        response = alice.post(SUBSCRIBE, data=json.dumps(body), content_type="application/json")
        assert response.status_code == 400, (p256dh, auth)
    assert not PushSubscription.objects.exists()


def test_a_person_has_at_most_so_many_devices(cast: Cast, client_for, settings) -> None:
    settings.PUSH_SUBSCRIPTIONS_PER_USER = 2
    alice = client_for(cast.alice)
    for n in range(2):
        assert (
            subscribe(alice, f"https://fcm.googleapis.com/fcm/send/{n}", browser_keys()).status_code
            == 201
        )
    response = subscribe(alice, "https://fcm.googleapis.com/fcm/send/3", browser_keys())
    assert response.status_code == 400
    assert "Remove one" in response.json()["error"]["message"]
    assert PushSubscription.objects.count() == 2


def test_subscribing_needs_the_csrf_token_with_a_session(cast: Cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    response = subscribe(client, "https://fcm.googleapis.com/fcm/send/x", browser_keys())
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"
    assert not PushSubscription.objects.exists()


def test_signed_out_subscribing_is_401(db) -> None:
    response = subscribe(Client(), "https://fcm.googleapis.com/fcm/send/x", browser_keys())
    assert response.status_code == 401


HOSTILE = st.one_of(
    st.text(max_size=300),
    st.sampled_from(
        [
            "\x00",
            "https://fcm.googleapis.com/\x00",
            "\ud800",
            "https://fcm.googleapis.com/\udfff",
            "",
        ]
    ),
    st.from_regex(
        r"(https?|ftp|data|javascript):/{0,3}[a-z0-9.:@\[\]-]{0,40}/?.{0,40}", fullmatch=True
    ),
    st.integers(),
    st.none(),
    st.lists(st.text(max_size=5), max_size=3),
)


def test_the_subscribe_endpoint_refuses_hostile_input_in_the_error_shape(
    cast: Cast, client_for
) -> None:
    alice = client_for(cast.alice)
    good = browser_keys()

    @settings(
        max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
    )
    @given(
        endpoint=HOSTILE,
        p256dh=st.one_of(st.just(good.p256dh), HOSTILE),
        auth=st.one_of(st.just(good.auth), HOSTILE),
    )
    def check(endpoint: object, p256dh: object, auth: object) -> None:
        body = {"endpoint": endpoint, "keys": {"p256dh": p256dh, "auth": auth}}
        # json.dumps writes a lone surrogate as the escape "\ud800", as a hostile client would.
        response = alice.post(SUBSCRIBE, data=json.dumps(body), content_type="application/json")
        assert 400 <= response.status_code < 500, (body, response.status_code)
        error = response.json()["error"]
        assert error["code"] and error["message"]
        assert not PushSubscription.objects.exists()

    check()


def test_a_huge_body_is_413_and_nothing_stored(cast: Cast, client_for) -> None:
    from django.conf import settings as django_settings

    huge = "https://fcm.googleapis.com/fcm/send/" + "a" * (
        django_settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10
    )
    response = subscribe(client_for(cast.alice), huge, browser_keys())
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    long = "https://fcm.googleapis.com/fcm/send/" + "a" * 2000
    response = subscribe(client_for(cast.alice), long, browser_keys())
    assert response.status_code == 422
    assert not PushSubscription.objects.exists()


# ---- listing and removing -----------------------------------------------------------------------


def test_the_api_lists_and_removes_only_ones_own(cast: Cast, client_for) -> None:
    mine = subscribed(cast, cast.alice, "https://fcm.googleapis.com/fcm/send/alice")
    theirs = subscribed(cast, cast.bob, "https://fcm.googleapis.com/fcm/send/bob")
    alice = client_for(cast.alice)
    listed = alice.get(SUBSCRIBE).json()
    assert [item["id"] for item in listed] == [str(mine.public_id)]
    response = alice.delete(f"{SUBSCRIBE}/{theirs.public_id}")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()
    assert alice.delete(f"{SUBSCRIBE}/{mine.public_id}").status_code == 204
    assert not PushSubscription.objects.filter(pk=mine.pk).exists()


def test_the_key_for_subscribing_is_published(cast: Cast, client_for) -> None:
    response = client_for(cast.alice).get("/api/v1/push/key")
    assert response.json() == {"application_server_key": keys.application_server_key()}


# What any signed-in page costs, and one query for the subscriptions however many there are.
QUERIES = 5  # with the unread count in the header


def test_the_account_page_lists_ones_devices_with_remove(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    subscribed(cast, cast.alice, "https://fcm.googleapis.com/fcm/send/one")
    subscribed(cast, cast.bob, "https://fcm.googleapis.com/fcm/send/bob-phone")
    alice = client_for(cast.alice)
    alice.get("/account/devices/")  # the session's first request records its device

    with django_assert_num_queries(QUERIES) as captured:
        page = alice.get("/account/devices/")
    for n in range(5):
        subscribed(cast, cast.alice, f"https://fcm.googleapis.com/fcm/send/more-{n}")
    with django_assert_num_queries(len(captured)):
        more = alice.get("/account/devices/")

    text = page.content.decode()
    assert page.status_code == 200
    assert "Turn on notifications on this device" in text
    assert "fcm/send/one" in text and "bob-phone" not in text
    assert more.content.decode().count('name="subscription"') == 6
    assert keys.application_server_key() in text


def test_removing_from_the_account_page(cast: Cast, client_for) -> None:
    mine = subscribed(cast, cast.alice, "https://fcm.googleapis.com/fcm/send/alice")
    response = client_for(cast.alice).post(
        "/account/devices/", {"subscription": str(mine.public_id)}
    )
    assert response.status_code == 302
    assert not PushSubscription.objects.exists()


def test_someone_elses_device_cannot_be_removed_from_the_page(cast: Cast, client_for) -> None:
    theirs = subscribed(cast, cast.bob, "https://fcm.googleapis.com/fcm/send/bob")
    charlie = client_for(cast.charlie)
    for value in (str(theirs.public_id), "not-a-uuid", ""):
        assert charlie.post("/account/devices/", {"subscription": value}).status_code == 404
    assert PushSubscription.objects.filter(pk=theirs.pk).exists()


def test_removing_needs_the_csrf_token(cast: Cast) -> None:
    mine = subscribed(cast, cast.alice, "https://fcm.googleapis.com/fcm/send/alice")
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    assert (
        client.post("/account/devices/", {"subscription": str(mine.public_id)}).status_code == 403
    )
    assert PushSubscription.objects.exists()


def test_the_account_page_needs_sign_in(db) -> None:
    response = Client().get("/account/devices/")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# ---- the installable app ------------------------------------------------------------------------


def test_the_manifest_names_the_app_and_its_icons(db) -> None:
    response = Client().get("/manifest.webmanifest")
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    sizes = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= sizes


def test_the_service_worker_is_served_at_the_root_uncached(db) -> None:
    response = Client().get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Cache-Control"] == "no-cache"
    script = response.content.decode()
    assert '"/offline/"' in script and '"/static/css/app.css"' in script
    assert "showNotification" in script and "notificationclick" in script


def test_the_offline_page_holds_no_ones_data(cast: Cast, client_for) -> None:
    page = client_for(cast.alice).get("/offline/").content.decode()
    assert "offline" in page
    for private in (cast.alice.display_name, cast.alice.email, cast.family_a.name):
        assert private not in page


def test_every_page_links_the_manifest_and_theme_colour(cast: Cast, client_for) -> None:
    page = client_for(cast.alice).get("/account/").content.decode()
    assert 'rel="manifest" href="/manifest.webmanifest"' in page
    assert 'name="theme-color"' in page
    assert "js/pwa.js" in page


@pytest.mark.parametrize(
    ("user_agent", "label"),
    [
        (
            "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X)"
            " AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
            "Safari on iPhone",
        ),
        (
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64)"
            " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0",
            "Edge on Windows",
        ),
        (
            "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0",
            "Firefox on Linux",
        ),
        (
            "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)"
            " AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
            "Chrome on Mac",
        ),
        (
            "Mozilla/5.0 (Linux; Android 14; SM-S918B)"
            " AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0"
            " Mobile Safari/537.36",
            "Samsung Internet on Android",
        ),
        ("curl/8.0", "A browser"),
        ("", "A browser"),
    ],
)
def test_devices_get_a_name_their_owner_recognises(user_agent: str, label: str) -> None:
    assert device_label(user_agent) == label


def test_check_refuses_a_subject_that_is_no_contact(settings) -> None:
    from coparent.push.checks import vapid_subject, vapid_subject_reachable

    assert vapid_subject() == []
    for wrong in ("operator@example.org", "https://coparent.example.org/app"):
        settings.PUSH_VAPID_SUBJECT = wrong
        assert [m.id for m in vapid_subject()] == ["push.E001"]
    settings.PUSH_VAPID_SUBJECT = "https://coparent.example.org"
    assert vapid_subject() == []
    settings.PUSH_VAPID_SUBJECT = "mailto:no-reply@coparent.localhost"
    assert [m.id for m in vapid_subject_reachable()] == ["push.W001"]
    settings.PUSH_VAPID_SUBJECT = "mailto:ops@example.org"
    assert vapid_subject_reachable() == []
