"""Quick exit and the safety page: leaving ends the session, the page lists the operator's help
lines, and a bad setting is caught by `check` before it reaches a frightened reader."""

from __future__ import annotations

import json

import pytest
from django.core.checks import run_checks
from django.test import Client, override_settings
from django.urls import reverse

from coparent.safety.hotlines import HotlineError, parse

pytestmark = pytest.mark.django_db

NEUTRAL = "https://weather.example/today"
LINES = json.dumps(
    [
        {"name": "Family violence line", "phone": "+1 (800) 555-0100", "hours": "24/7"},
        {"name": "Text support", "text": "HOME to 555-0101", "url": "https://help.example"},
    ]
)


@override_settings(COPARENT_QUICK_EXIT_URL=NEUTRAL)
def test_quick_exit_signs_out_and_leaves_for_the_neutral_site(cast, client_for) -> None:
    client = client_for(cast.alice)
    family = f"/f/{cast.family_a.public_id}/"
    assert client.get(family).status_code == 200

    response = client.post(reverse("safety:exit"))

    assert response.status_code == 302
    assert response["Location"] == NEUTRAL
    assert response["Referrer-Policy"] == "no-referrer"
    back = client.get(family)
    assert back.status_code == 302 and "/login/" in back["Location"]


@override_settings(COPARENT_QUICK_EXIT_URL=NEUTRAL)
def test_a_link_to_quick_exit_leaves_without_signing_out(cast, client_for) -> None:
    client = client_for(cast.alice)
    response = client.get(reverse("safety:exit"))
    assert response["Location"] == NEUTRAL
    assert client.get(f"/f/{cast.family_a.public_id}/").status_code == 200


def test_quick_exit_refuses_a_cross_site_post(cast) -> None:
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.alice)
    assert client.post(reverse("safety:exit")).status_code == 403
    assert client.get(f"/f/{cast.family_a.public_id}/").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "alice"])
def test_every_page_offers_quick_exit_before_its_content(cast, client_for, who) -> None:
    client = Client() if who == "anonymous" else client_for(cast.alice)
    pages = ["/", reverse("safety:safety")]
    pages += (
        [reverse("accounts:login")]
        if who == "anonymous"
        else [
            f"/f/{cast.family_a.public_id}/",
            f"/f/{cast.family_a.public_id}/messages/",
        ]
    )
    for page in pages:
        html = client.get(page, follow=True).content.decode()
        assert 'data-testid="quick-exit"' in html, page
        assert html.index('data-testid="quick-exit"') < html.index('<main id="main"'), page


@override_settings(COPARENT_SAFETY_HOTLINES=LINES)
def test_the_safety_page_lists_the_operators_help_lines(django_assert_num_queries) -> None:
    with django_assert_num_queries(0):
        html = Client().get(reverse("safety:safety")).content.decode()
    assert "Family violence line" in html
    assert 'href="tel:+18005550100"' in html
    assert "Text HOME to 555-0101" in html
    assert 'href="https://help.example"' in html


def test_without_help_lines_the_page_still_says_where_to_turn() -> None:
    html = Client().get(reverse("safety:safety")).content.decode()
    assert "call your local emergency number" in html
    assert 'data-testid="hotlines"' not in html


@pytest.mark.parametrize(
    ("raw", "problem"),
    [
        ("{", "not valid JSON"),
        ('{"name": "x"}', "JSON list"),
        ('["x"]', "not an object"),
        ('[{"phone": "1"}]', "no name"),
        ('[{"name": "x"}]', "needs a phone, text or url"),
        ('[{"name": "x", "url": "javascript:alert(1)"}]', "https://"),
        ('[{"name": "x", "phone": 1}]', "not a string"),
        ('[{"name": "x", "phone": "1", "fax": "2"}]', "unknown keys fax"),
    ],
)
def test_a_bad_hotline_setting_says_what_is_wrong(raw, problem) -> None:
    with pytest.raises(HotlineError, match=problem):
        parse(raw)
    with override_settings(COPARENT_SAFETY_HOTLINES=raw):
        errors = [e for e in run_checks() if e.id == "coparent.E020"]
    assert errors and problem.split()[0] in errors[0].msg


@pytest.mark.parametrize("url", ["http://weather.example/", "/relative", "javascript:void(0)"])
def test_quick_exit_must_go_to_another_https_site(url) -> None:
    with override_settings(COPARENT_QUICK_EXIT_URL=url):
        assert [e for e in run_checks() if e.id == "coparent.E021"]
