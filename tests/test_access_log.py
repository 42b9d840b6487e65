"""The access log in words: one line per page a professional opened, the record checks that
page ran in the background folded under it, the raw requests behind a disclosure."""

from __future__ import annotations

import re

import pytest
from django.test import RequestFactory
from django.urls import get_resolver
from hypothesis import given, settings
from hypothesis import strategies as st

from coparent.core.tenancy import PAGE_HEADER, access_detail
from coparent.families.access import PAGES, describe_detail
from coparent.families.models import AccessLogEntry
from tests.cast import Cast

pytestmark = pytest.mark.django_db
ACCESS_LOG_QUERIES = 7  # with the list of professionals to see one by one


def family_page_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, prefix: str = "", namespace: str | None = None) -> None:
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace)
            elif "<str:family_id>" in prefix + str(pattern.pattern) and namespace != "api":
                names.add(f"{namespace}:{pattern.name}")

    walk(get_resolver().url_patterns)
    return names


def test_every_family_page_has_words_in_the_access_log() -> None:
    names = family_page_names()
    assert "schedule:month" in names and "records:record" in names
    assert not names - PAGES.keys(), f"no access-log words for {names - PAGES.keys()}"


def visit(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200
    page_id = response["X-Request-ID"]
    # The page hands its id to the record witness script, which names it on its checks.
    assert f'data-page="{page_id}"' in response.content.decode()
    return page_id


def test_a_page_and_its_background_checks_are_one_line(cast: Cast, client_for) -> None:
    family = cast.family_a.public_id
    mediator = client_for(cast.mediator)
    page_id = visit(mediator, f"/f/{family}/calendar/?month=2026-12")
    checkpoint = f"/api/v1/families/{family}/record/checkpoint"
    consistency = f"/api/v1/families/{family}/record/consistency?old_size=1&new_size=2"
    assert mediator.get(checkpoint, headers={PAGE_HEADER: page_id}).status_code == 200
    assert mediator.get(consistency, headers={PAGE_HEADER: page_id}).status_code == 200
    # Neither a made-up page id nor reading other things through the API is folded away.
    assert mediator.get(checkpoint, headers={PAGE_HEADER: "not-a-page-id"}).status_code == 200
    children = f"/api/v1/families/{family}/children"
    assert mediator.get(children, headers={PAGE_HEADER: page_id}).status_code == 200

    page = client_for(cast.bob).get(f"/f/{family}/access-log/").content.decode()
    assert page.count("Medi Ator viewed the calendar (December 2026)") == 1
    assert "The request, and 2 more the page made in the background" in page
    raw = re.findall(r'<code data-testid="access-raw">([^<]*)</code>', page)
    assert f"GET /f/{family}/calendar/" in raw
    assert raw.count(f"API GET {checkpoint}") == 2  # one under the page, one on its own line
    assert page.count('data-testid="access-visit"') == 3
    assert f"Medi Ator read /api/v1/families/{family}/children through the API" in page
    rows = client_for(cast.bob).get(f"/api/v1/families/{family}/access-log").json()
    grouped = [r for r in rows if r["page_request_id"] == page_id]
    assert len(grouped) == 2 and all(r["via_api"] for r in grouped)
    (calendar,) = [r for r in rows if r["request_id"] == page_id]
    assert calendar["what"] == "Medi Ator viewed the calendar (December 2026)"


def test_another_persons_page_id_groups_nothing(cast: Cast, client_for) -> None:
    family = cast.family_a.public_id
    page_id = visit(client_for(cast.alice), f"/f/{family}/calendar/")
    mediator = client_for(cast.mediator)
    checkpoint = f"/api/v1/families/{family}/record/checkpoint"
    mediator.get(checkpoint, headers={PAGE_HEADER: page_id})
    assert AccessLogEntry.objects.get(family=cast.family_a).page_request_id == ""


def test_rows_from_before_pages_had_names_still_read(cast: Cast, client_for) -> None:
    AccessLogEntry.objects.create(
        family=cast.family_a, user=cast.mediator, method="GET", path="/f/x/old-page/"
    )
    page = client_for(cast.bob).get(f"/f/{cast.family_a.public_id}/access-log/").content.decode()
    assert "Medi Ator opened /f/x/old-page/" in page


def test_the_access_log_costs_the_same_queries_however_long(
    cast: Cast, client_for, django_assert_num_queries
) -> None:
    family = cast.family_a.public_id
    mediator = client_for(cast.mediator)
    bob = client_for(cast.bob)
    url = f"/f/{family}/access-log/"
    bob.get(url)  # the first visit of a session also writes the session
    for month in ("2026-06", "2026-07", "2026-08"):
        page_id = visit(mediator, f"/f/{family}/calendar/?month={month}")
        mediator.get(f"/api/v1/families/{family}/record/checkpoint", headers={PAGE_HEADER: page_id})
    with django_assert_num_queries(ACCESS_LOG_QUERIES):
        assert bob.get(url).status_code == 200
    for _ in range(40):
        page_id = visit(mediator, f"/f/{family}/record/")
        mediator.get(f"/api/v1/families/{family}/record/checkpoint", headers={PAGE_HEADER: page_id})
    with django_assert_num_queries(ACCESS_LOG_QUERIES):
        page = bob.get(url).content.decode()
    assert page.count("Medi Ator viewed the family record") == 40


@pytest.mark.parametrize(
    ("query", "detail", "words"),
    [
        ("month=2026-12", "month=2026-12", "December 2026"),
        ("date=2026-07-06", "date=2026-07-06", "from Mon 6 Jul 2026"),
        ("from=2026-01-01&to=2026-03-31", "from=2026-01-01&to=2026-03-31", "Thu 1 Jan 2026 to"),
        ("month=2026-13", "month=2026-13", ""),  # well-formed, impossible: no words
        ("month=<script>", "", ""),
        ("month=2026-12&next=/evil", "month=2026-12", "December 2026"),
    ],
)
def test_what_was_looked_at_is_kept_only_when_well_formed(
    query: str, detail: str, words: str
) -> None:
    request = RequestFactory().get(f"/f/x/calendar/?{query}")
    assert access_detail(request, {}) == detail
    assert describe_detail(detail).startswith(words)


@settings(max_examples=200, deadline=None)
@given(st.dictionaries(st.sampled_from(["month", "date", "from", "to", "at", "x"]), st.text()))
def test_any_address_gives_a_short_checked_detail_that_always_reads(params) -> None:
    request = RequestFactory().get("/f/x/calendar/", params)
    detail = access_detail(request, {"at": params.get("at", "")})
    assert len(detail) <= 100
    assert re.fullmatch(r"[a-z]+=[0-9-]+(&[a-z]+=[0-9-]+)*|", detail)
    describe_detail(detail)  # never raises


@pytest.mark.parametrize("header", ["", "short", "x" * 65, "../../etc", "abc def ghi", "é" * 10])
def test_a_malformed_page_header_groups_nothing(cast: Cast, client_for, header: str) -> None:
    family = cast.family_a.public_id
    mediator = client_for(cast.mediator)
    visit(mediator, f"/f/{family}/calendar/")
    response = mediator.get(
        f"/api/v1/families/{family}/record/checkpoint", headers={PAGE_HEADER: header}
    )
    assert response.status_code == 200
    check = AccessLogEntry.objects.filter(family=cast.family_a, via_api=True).get()
    assert check.page_request_id == ""


def test_a_conversations_polls_fold_under_the_page(cast: Cast, client_for) -> None:
    from tests.messaging.helpers import open_thread

    thread = open_thread(cast, others=[cast.mediator])
    family = cast.family_a.public_id
    mediator = client_for(cast.mediator)
    response = mediator.get(f"/f/{family}/messages/{thread.public_id}/")
    page_id = response["X-Request-ID"]
    # htmx sends the page's id, set on the message log, with every poll its poller makes.
    assert f'hx-headers=\'{{"X-Coparent-Page": "{page_id}"}}\'' in response.content.decode()
    poll = f"/f/{family}/messages/{thread.public_id}/poll/"
    for _ in range(3):
        assert mediator.get(poll, headers={PAGE_HEADER: page_id}).status_code == 200
    page = client_for(cast.bob).get(f"/f/{family}/access-log/").content.decode()
    assert page.count('data-testid="access-visit"') == 1
    assert "Medi Ator read a conversation" in page
    assert "The request, and 3 more the page made in the background" in page
