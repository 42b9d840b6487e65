"""Browser tests: Playwright for Python driving Debian's Chromium against a live server.

Playwright never downloads a browser here; `make test` installs Debian's chromium. Screenshots go
to artifacts/screenshots/ (ignored by git).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django would otherwise refuse ORM
# calls made from the test body while it runs.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
AXE = next((Path(__file__).parent / "vendor" / "axe-core").glob("axe-*.min.js"))
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.skip(f"Chromium not found at {CHROMIUM}: apt-get install -y chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--headless",
                "--no-sandbox",
                "--disable-background-networking",
                "--disable-gpu",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server) -> Iterator:
    """Opens pages in fresh browser contexts (separate cookies: one per person)."""
    contexts = []

    def make(viewport: dict[str, int] = DESKTOP):
        context = browser.new_context(viewport=viewport, base_url=live_server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


def screenshot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def assert_accessible(page, label: str) -> None:
    """axe-core finds no serious or critical violation on the page as it is now."""
    page.evaluate(
        AXE.read_text() + "\n;0"
    )  # evaluated through the devtools protocol, not CSP-bound
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    bad = [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:3]}"
        for v in result
        if v["impact"] in ("serious", "critical")
    ]
    assert not bad, f"{label}: " + "; ".join(bad)


def link_from_mail(mailbox, to: str) -> str:
    """The first link in the latest email to `to`, once the worker has sent what was queued."""
    from tests.tasks import run_tasks

    run_tasks()
    for message in reversed(mailbox):
        if to in message.to:
            return re.search(r"https?://\S+", message.body).group(0)
    raise AssertionError(f"no email to {to}")


def sign_in(page, email: str, *, witnessed: bool = False) -> None:
    """Signs in through the form, as a person does, and waits for the family's home; with
    `witnessed`, also for the record witness's first check on this device."""
    from tests.cast import PASSWORD

    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("heading", name="Family A").wait_for()
    # The heading can show before the stylesheet applies; what a person sees needs both.
    page.wait_for_load_state("load")
    if witnessed:
        page.wait_for_function("() => document.documentElement.dataset.recordChecked !== undefined")


def open_menu(page) -> None:
    """Opens the site menu when it is folded behind its button (on a phone)."""
    # The stylesheet decides whether the menu is folded: judge only once it has loaded, or a
    # slow machine sees the bare summary of a desktop page for a moment.
    page.wait_for_load_state("load")
    summary = page.locator("details.menu > summary")
    if summary.is_visible() and page.locator("details.menu[open]").count() == 0:
        summary.click()


def assert_no_horizontal_overflow(page, label: str) -> None:
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"{label}: the page is {overflow} px wider than the screen"
