"""The installable app in real Chromium: the service worker registers at the site's root, the
manifest parses and its icons load, the offline page shows without a network, and the Account
section for notifications says where this device stands, on a phone and a desktop."""

from __future__ import annotations

import pytest

from coparent.push import services
from tests.browser.conftest import DESKTOP, PHONE, assert_accessible, screenshot, sign_in
from tests.cast import build_cast
from tests.push.fake_push_service import browser_keys

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

NO_OVERFLOW = "() => document.documentElement.scrollWidth <= document.documentElement.clientWidth"


def state(page) -> str:
    page.wait_for_function(
        "() => document.getElementById('push-device').dataset.state !== undefined"
    )
    return page.get_by_test_id("push-device").get_attribute("data-state")


def test_the_service_worker_registers_and_the_manifest_is_valid(new_page, live_server) -> None:
    build_cast()
    page = new_page(DESKTOP)
    sign_in(page, "alice@example.test")
    scope = page.evaluate("async () => (await navigator.serviceWorker.ready).scope")
    assert scope == live_server.url + "/"

    href = page.locator('link[rel="manifest"]').get_attribute("href")
    manifest = page.evaluate(
        """async (href) => {
            const response = await fetch(href);
            const manifest = await response.json();
            const icons = [];
            for (const icon of manifest.icons) {
                const image = await fetch(icon.src);
                const bitmap = await createImageBitmap(await image.blob());
                icons.push({sizes: icon.sizes, purpose: icon.purpose || "any",
                            type: image.headers.get("content-type"),
                            size: `${bitmap.width}x${bitmap.height}`});
            }
            return {type: response.headers.get("content-type"), manifest, icons};
        }""",
        href,
    )
    assert manifest["type"] == "application/manifest+json"
    for field in ("name", "short_name", "start_url", "scope", "display", "theme_color"):
        assert manifest["manifest"][field], field
    assert manifest["manifest"]["display"] == "standalone"
    for icon in manifest["icons"]:
        assert icon["type"] == "image/png"
        assert icon["size"] == icon["sizes"], icon
    purposes = {(icon["sizes"], icon["purpose"]) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= purposes
    theme = page.locator('meta[name="theme-color"]').get_attribute("content")
    assert theme == manifest["manifest"]["theme_color"]


def test_without_a_network_the_offline_page_shows(new_page) -> None:
    build_cast()
    page = new_page(PHONE)
    sign_in(page, "alice@example.test")
    page.evaluate("async () => { await navigator.serviceWorker.ready; }")
    # The worker takes the page over (clients.claim) once it is active.
    page.wait_for_function("() => navigator.serviceWorker.controller !== null")
    page.context.set_offline(True)
    try:
        page.goto("/account/")
        page.get_by_role("heading", name="You're offline").wait_for()
        assert "Alice" not in page.content()
        assert page.evaluate(NO_OVERFLOW)
        screenshot(page, "phone-offline")
    finally:
        page.context.set_offline(False)
    page.get_by_role("link", name="Try again").click()
    page.get_by_role("heading", name="Your account").or_(
        page.get_by_role("heading", name="Profile")
    ).first.wait_for()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_account_section_says_where_this_device_stands(new_page, viewport) -> None:
    shots = "desktop" if viewport == DESKTOP else "phone"
    cast = build_cast()
    keys = browser_keys()
    services.subscription_save(
        user=cast.alice,
        endpoint="https://fcm.googleapis.com/fcm/send/an-older-phone",
        p256dh=keys.p256dh,
        auth=keys.auth,
        user_agent="Mozilla/5.0 (Linux; Android 14) Chrome/131.0 Mobile Safari/537.36",
    )
    page = new_page(viewport)
    sign_in(page, "alice@example.test")
    page.goto("/account/devices/")
    assert state(page) == "off"
    page.get_by_role("button", name="Turn on notifications on this device").wait_for()
    page.locator("strong", has_text="Chrome on Android").wait_for()
    assert page.locator("[data-this-device]").is_hidden()
    assert page.evaluate(NO_OVERFLOW)
    assert_accessible(page, "notifications")
    screenshot(page, f"{shots}-account-notifications")

    page.get_by_role("button", name="Remove Chrome on Android").click()
    page.get_by_text("That device will no longer get notifications.").wait_for()
    page.get_by_text("No device gets notifications yet.").wait_for()


def test_a_blocked_or_unsupported_browser_is_told_so(new_page, live_server) -> None:
    build_cast()
    page = new_page(PHONE)
    sign_in(page, "alice@example.test")
    # As a person who once answered "Block": Chromium's own permission store, for this context.
    session = page.context.new_cdp_session(page)
    target = session.send("Target.getTargetInfo")["targetInfo"]
    session.send(
        "Browser.setPermission",
        {
            "permission": {"name": "notifications"},
            "setting": "denied",
            "origin": live_server.url,
            "browserContextId": target["browserContextId"],
        },
    )
    page.goto("/account/devices/")
    assert state(page) == "denied"
    page.get_by_text("blocked in this browser's settings").wait_for()
    screenshot(page, "phone-account-notifications-blocked")

    older = new_page(PHONE)
    older.add_init_script("delete window.PushManager;")
    sign_in(older, "alice@example.test")
    older.goto("/account/devices/")
    assert state(older) == "unsupported"
    older.get_by_text("can't show notifications from coparent").wait_for()
    assert older.evaluate(NO_OVERFLOW)


FAKE_PUSH_MANAGER = """
(() => {
  // Chromium's real pushManager.subscribe() needs Google's push service, which a test has not:
  // this stands in for it with a subscription like the one it returns. Everything else (the
  // worker, permissions, the page's script, the API) is real.
  const subscription = {
    endpoint: "%(endpoint)s",
    toJSON() {
      return {endpoint: this.endpoint, expirationTime: null,
              keys: {p256dh: "%(p256dh)s", auth: "%(auth)s"}};
    },
    async unsubscribe() { sessionStorage.setItem("unsubscribed", "yes"); return true; },
  };
  PushManager.prototype.getSubscription = async function () {
    return sessionStorage.getItem("subscribed") ? subscription : null;
  };
  PushManager.prototype.subscribe = async function (options) {
    if (!(options.applicationServerKey instanceof Uint8Array) ||
        options.applicationServerKey.length !== 65 || !options.userVisibleOnly) {
      throw new DOMException("bad options", "InvalidAccessError");
    }
    sessionStorage.setItem("subscribed", "yes");
    return subscription;
  };
})();
"""


def test_turning_notifications_on_and_off_on_this_device(new_page, live_server) -> None:
    from coparent.push.models import PushSubscription

    build_cast()
    keys = browser_keys()
    endpoint = "https://fcm.googleapis.com/fcm/send/this-phone"
    page = new_page(PHONE)
    page.context.grant_permissions(["notifications"], origin=live_server.url)
    page.add_init_script(
        FAKE_PUSH_MANAGER % {"endpoint": endpoint, "p256dh": keys.p256dh, "auth": keys.auth}
    )
    sign_in(page, "alice@example.test")
    page.goto("/account/devices/")
    assert state(page) == "off"

    page.get_by_role("button", name="Turn on notifications on this device").click()
    page.get_by_text("This device gets notifications.").wait_for()
    assert state(page) == "on"
    page.locator("[data-this-device]").wait_for()
    [saved] = PushSubscription.objects.all()
    assert (saved.endpoint, saved.p256dh, saved.label) == (endpoint, keys.p256dh, "Chrome on Linux")
    assert page.evaluate(NO_OVERFLOW)
    screenshot(page, "phone-account-notifications-on")

    page.get_by_role("button", name="Turn off on this device").click()
    page.get_by_text("No device gets notifications yet.").wait_for()
    assert page.evaluate("sessionStorage.getItem('unsubscribed')") == "yes"
    assert not PushSubscription.objects.exists()
